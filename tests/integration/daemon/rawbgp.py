"""A scripted BGP speaker in a test namespace that sends hand-built bytes (hostile-peer tests).

    p = RawPeer(ns, "10.0.1.2", "10.0.1.1", asn=65002).connect()   # OPEN/KEEPALIVE exchanged
    p.send(update(attrs=ORIGIN_IGP + as_path([65002]) + next_hop("10.0.1.2"),
                  nlri=["10.9.0.0/24"]))
    p.send(route_refresh())
    p.close()

The socket is created inside the namespace (setns in a helper thread), so no process is
started; the daemon must list the peer as `passive`. A thread answers nothing but sends a
KEEPALIVE every `keepalive` seconds, so a peer that stops reading still keeps its session.
"""
from __future__ import annotations

import ctypes
import ipaddress
import os
import socket
import struct
import threading
import time

CLONE_NEWNET = 0x40000000
MARKER = b"\xff" * 16


def netns_socket(ns_name: str) -> socket.socket:
    """A TCP socket that belongs to network namespace `ns_name`."""
    out: dict = {}

    def make():
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(f"/var/run/netns/{ns_name}", os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            out["sock"] = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except Exception as e:  # noqa: BLE001 - handed to the caller
            out["error"] = e

    t = threading.Thread(target=make)  # the thread (and its namespace) ends here
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["sock"]


def message(msg_type: int, body: bytes = b"") -> bytes:
    return MARKER + struct.pack("!HB", 19 + len(body), msg_type) + body


def attr(flags: int, code: int, value: bytes) -> bytes:
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


ORIGIN_IGP = attr(0x40, 1, b"\x00")


def as_path(asns, seg_type=2) -> bytes:
    return attr(0x40, 2, struct.pack("!BB", seg_type, len(asns)) +
                b"".join(struct.pack("!I", a) for a in asns))


def next_hop(addr: str) -> bytes:
    return attr(0x40, 3, ipaddress.IPv4Address(addr).packed)


def prefix_bytes(p: str) -> bytes:
    net = ipaddress.ip_network(p)
    n = (net.prefixlen + 7) // 8
    return bytes([net.prefixlen]) + net.network_address.packed[:n]


def update(attrs: bytes = b"", nlri=(), withdrawn=()) -> bytes:
    w = b"".join(prefix_bytes(p) for p in withdrawn)
    n = b"".join(prefix_bytes(p) for p in nlri)
    return message(2, struct.pack("!H", len(w)) + w + struct.pack("!H", len(attrs)) + attrs + n)


ENHANCED_ROUTE_REFRESH = b"\x46\x00"  # RFC 7313 capability (code 70, empty)


def update_prefixes(body: bytes):
    """(withdrawn, announced) IPv4 prefixes of an UPDATE body, as strings."""
    def prefixes(b: bytes):
        out, i = [], 0
        while i < len(b):
            n = b[i]
            raw = b[i + 1:i + 1 + (n + 7) // 8]
            out.append(f"{ipaddress.IPv4Address(raw + bytes(4 - len(raw)))}/{n}")
            i += 1 + (n + 7) // 8
        return out
    wlen = struct.unpack("!H", body[0:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    return prefixes(body[2:2 + wlen]), prefixes(body[4 + wlen + alen:])


def route_refresh(afi=1, safi=1, subtype=0, extra=b"") -> bytes:
    return message(5, struct.pack("!HBB", afi, subtype, safi) + extra)


def open_msg(asn: int, router_id: str, hold: int, extra_caps: bytes = b"") -> bytes:
    caps = (b"\x01\x04\x00\x01\x00\x01"          # multiprotocol IPv4 unicast
            + b"\x02\x00"                        # route refresh
            + b"\x41\x04" + struct.pack("!I", asn)  # 4-octet AS
            + extra_caps)
    params = b"\x02" + bytes([len(caps)]) + caps
    my_as = asn if asn <= 0xFFFF else 23456
    return message(1, struct.pack("!BHH4sB", 4, my_as, hold,
                                  ipaddress.IPv4Address(router_id).packed, len(params)) + params)


class RawPeer:
    def __init__(self, ns, local: str, remote: str, asn: int, hold=90, rcvbuf=None,
                 extra_caps: bytes = b""):
        self.ns, self.local, self.remote, self.asn, self.hold = ns, local, remote, asn, hold
        self.extra_caps = extra_caps
        self.rcvbuf = rcvbuf
        self.sock: socket.socket | None = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.buf = b""
        self.sent_bytes = 0

    def connect(self, timeout=30.0) -> "RawPeer":
        deadline = time.monotonic() + timeout
        while True:
            s = netns_socket(self.ns.name)
            if self.rcvbuf:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            s.bind((self.local, 0))
            s.settimeout(5)
            try:
                s.connect((self.remote, 179))
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # the daemon is still starting: retry the connect
        self.sock = s
        self.send(open_msg(self.asn, self.local, self.hold, self.extra_caps))
        got = set()
        while not {1, 4} <= got:
            t, body = self.read_message(timeout=20)
            if t == 3:
                raise RuntimeError(f"NOTIFICATION during OPEN: {body.hex()}")
            got.add(t)
        self.send(message(4))
        threading.Thread(target=self._keepalives, daemon=True).start()
        return self

    def _keepalives(self):
        while not self.stopping.wait(min(20, max(1, self.hold // 3))):
            try:
                self.send(message(4))
            except OSError:
                return

    def send(self, data: bytes):
        with self.lock:
            self.sock.sendall(data)
            self.sent_bytes += len(data)

    def read_message(self, timeout=10.0):
        """(type, body) of the next message; raises TimeoutError or ConnectionError."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 19:
                length = struct.unpack("!H", self.buf[16:18])[0]
                if len(self.buf) >= length:
                    msg, self.buf = self.buf[:length], self.buf[length:]
                    return msg[18], msg[19:]
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no BGP message")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk

    def wait_notification(self, timeout=20.0):
        """(code, subcode, data) of the NOTIFICATION the daemon sends, skipping other messages."""
        deadline = time.monotonic() + timeout
        while True:
            t, body = self.read_message(timeout=max(0.1, deadline - time.monotonic()))
            if t == 3:
                return body[0], body[1], body[2:]

    def close(self):
        self.stopping.set()
        if self.sock:
            self.sock.close()
