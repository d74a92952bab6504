"""Processes started by a test (stopped by PID only) and event waiting."""
import os
import pathlib
import signal
import socket
import subprocess
import time


def build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("NVABGPD_BUILD_DIR", "build"))


def source_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("NVABGPD_SOURCE_DIR",
                                       pathlib.Path(__file__).resolve().parents[3]))


def binary(name: str) -> str:
    """Path of a built executable (daemon/nvabgpd, daemon/nvabgpctl, ...)."""
    for cand in build_dir().rglob(name):
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    raise FileNotFoundError(f"{name} not built under {build_dir()}")


class Process:
    def __init__(self, args, log_path=None, env=None):
        self.args = args
        self.log_path = log_path
        self._log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.popen = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT,
                                      env=env, start_new_session=True)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.killpg(self.pid, sig)  # the group we created with start_new_session

    def stop(self, timeout=10.0):
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.popen.wait(5)
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL

    def kill(self):
        self.signal(signal.SIGKILL)
        self.popen.wait(5)

    def log(self) -> str:
        if not self.log_path:
            return ""
        try:
            return pathlib.Path(self.log_path).read_text(errors="replace")
        except FileNotFoundError:
            return ""


def wait_until(pred, timeout=30.0, interval=0.1, what="condition"):
    """Polls pred() until it returns a truthy value (returned) or raises TimeoutError.

    Use for events observable only from outside (a peer's RIB, a kernel table); the timeout
    bounds the wait, it never decides the result.
    """
    deadline = time.monotonic() + timeout
    last_exc = None
    while time.monotonic() < deadline:
        try:
            v = pred()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - the predicate may race with startup
            last_exc = e
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}"
                       + (f" (last error: {last_exc})" if last_exc else ""))


def wait_for_tcp(host, port, timeout=10.0):
    def ok():
        with socket.create_connection((host, port), timeout=0.5):
            return True
    return wait_until(ok, timeout, what=f"tcp {host}:{port}")
