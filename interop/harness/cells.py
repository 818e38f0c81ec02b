"""The matrix: one Cell per (direction, transport, protocol, inc-recursion, client, server,
option set, destination state), and the filters that select cells."""

from dataclasses import dataclass, replace

from . import optsets

DIRECTIONS = ("push", "pull", "local")
TRANSPORTS = ("pipe", "ssh")
PROTOCOLS = (32, 31, 30)
INC = ("on", "off")
PROGRAMS = ("rsync", "ursync")
NO_SERVER = "-"    # the server seat of a local copy
LOCAL = "local"    # the transport of a local copy


@dataclass(frozen=True)
class Cell:
    direction: str     # push | pull | local
    transport: str     # pipe | ssh | local
    protocol: int      # 32 | 31 | 30
    inc: str           # incremental recursion: on | off
    client: str        # rsync | ursync
    server: str        # rsync | ursync | "-" (local)
    optset: str
    state: str

    @property
    def key(self):
        return (f"{self.direction}/{self.transport}/p{self.protocol}/inc-{self.inc}/"
                f"{self.client}>{self.server}/{self.optset}/{self.state}")

    def reference(self):
        """The rsync -> rsync cell whose result this cell must equal."""
        return replace(self, client="rsync",
                       server=NO_SERVER if self.server == NO_SERVER else "rsync")

    def involves_ursync(self):
        return "ursync" in (self.client, self.server)


def matrix():
    """Every cell, in a stable order that keeps cells sharing a reference together."""
    cells = []
    for direction in ("push", "pull"):
        for transport in TRANSPORTS:
            for protocol in PROTOCOLS:
                for inc in INC:
                    for opt in optsets.OPTSETS:
                        if direction not in opt.directions:
                            continue
                        for state in opt.states:
                            for client in PROGRAMS:
                                for server in PROGRAMS:
                                    cells.append(Cell(direction, transport, protocol, inc,
                                                      client, server, opt.name, state))
    for protocol in PROTOCOLS:
        for inc in INC:
            for opt in optsets.OPTSETS:
                if "local" not in opt.directions:
                    continue
                for state in opt.states:
                    for client in PROGRAMS:
                        cells.append(Cell("local", LOCAL, protocol, inc, client, NO_SERVER,
                                          opt.name, state))
    return cells


def matches(cell, selector):
    """selector: {field name: collection of allowed values}; a missing field allows all."""
    for name, allowed in selector.items():
        if getattr(cell, name) not in allowed:
            return False
    return True


def select(cells, selectors):
    """The cells matching at least one selector."""
    return [c for c in cells if any(matches(c, s) for s in selectors)]
