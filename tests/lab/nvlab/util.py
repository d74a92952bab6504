"""Shell helpers, namespace execution and daemons started detached (stopped by PID only)."""
import json
import os
import pathlib
import re
import signal
import subprocess
import sys

_here = pathlib.Path(__file__).resolve()
SOURCE_DIR = _here.parents[3]
sys.path.insert(0, str(SOURCE_DIR / "tests" / "integration"))
from nvbtest.proc import wait_until  # noqa: E402  (shared event-polling helper)

__all__ = ["wait_until", "sh", "Ns", "Daemon", "SOURCE_DIR", "RUN_ROOT", "valid_prefix"]

RUN_ROOT = pathlib.Path(os.environ.get("NVLAB_RUN_ROOT", "/run/nvabgpd-lab"))


def valid_prefix(prefix: str) -> bool:
    # namespace names are <prefix><tag>, tags are at most 4 characters, names at most 15
    return bool(re.fullmatch(r"[a-z][a-z0-9]{0,10}", prefix))


def sh(*args, check=True, timeout=30):
    r = subprocess.run([str(a) for a in args], text=True, capture_output=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed ({r.returncode}): "
                           f"{r.stderr.strip() or r.stdout.strip()}")
    return r


class Ns:
    """A lab namespace by name; commands run through `ip netns exec`."""

    def __init__(self, name: str):
        self.name = name

    def run(self, *args, check=True, timeout=30):
        return sh("ip", "netns", "exec", self.name, *args, check=check, timeout=timeout)

    def out(self, *args, check=True) -> str:
        return self.run(*args, check=check).stdout

    def ip(self, *args, check=True):
        return sh("ip", "-n", self.name, *args, check=check)

    def ip_json(self, *args):
        r = self.ip("-j", *args)
        return json.loads(r.stdout or "[]")

    def sysctl(self, key, value):
        self.run("sysctl", "-q", "-w", f"{key}={value}")

    def exists(self) -> bool:
        return pathlib.Path("/run/netns", self.name).exists()


class Daemon:
    """A daemon started detached inside a namespace, remembered by a pid file in the run dir.

    The pid file also records the executable so `down` never signals a reused PID.
    """

    def __init__(self, run_dir: pathlib.Path, name: str):
        self.name = name
        self.pid_file = run_dir / "pids" / f"{name}.json"
        self.log_path = run_dir / "logs" / f"{name}.log"

    def start(self, ns: Ns, argv, env=None):
        if self.alive():
            return self.pid()
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            p = subprocess.Popen(["ip", "netns", "exec", ns.name] + [str(a) for a in argv],
                                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, env=env)
        exe = os.path.basename(str(argv[0]))
        self.pid_file.write_text(json.dumps({"pid": p.pid, "exe": exe, "ns": ns.name}))
        # `ip netns exec` execs the daemon in place: the PID is the daemon's own.
        wait_until(lambda: self._exe_matches(p.pid, exe) or p.poll() is not None, 5,
                   what=f"{self.name} exec")
        if p.poll() is not None:
            raise RuntimeError(f"{self.name} exited at once ({p.returncode}); log:\n"
                               + self.log_tail())
        return p.pid

    def log_tail(self, n=30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return ""

    def _record(self):
        try:
            return json.loads(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None

    @staticmethod
    def _exe_matches(pid, exe) -> bool:
        try:
            argv0 = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return False
        return os.path.basename(argv0.decode(errors="replace")) == exe

    def pid(self):
        rec = self._record()
        if rec and self._exe_matches(rec["pid"], rec["exe"]):
            return rec["pid"]
        return None

    def alive(self) -> bool:
        return self.pid() is not None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Signals our own PID (never by name); SIGKILL if it does not leave in time."""
        pid = self.pid()
        if pid is not None:
            try:
                os.kill(pid, sig)
                wait_until(lambda: not self.alive(), timeout, what=f"{self.name} exit")
            except ProcessLookupError:
                pass
            except TimeoutError:
                if self.pid() is not None:
                    os.kill(pid, signal.SIGKILL)
                    wait_until(lambda: not self.alive(), 5, what=f"{self.name} exit")
        self.pid_file.unlink(missing_ok=True)

    def kill(self):
        """Abrupt death (the failure drill): no Cease, no route withdrawal by the daemon."""
        self.stop(sig=signal.SIGKILL)
