"""The systemd notify protocol without systemd (issue 7): nvabgpd is started with NOTIFY_SOCKET
pointing at a datagram socket the test owns and WATCHDOG_USEC set, as systemd would for
Type=notify + WatchdogSec=, and every message it sends is checked as it arrives."""
import os
import signal
import socket
import threading
import time

from nvbtest import wait_until
from nvd import Nvabgpd

WATCHDOG_USEC = 2_000_000
# sd_watchdog_enabled(3): ping at half the interval. The slack covers timer and scheduling
# latency; a daemon pinging at the full interval (or not at all) still fails.
MAX_WATCHDOG_GAP = WATCHDOG_USEC / 2 / 1e6 + 0.5


class NotifySocket:
    """The service manager's end: records (monotonic time, {key: value}) per datagram, and
    whether the daemon's control socket accepted a connection when READY=1 arrived."""

    def __init__(self, path, control_socket):
        self.path = str(path)
        self.control_socket = control_socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)
        self.messages = []
        self.serving_at_ready = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            at = time.monotonic()
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            if fields.get("READY") == "1":
                self.serving_at_ready.append(self._control_listening())
            with self._lock:
                self.messages.append((at, fields))

    def _control_listening(self):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(self.control_socket)
            return True
        except OSError:
            return False

    def snapshot(self):
        with self._lock:
            return list(self.messages)

    def since(self, n, key, value="1"):
        """Indexes (>= n) of the messages carrying key=value."""
        return [i for i, (_, f) in enumerate(self.snapshot()) if i >= n and f.get(key) == value]

    def close(self):
        self.sock.close()


def _start(lab, tmp_path, watchdog=True):
    ns = lab.ns("sd")
    d = Nvabgpd(ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001})
    n = NotifySocket(tmp_path / "notify.sock", d.sock)
    env = dict(os.environ, NOTIFY_SOCKET=n.path)
    if watchdog:
        env["WATCHDOG_USEC"] = str(WATCHDOG_USEC)
    d.start(env=env)
    return d, n


def test_ready_watchdog_reload_stopping(lab, tmp_path):
    d, n = _start(lab, tmp_path)
    try:
        wait_until(lambda: n.since(0, "READY"), 20, what="READY=1")
        # READY=1 means serving: the control socket was listening when it arrived, and answers.
        assert n.serving_at_ready[0] is True
        assert d.ready()
        ready = n.snapshot()[n.since(0, "READY")[0]][1]
        assert ready.get("STATUS"), ready  # a human-readable status goes with it

        # The watchdog: WATCHDOG=1 at least every WATCHDOG_USEC/2, observed over ~4 intervals.
        wait_until(lambda: len(n.since(0, "WATCHDOG")) >= 5, 20, what="5 WATCHDOG=1")
        msgs = n.snapshot()
        pings = [msgs[i][0] for i in n.since(0, "WATCHDOG")]
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert max(gaps) <= MAX_WATCHDOG_GAP, gaps

        # SIGHUP reload: RELOADING=1 (with the reload's start time), then READY=1 again.
        mark = len(n.snapshot())
        before = time.monotonic_ns() // 1000
        d.hup()
        wait_until(lambda: [i for i in n.since(mark, "READY")
                            if any(r < i for r in n.since(mark, "RELOADING"))], 20,
                   what="RELOADING=1 then READY=1 after SIGHUP")
        after = time.monotonic_ns() // 1000
        reloading = n.snapshot()[n.since(mark, "RELOADING")[0]][1]
        assert before <= int(reloading["MONOTONIC_USEC"]) <= after, (before, reloading, after)
        assert d.ready()

        # nvabgpctl reload (what ExecReload runs) does the same.
        mark = len(n.snapshot())
        d.ctl("reload")
        wait_until(lambda: [i for i in n.since(mark, "READY")
                            if any(r < i for r in n.since(mark, "RELOADING"))], 20,
                   what="RELOADING=1 then READY=1 after nvabgpctl reload")

        # A rejected reload changes nothing: no RELOADING=1 (checked up to the next ping,
        # which the daemon sent after answering the request).
        (d.dir / "nvabgpd.yaml").write_text("router-id: 10.0.0.1\nasn: banana\n")
        mark = len(n.snapshot())
        assert d.ctl("reload", check=False).returncode != 0
        wait_until(lambda: n.since(mark, "WATCHDOG"), 10, what="a ping after the rejected reload")
        assert not n.since(mark, "RELOADING")

        # SIGTERM: STOPPING=1, then a clean exit.
        mark = len(n.snapshot())
        d.proc.signal(signal.SIGTERM)
        wait_until(lambda: n.since(mark, "STOPPING"), 20, what="STOPPING=1")
        wait_until(lambda: not d.alive(), 20, what="nvabgpd to exit")
        assert d.proc.popen.returncode == 0, d.log()
    finally:
        d.stop()
        n.close()


def test_no_watchdog_pings_unless_asked(lab, tmp_path):
    d, n = _start(lab, tmp_path, watchdog=False)
    try:
        wait_until(lambda: n.since(0, "READY"), 20, what="READY=1")
        # A reload round trip orders the check after the daemon ran for a while.
        mark = len(n.snapshot())
        d.ctl("reload")
        wait_until(lambda: n.since(mark, "READY"), 20, what="READY=1 after reload")
        assert not n.since(0, "WATCHDOG")
    finally:
        d.stop()
        n.close()
