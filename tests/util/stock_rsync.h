// What the C++ tests that compare ursync with stock rsync share: whether rsync is installed.
#pragma once

#include <cstdlib>

namespace ursync::tests {

// Whether stock rsync runs here (asked once per test binary). A test that compares with it
// calls GTEST_SKIP() without it, which ctest reports as skipped, never as passed.
inline bool have_rsync() {
    static const bool found = std::system("rsync --version >/dev/null 2>&1") == 0;
    return found;
}

}  // namespace ursync::tests
