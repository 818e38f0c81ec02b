"""Unit tests of the interop harness: python3 -m unittest discover -s tests -t . (in interop/)."""
