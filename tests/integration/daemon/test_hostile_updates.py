"""Malformed input from a real eBGP session (issue 18): each RFC 7606 / RFC 9234 / RFC 7313
outcome seen from outside (what nvabgpd keeps, what a downstream peer receives, which
NOTIFICATION it sends), and the log volume of a peer that repeats a malformation."""
import ipaddress
import re
import struct

from nvbtest import wait_until
from nvd import Nvabgpd, link, peer
from rawbgp import (ORIGIN_IGP, RawPeer, as_path, attr, next_hop, route_refresh, update)

OWN = "10.0.1.1"      # nvabgpd's address on the raw peer's link
RAW = "10.0.1.2"


def base(nh=RAW, path=None):
    return ORIGIN_IGP + (path if path is not None else as_path([65002])) + next_hop(nh)


def daemon(lab, tmp_path, with_downstream=True):
    d_ns = lab.ns("d")
    r_ns = link(lab, d_ns, "r", f"{OWN}/24", f"{RAW}/24")
    peers = [peer("raw", RAW, 65002, passive=True, **{"hold-time": 90})]
    down_ns = None
    if with_downstream:
        down_ns = link(lab, d_ns, "o", "10.0.2.1/24", "10.0.2.2/24")
        peers.append(peer("down", "10.0.2.2", 65003, passive=True, **{"hold-time": 90}))
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": peers}).start()
    return d, r_ns, down_ns


def path_attributes(body: bytes) -> dict:
    """{type code: (flags, value)} of an UPDATE body."""
    wlen = struct.unpack("!H", body[:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    a, i, out = body[4 + wlen:4 + wlen + alen], 0, {}
    while i < len(a):
        flags, code = a[i], a[i + 1]
        if flags & 0x10:
            n, hdr = struct.unpack("!H", a[i + 2:i + 4])[0], 4
        else:
            n, hdr = a[i + 2], 3
        out[code] = (flags, a[i + hdr:i + hdr + n])
        i += hdr + n
    return out


def nlri_of(body: bytes) -> list:
    wlen = struct.unpack("!H", body[:2])[0]
    alen = struct.unpack("!H", body[2 + wlen:4 + wlen])[0]
    n, i, out = body[4 + wlen + alen:], 0, []
    while i < len(n):
        plen = n[i]
        k = (plen + 7) // 8
        addr = n[i + 1:i + 1 + k] + bytes(4 - k)
        out.append(f"{ipaddress.IPv4Address(addr)}/{plen}")
        i += 1 + k
    return out


def test_malformed_outcomes_over_a_real_session(lab, tmp_path):
    d, r_ns, down_ns = daemon(lab, tmp_path)
    down = RawPeer(down_ns, "10.0.2.2", "10.0.2.1", 65003).connect()
    raw = RawPeer(r_ns, RAW, OWN, 65002).connect()
    cases = {
        # RFC 7606 7.5 / 7.9: from eBGP a malformed LOCAL_PREF / ORIGINATOR_ID is discarded.
        "10.50.1.0/24": (base() + attr(0x40, 5, b"\x00\x64"), True),
        "10.50.2.0/24": (base() + attr(0x80, 9, b"\x01\x02\x03"), True),
        # RFC 5065 5.3 / RFC 7606 7.2: AS_CONFED_SEQUENCE from eBGP -> treat-as-withdraw.
        "10.50.3.0/24": (base(path=attr(0x40, 2, b"\x03\x01\x00\x00\xfd\xea"
                                               b"\x02\x01\x00\x00\xfd\xea")), False),
        # RFC 4271 6.3 / RFC 7606 7.3: our own address or loopback as NEXT_HOP.
        "10.50.4.0/24": (base(nh=OWN), False),
        "10.50.5.0/24": (base(nh="127.0.0.1"), False),
        # RFC 9234 5: OTC of length 3 -> treat-as-withdraw; a valid one is carried.
        "10.50.6.0/24": (base() + attr(0xC0, 35, b"\x00\xfd\xea"), False),
        "10.50.7.0/24": (base() + attr(0xC0, 35, struct.pack("!I", 65002)), True),
        "10.50.9.0/24": (base(), True),  # control
    }
    for prefix, (attrs, _) in cases.items():
        raw.send(update(attrs, [prefix]))
    wait_until(lambda: d.protocols()["raw"]["messages"]["updates_in"] >= len(cases), 30,
               what="every UPDATE processed")
    wait_until(lambda: "10.50.9.0/24" in d.routes(), 30, what="the control route")
    held = d.routes()
    for prefix, (_, kept) in cases.items():
        assert (prefix in held) == kept, (prefix, held.get(prefix))

    # What the downstream eBGP peer receives: exactly the kept routes; OTC unchanged.
    want = {p for p, (_, kept) in cases.items() if kept}
    got, otc = set(), {}
    while got != want:
        t, body = down.read_message(timeout=20)
        if t != 2:
            continue
        for p in nlri_of(body):
            got.add(p)
            otc[p] = path_attributes(body).get(35)
        assert got <= want, got - want
    assert otc["10.50.7.0/24"] == (0xC0, struct.pack("!I", 65002))
    assert otc["10.50.9.0/24"] is None
    assert d.state("raw") == "Established"

    # RFC 7313 5: a ROUTE-REFRESH of the wrong length -> ROUTE-REFRESH Message Error 7/1,
    # quoting the message.
    bad = route_refresh(extra=b"\x00")
    raw.send(bad)
    code, subcode, data = raw.wait_notification()
    assert (code, subcode) == (7, 1)
    assert data == bad
    raw.close()
    down.close()


def test_repeated_malformed_attributes_are_rate_limited_in_the_log(lab, tmp_path):
    d, r_ns, _ = daemon(lab, tmp_path, with_downstream=False)
    raw = RawPeer(r_ns, RAW, OWN, 65002).connect()
    wait_until(lambda: d.state("raw") == "Established", 30, what="session")
    log_before = d.log_path.stat().st_size
    # Each UPDATE repeats ATOMIC_AGGREGATE 50 times (49 discarded repeats) and carries a
    # MULTI_EXIT_DISC of length 3 (treat-as-withdraw): 50 errors in 187 octets.
    attrs = base() + attr(0x40, 6, b"") * 50 + attr(0x80, 4, b"\x00\x00\x01")
    msg = update(attrs, ["10.60.0.0/24"])
    n = 1000
    raw.send(msg * n)
    malformed_bytes = len(msg) * n
    wait_until(lambda: d.protocols()["raw"]["messages"]["updates_in"] >= n, 60,
               what="every malformed UPDATE processed")
    raw.close()  # the summary of what was suppressed is logged when the session ends
    wait_until(lambda: d.state("raw") != "Established", 30, what="session down")
    wait_until(lambda: "suppressed" in d.log()[log_before:], 10, what="the summary line")
    log = d.log()[log_before:]
    log_bytes = len(log.encode())
    ratio = log_bytes / malformed_bytes
    figure = (f"{n} malformed UPDATEs ({malformed_bytes} octets, 50 errors each): "
              f"{log_bytes} octets of log, {ratio:.3f} per octet received")
    (tmp_path / "figures.txt").write_text(figure + "\n")
    print(figure)
    # The repeats are counted, not lost: every suppressed line is in a summary.
    counts = [int(m) for m in re.findall(r"suppressed (\d+) similar messages \(ATOMIC_AGGREGATE\)",
                                         log)]
    shown = log.count("ATOMIC_AGGREGATE: appears more than once")
    assert counts and sum(counts) + shown == 49 * n, log[-2000:]
    assert ratio < 0.25, figure
    assert d.alive()
