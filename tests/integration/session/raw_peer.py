"""Hand-made TCP clients for the session tests, run inside a test namespace (`ip netns exec`).

    raw_peer.py nonreader LOCAL REMOTE:PORT ASN HOLD   OPEN + KEEPALIVE, then a KEEPALIVE every
                                                       second; never reads (4 KiB receive buffer)
    raw_peer.py hold FIRST LAST REMOTE:PORT            one connection from each 127.0.0.FIRST..LAST,
                                                       held open until SIGTERM
    raw_peer.py connect LOCAL REMOTE:PORT TTL          connect with this TTL; report whether the
                                                       connection was made and an OPEN came back
    raw_peer.py badopen LOCAL REMOTE:PORT ASN          connect; if an OPEN comes, answer with an
                                                       OPEN from ASN and report the NOTIFICATION

Each prints one JSON object per line on stdout.
"""
import json
import signal
import socket
import struct
import sys
import time


def say(**kw):
    print(json.dumps(kw), flush=True)


def message(kind: int, body: bytes = b"") -> bytes:
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), kind) + body


def open_msg(asn: int, hold: int, router_id: str) -> bytes:
    return message(1, struct.pack("!BHH4sB", 4, asn, hold, socket.inet_aton(router_id), 0))


def endpoint(text: str):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def nonreader(local, remote, asn, hold):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind((local, 0))
    s.connect(endpoint(remote))
    s.sendall(open_msg(int(asn), int(hold), local) + message(4))
    say(event="connected")
    n = 0
    while True:
        time.sleep(1)
        try:
            s.sendall(message(4))
        except OSError as e:
            say(event="send_failed", error=str(e))
            return
        n += 1
        say(event="keepalive", count=n)


def hold(first, last, remote):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    socks = []
    for i in range(int(first), int(last) + 1):
        s = socket.socket()
        s.bind((f"127.0.0.{i}", 0))
        s.connect(endpoint(remote))  # completed by the kernel even if nobody accepts
        socks.append(s)
    say(event="connected", count=len(socks))
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    for s in socks:
        s.close()


def connect(local, remote, ttl):
    s = socket.socket()
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(ttl))
    s.bind((local, 0))
    s.settimeout(4)
    try:
        s.connect(endpoint(remote))
    except OSError as e:
        say(event="connect_failed", error=str(e))
        return
    try:
        head = s.recv(19)
        say(event="connected", open_received=len(head) == 19 and head[18] == 1)
    except OSError as e:
        say(event="connected", open_received=False, error=str(e))


def recv_message(s):
    head = b""
    while len(head) < 19:
        chunk = s.recv(19 - len(head))
        if not chunk:
            return None
        head += chunk
    body = b""
    length = struct.unpack("!H", head[16:18])[0]
    while len(body) < length - 19:
        chunk = s.recv(length - 19 - len(body))
        if not chunk:
            return None
        body += chunk
    return head[18], body


def badopen(local, remote, asn):
    s = socket.socket()
    s.bind((local, 0))
    s.settimeout(5)
    s.connect(endpoint(remote))
    try:
        m = recv_message(s)
    except OSError:
        m = None
    if not m or m[0] != 1:
        say(event="refused")  # closed before any OPEN
        return
    s.sendall(open_msg(int(asn), 90, local))
    try:
        m = recv_message(s)
    except OSError:
        m = None
    say(event="notification", code=m[1][0] if m and m[0] == 3 else None,
        subcode=m[1][1] if m and m[0] == 3 else None)


if __name__ == "__main__":
    {"nonreader": nonreader, "hold": hold, "connect": connect,
     "badopen": badopen}[sys.argv[1]](*sys.argv[2:])
