"""What both NVA implementations share: the daemon handle and the TO_RS filter choice."""
import pathlib

from . import topology as T
from .util import Daemon, Ns, SOURCE_DIR

# Each NVA's TO_RS before its fix in the seed: NVA1 without NO_ADVERTISE on 10.1.0.0/16, NVA2
# without deleting 65515 from 1.2.3.0/24.
NOFIX_FILTERS = {n: SOURCE_DIR / f"tests/lab/filters/nva{n}_to_rs_nofix.conf" for n in (1, 2)}


class NvaBase:
    """An NVA daemon in its namespace. Subclasses provide start(), show(), routes()."""
    kind = "?"

    def __init__(self, run_dir: pathlib.Path, ns: Ns, hub: T.Hub):
        self.ns, self.hub = ns, hub
        self.dir = run_dir / self.kind / hub.nva
        self.daemon = Daemon(run_dir, f"{hub.nva}-{self.kind}")
        self.fixed = True       # the seed's final TO_RS (NVA1: NO_ADVERTISE, NVA2: 65515 fix)

    def to_rs_filter(self, shipped: pathlib.Path) -> pathlib.Path:
        return shipped if self.fixed else NOFIX_FILTERS[self.hub.n]

    def stop(self):
        self.daemon.stop()

    def kill(self):
        """Abrupt death (the failure drill): no Cease, no withdrawal."""
        self.daemon.kill()

    def alive(self):
        return self.daemon.alive()
