"""What both NVA implementations share: the daemon handle and the TO_RS filter choice."""
import pathlib

from . import topology as T
from .util import Daemon, Ns, SOURCE_DIR

NOFIX_FILTER = SOURCE_DIR / "tests/lab/filters/nva2_to_rs_nofix.conf"


class NvaBase:
    """An NVA daemon in its namespace. Subclasses provide start(), show(), routes()."""
    kind = "?"

    def __init__(self, run_dir: pathlib.Path, ns: Ns, hub: T.Hub):
        self.ns, self.hub = ns, hub
        self.dir = run_dir / self.kind / hub.nva
        self.daemon = Daemon(run_dir, f"{hub.nva}-{self.kind}")
        self.fixed = True       # NVA2: the seed's TO_RS with the 65515 fix

    def to_rs_filter(self, shipped: pathlib.Path) -> pathlib.Path:
        return NOFIX_FILTER if self.hub.n == 2 and not self.fixed else shipped

    def stop(self):
        self.daemon.stop()

    def kill(self):
        """Abrupt death (the failure drill): no Cease, no withdrawal."""
        self.daemon.kill()

    def alive(self):
        return self.daemon.alive()
