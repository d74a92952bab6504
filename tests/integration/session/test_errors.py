"""Wrong ASN -> the peer sees Bad Peer AS; an unknown address is refused without disturbing
other sessions; both sides connecting at once leaves exactly one session."""
import json
import signal

import pytest

from nvbtest import veth_pair, wait_until
from nvbtest.peers import Bird, Frr, GoBgp, Neighbor
from probe import Probe


@pytest.mark.parametrize("daemon", ["bird", "frr"])
def test_wrong_asn_peer_sees_bad_peer_as(lab, workdir, daemon):
    p, d = lab.ns("p"), lab.ns("d")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    cls = {"bird": Bird, "frr": Frr}[daemon]
    peer = cls(d, workdir, 65002, "10.0.0.2", [Neighbor("10.0.0.1", 65001)]).start()
    # We expect AS 65099, the peer is AS 65002. Passive: the peer's own connections get the
    # NOTIFICATION (what it reports); idle-hold-max keeps our damping of the failing peer
    # (refusing it for the idle hold) shorter than its connect retry.
    probe = Probe(p, workdir, 65001, "10.0.0.1",
                  [{"name": "d", "address": "10.0.0.2", "asn": 65099, "connect-retry": 2,
                    "idle-hold": 1, "idle-hold-max": 2, "passive": True}])
    sent = wait_until(lambda: probe.events("notification", "d", dir="sent"), 30,
                      what="NOTIFICATION sent")
    assert (sent[0]["code"], sent[0]["subcode"]) == (2, 2), sent  # OPEN/Bad Peer AS
    assert "Bad Peer AS" in sent[0]["text"]
    wait_until(lambda: "bad peer as" in peer.last_error("10.0.0.1").lower(), 30,
               what=f"{daemon} reports Bad Peer AS")
    assert probe.ups("d") == []


def test_unknown_peer_refused_others_unaffected(lab, workdir):
    p, d, u = lab.ns("p"), lab.ns("d"), lab.ns("u")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    veth_pair(p, "10.0.1.1/24", u, "10.0.1.2/24")
    good = GoBgp(d, workdir, 65002, "10.0.0.2", [Neighbor("10.0.0.1", 65001, hold=9)]).start()
    probe = Probe(p, workdir, 65001, "10.0.0.1",
                  [{"name": "good", "address": "10.0.0.2", "asn": 65002, "hold": 9}])
    probe.wait_established("good")
    # A speaker the probe does not know keeps trying to connect.
    Bird(u, workdir, 65003, "10.0.1.2",
         [Neighbor("10.0.1.1", 65001, connect_retry=1)]).start()
    wait_until(lambda: len(probe.events("rejected", remote="10.0.1.2")) >= 3, 60,
               what="three refused connections from 10.0.1.2")
    assert probe.events("rejected")[0]["reason"] == "not a configured peer"
    ka = probe.keepalives("good")
    probe.wait_keepalives("good", ka + 2, timeout=30)
    assert probe.downs("good") == [] and len(probe.ups("good")) == 1
    assert good.established("10.0.0.1")
    # No OPEN was ever exchanged with the unknown address.
    assert "10.0.1.2" not in "".join(str(e) for e in probe.events("state"))


def established_bgp_connections(ns) -> int:
    out = ns.out("ss", "-Htn", "state", "established", "( sport = :179 or dport = :179 )")
    return len([line for line in out.splitlines() if line.strip()])


def mac(ns, ifname) -> str:
    return json.loads(ns.out("ip", "-j", "link", "show", "dev", ifname))[0]["address"]


def test_both_sides_connect_at_once_one_session(lab, workdir):
    collided = False
    for attempt in range(3):
        a, b = lab.ns(f"a{attempt}"), lab.ns(f"b{attempt}")
        a_if, b_if = veth_pair(a, "10.0.0.1/24", b, "10.0.0.2/24")
        # Hold both sides' SYNs back: frames to a wrong MAC are dropped by the other end, and
        # TCP retransmits the SYN a second later. Releasing both at once makes them cross.
        for ns, ifn, other in ((a, a_if, "10.0.0.2"), (b, b_if, "10.0.0.1")):
            ns.ip("neigh", "replace", other, "lladdr", "02:00:00:00:00:99", "dev", ifn,
                  "nud", "permanent")
        pa = Probe(a, workdir, 65001, "10.0.0.1",
                   [{"name": "b", "address": "10.0.0.2", "asn": 65002, "hold": 9,
                     "connect-retry": 10}], start_on_signal=True, tag=f"a{attempt}")
        pb = Probe(b, workdir, 65002, "10.0.0.2",
                   [{"name": "a", "address": "10.0.0.1", "asn": 65001, "hold": 9,
                     "connect-retry": 10}], start_on_signal=True, tag=f"b{attempt}")
        pa.signal(signal.SIGUSR2)
        pb.signal(signal.SIGUSR2)
        wait_until(lambda: pa.events("state", "b", to="Connect") and
                   pb.events("state", "a", to="Connect"), 10, what="both connecting")
        a.ip("neigh", "replace", "10.0.0.2", "lladdr", mac(b, b_if), "dev", a_if, "nud",
             "permanent")
        b.ip("neigh", "replace", "10.0.0.1", "lladdr", mac(a, a_if), "dev", b_if, "nud",
             "permanent")
        pa.wait_established("b")
        pb.wait_established("a")
        wait_until(lambda: established_bgp_connections(a) == 1, 20,
                   what="exactly one TCP session")
        # Both keep exchanging keepalives on that one session.
        pa.wait_keepalives("b", pa.keepalives("b") + 2, timeout=20)
        assert established_bgp_connections(a) == 1
        assert len(pa.ups("b")) == 1 and len(pb.ups("a")) == 1
        assert pa.downs("b") == [] and pb.downs("a") == []
        # Did both connections reach the OPEN exchange (a real collision)?
        colls = [e for pr in (pa, pb) for e in pr.events("notification")
                 if (e["code"], e["subcode"]) == (6, 7)]
        if colls:
            collided = True
            # RFC 4271 6.8: 10.0.0.2 > 10.0.0.1, so the connection b initiated survives.
            established = [e for e in pa.events("state", "b") if e["to"] == "Established"]
            assert [e["outgoing"] for e in established] == [False]
            break
        pa.proc.stop()
        pb.proc.stop()
    assert collided, "no attempt produced a connection collision"
