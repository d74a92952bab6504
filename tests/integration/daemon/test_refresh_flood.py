"""ROUTE-REFRESH amplification (issue 18): a peer that sends 1,000 ROUTE-REFRESH messages and
does not read must not make nvabgpd queue 1,000 dumps of a 100k-route table; the memory comes
back when the session closes."""
import pathlib
import struct
import time

from nvbtest import wait_until
from nvd import Nvabgpd, link, peer
from rawbgp import ORIGIN_IGP, RawPeer, as_path, next_hop, prefix_bytes, route_refresh, update

ROUTES = 100_000
PER_UPDATE = 900  # /24s per UPDATE (4 octets each) under the 4,096-octet limit


def rss_kib(pid: int) -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def settled_rss(pid: int, timeout=60.0) -> int:
    """RSS once it stops moving (two readings 1 s apart within 1 MiB): the daemon is idle."""
    last = rss_kib(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = rss_kib(pid)
        if abs(now - last) < 1024:
            return now
        last = now
    return last


def table_updates(nh: str):
    """ROUTES distinct /24s from 20.0.0.0, PER_UPDATE to an UPDATE, one attribute set."""
    attrs = ORIGIN_IGP + as_path([65002]) + next_hop(nh)
    for start in range(0, ROUTES, PER_UPDATE):
        nlri = b"".join(
            prefix_bytes(f"{20 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}.0/24")
            for i in range(start, min(ROUTES, start + PER_UPDATE)))
        body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs + nlri
        yield b"\xff" * 16 + struct.pack("!HB", 19 + len(body), 2) + body


def test_refresh_flood_from_a_peer_that_does_not_read(lab, tmp_path):
    d_ns = lab.ns("d")
    f_ns = link(lab, d_ns, "f", "10.0.1.1/24", "10.0.1.2/24")
    s_ns = link(lab, d_ns, "s", "10.0.2.1/24", "10.0.2.2/24")
    # A passive FSM still connects when ConnectRetry expires (RFC 4271 8.2.2, Active); with
    # the 1 s default of nvd.peer the sink's refused connect damps it before the feeder's
    # table is in on a loaded machine, and its own connection is then refused.
    slow = {"passive": True, "hold-time": 90, "connect-retry": 600}
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001,
        "peers": [peer("feeder", "10.0.1.2", 65002, **slow),
                  peer("sink", "10.0.2.2", 65003, **slow)]}).start()
    feeder = RawPeer(f_ns, "10.0.1.2", "10.0.1.1", 65002).connect()
    for msg in table_updates("10.0.1.2"):
        feeder.send(msg)
    feeder.send(update())  # End-of-RIB
    wait_until(lambda: d.protocols()["feeder"]["routes"].get("received", 0) >= ROUTES, 60,
               what="the feeder's 100k routes")

    # The sink reads its OPEN and KEEPALIVE, then never reads again (small receive buffer).
    sink = RawPeer(s_ns, "10.0.2.2", "10.0.2.1", 65003, rcvbuf=4096).connect()
    wait_until(lambda: d.protocols()["sink"]["routes"]["exported"] >= ROUTES, 60,
               what="the sink's initial dump")
    pid = d.proc.pid
    base = settled_rss(pid)

    sink.send(route_refresh() * 1000)  # 23 KB of input
    wait_until(lambda: d.protocols()["sink"]["messages"]["refreshes_in"] >= 1000, 60,
               what="1,000 ROUTE-REFRESH received")
    flooded = settled_rss(pid)
    info = d.protocols()["sink"]
    assert info["state"] == "Established"
    dumps = info["routes"].get("refresh_dumps")

    sink.close()
    wait_until(lambda: d.state("sink") != "Established", 30, what="sink session down")
    closed = settled_rss(pid)
    figures = (f"RSS base {base} KiB, after 1,000 refreshes +{flooded - base} KiB, "
               f"after close +{closed - base} KiB; refresh dumps {dumps}")
    (pathlib.Path(tmp_path) / "figures.txt").write_text(figures + "\n")
    print(figures)
    # One 100k-route dump encodes to ~0.5 MB; a few may queue before the peer counts as
    # congested (4 MiB watermark). 1,000 dumps would be hundreds of MB.
    assert flooded - base < 32 * 1024, figures
    assert dumps is not None and dumps <= 10, figures
    assert closed - base < 16 * 1024, figures
    assert d.state("feeder") == "Established"
    feeder.close()
