"""Enhanced Route Refresh (RFC 7313, issue 13), both directions, with raw peers so that the exact
order of messages on the wire can be checked.

Sender: a peer that negotiated the capability and sends ROUTE-REFRESH gets BoRR, the re-sent
routes, End-of-RIB, EoRR. Receiver: BoRR from a peer marks its routes stale; the routes it
re-sends before EoRR stay (no withdraw or re-announce toward another peer), the ones it does not
are withdrawn at EoRR."""
import time

from nvd import Nvabgpd, link, peer
from rawbgp import (ENHANCED_ROUTE_REFRESH, ORIGIN_IGP, RawPeer, as_path, next_hop,
                    route_refresh, update, update_prefixes)


def announce(nh: str, prefixes):
    return update(ORIGIN_IGP + as_path([65002]) + next_hop(nh), nlri=list(prefixes))


def read_until(p: RawPeer, done, timeout=20.0):
    """Messages read from p as ('RR', subtype) / ('U', withdrawn, announced) until done(msgs)."""
    msgs = []
    deadline = time.monotonic() + timeout
    while not done(msgs):
        t, body = p.read_message(timeout=max(0.1, deadline - time.monotonic()))
        if t == 5:
            msgs.append(("RR", body[2]))
        elif t == 2:
            w, a = update_prefixes(body)
            msgs.append(("U", w, a))
    return msgs


def test_enhanced_route_refresh_answer_is_borr_routes_eorr(lab, tmp_path):
    d_ns = lab.ns("d")
    r_ns = link(lab, d_ns, "r", "10.0.1.1/24", "10.0.1.2/24")
    originate = [{"prefix": f"10.90.{i}.0/24"} for i in range(200)]
    Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001, "originate": originate,
        "peers": [peer("raw", "10.0.1.2", 65002, passive=True, **{"hold-time": 90})]}).start()
    raw = RawPeer(r_ns, "10.0.1.2", "10.0.1.1", 65002, extra_caps=ENHANCED_ROUTE_REFRESH).connect()
    eor = ("U", [], [])
    read_until(raw, lambda m: eor in m)  # the initial transfer
    raw.send(route_refresh(subtype=0))
    msgs = read_until(raw, lambda m: ("RR", 2) in m)
    kinds = [m for m in msgs if m[0] == "RR" or m == eor]
    assert kinds == [("RR", 1), eor, ("RR", 2)], msgs
    resent = [p for m in msgs if m[0] == "U" for p in m[2]]
    assert msgs[0] == ("RR", 1), msgs  # BoRR before any route
    assert sorted(resent) == sorted(o["prefix"] for o in originate)


def test_enhanced_route_refresh_receiver_purges_what_was_not_resent_without_flapping_the_rest(lab, tmp_path):
    d_ns = lab.ns("d")
    f_ns = link(lab, d_ns, "f", "10.0.1.1/24", "10.0.1.2/24")
    s_ns = link(lab, d_ns, "s", "10.0.2.1/24", "10.0.2.2/24")
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001,
        "peers": [peer("feeder", "10.0.1.2", 65002, passive=True, **{"hold-time": 90}),
                  peer("sink", "10.0.2.2", 65003, passive=True, **{"hold-time": 90})]}).start()
    feeder = RawPeer(f_ns, "10.0.1.2", "10.0.1.1", 65002, extra_caps=ENHANCED_ROUTE_REFRESH).connect()
    sink = RawPeer(s_ns, "10.0.2.2", "10.0.2.1", 65003).connect()
    kept = [f"10.50.{i}.0/24" for i in range(100)]
    gone = [f"10.51.{i}.0/24" for i in range(20)]
    feeder.send(announce("10.0.1.2", kept + gone) + update())
    seen = set()
    read_until(sink, lambda m: seen.update(p for x in m if x[0] == "U" for p in x[2])
               or set(kept + gone) <= seen)
    # BoRR, the kept routes unchanged, EoRR.
    feeder.send(route_refresh(subtype=1) + announce("10.0.1.2", kept) + route_refresh(subtype=2))
    msgs = read_until(sink, lambda m: set(gone) <= {p for x in m if x[0] == "U" for p in x[1]})
    touched = {p for x in msgs if x[0] == "U" for p in x[1] + x[2]}
    assert touched == set(gone), msgs  # the kept routes were neither withdrawn nor re-announced
    assert d.state("feeder") == "Established"
    assert d.state("sink") == "Established"
