"""eBGP multihop across a router namespace (TTL above 1), GTSM, and TCP-MD5 good and bad."""
import pytest

from nvbtest import veth_pair, wait_until
from nvbtest.peers import Bird, GoBgp, Neighbor
from probe import Probe


def routed(lab):
    """p (10.0.1.1) -- r -- d (10.0.2.1): two hops apart."""
    p, r, d = lab.ns("p"), lab.ns("r"), lab.ns("d")
    veth_pair(p, "10.0.1.1/24", r, "10.0.1.2/24")
    veth_pair(r, "10.0.2.2/24", d, "10.0.2.1/24")
    r.exec("sysctl", "-qw", "net.ipv4.ip_forward=1")  # inside r's namespace only
    p.ip("route", "add", "10.0.2.0/24", "via", "10.0.1.2")
    d.ip("route", "add", "10.0.1.0/24", "via", "10.0.2.2")
    return p, r, d


def test_multihop_across_a_router(lab, workdir):
    p, _, d = routed(lab)
    peer = GoBgp(d, workdir, 65002, "10.0.2.1",
                 [Neighbor("10.0.1.1", 65001, hold=9, multihop=2)]).start()
    probe = Probe(p, workdir, 65001, "10.0.1.1",
                  [{"name": "mh", "address": "10.0.2.1", "asn": 65002, "hold": 9,
                    "multihop": 2, "connect-retry": 2, "idle-hold": 1}])
    probe.wait_established("mh")
    wait_until(lambda: peer.established("10.0.1.1"), 30, what="gobgp Established")
    probe.wait_keepalives("mh", probe.keepalives("mh") + 3, timeout=30)
    assert probe.downs("mh") == []


def test_single_hop_ttl_does_not_cross_a_router(lab, workdir):
    """The control for the test above: with the default eBGP TTL of 1 our SYNs die at the
    router, so only the peer's connection (TTL 2) could ever reach us, and our replies die."""
    p, _, d = routed(lab)
    GoBgp(d, workdir, 65002, "10.0.2.1",
          [Neighbor("10.0.1.1", 65001, hold=9, multihop=2, connect_retry=1)]).start()
    probe = Probe(p, workdir, 65001, "10.0.1.1",
                  [{"name": "sh", "address": "10.0.2.1", "asn": 65002, "hold": 9,
                    "connect-retry": 1, "idle-hold": 1}])
    # Our SYNs (TTL 1) die at the router, which answers ICMP time exceeded: every connect
    # fails. The peer's connections (TTL 2) reach us, but our answers do not reach it.
    wait_until(lambda: len(probe.events("fsm", "sh", trigger="TcpConnectionFails")) >= 3
               or probe.ups("sh"), 60, what="three failed connection attempts")
    assert probe.ups("sh") == []
    assert "No route to host" in probe.text()


def test_gtsm_with_bird(lab, workdir):
    p, d = lab.ns("p"), lab.ns("d")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    peer = Bird(d, workdir, 65002, "10.0.0.2", [Neighbor("10.0.0.1", 65001, hold=9)])
    peer.extra = {"10.0.0.1": ["ttl security on;"]}
    peer.start()
    probe = Probe(p, workdir, 65001, "10.0.0.1",
                  [{"name": "g", "address": "10.0.0.2", "asn": 65002, "hold": 9, "gtsm": True,
                    "connect-retry": 2, "idle-hold": 1}])
    probe.wait_established("g")
    wait_until(lambda: peer.established("10.0.0.1"), 30, what="BIRD Established")


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_md5_good_and_bad_password_with_bird(lab, workdir, family):
    if family == "ipv4":
        a = [("10.0.0.1/24", "10.0.0.2/24"), ("10.0.1.1/24", "10.0.1.2/24")]
    else:
        a = [("fd00::1/64", "fd00::2/64"), ("fd01::1/64", "fd01::2/64")]
    ours = [x[0].split("/")[0] for x in a]
    theirs = [x[1].split("/")[0] for x in a]
    p, d = lab.ns("p"), lab.ns("d")
    for mine, other in a:
        veth_pair(p, mine, d, other)
    fams = (family,)
    peer = Bird(d, workdir, 65002, "10.0.0.2", [
        Neighbor(ours[0], 65001, hold=9, password="s3cret", local_address=theirs[0],
                 families=fams),
        Neighbor(ours[1], 65001, hold=9, password="s3cret", local_address=theirs[1],
                 families=fams),
    ]).start()
    listen = ("0.0.0.0:179",) if family == "ipv4" else ("[::]:179",)
    probe = Probe(p, workdir, 65001, "10.0.0.1", [
        {"name": "good", "address": theirs[0], "asn": 65002, "hold": 9, "password": "s3cret",
         "connect-retry": 2, "idle-hold": 1, "families": family},
        {"name": "bad", "address": theirs[1], "asn": 65002, "hold": 9, "password": "wrong",
         "connect-retry": 2, "idle-hold": 1, "families": family},
    ], listen=listen)
    probe.wait_established("good")
    wait_until(lambda: peer.established(ours[0]), 30, what="BIRD Established (good key)")
    # The mismatched key: segments are dropped by both kernels, so no TCP connection forms
    # and our connect attempts time out at each ConnectRetry expiry.
    wait_until(lambda: len(probe.events("fsm", "bad", trigger="ConnectRetryTimer_Expires")) >= 3,
               60, what="three connect retries on the bad-key session")
    assert not probe.events("state", "bad", to="OpenSent")
    assert probe.ups("bad") == []
    assert not peer.established(ours[1])
    assert probe.downs("good") == []


@pytest.mark.parametrize("mixed", [False, True], ids=["all-gtsm", "with-a-non-gtsm-peer"])
def test_gtsm_drops_a_too_distant_syn_at_the_listener(lab, workdir, mixed):
    """Issue 18: with GTSM the listener itself enforces the minimum TTL, so a connection from a
    peer too many hops away is never accepted and nothing it sends is read (it used to be
    accepted and the minimum set only afterwards, on the accepted socket). The listener is
    shared: with another peer that does not use GTSM, the per-source filter still applies."""
    import json
    import pathlib
    import sys
    p, _, d = routed(lab)
    peers = [{"name": "g", "address": "10.0.2.1", "asn": 65002, "hold": 9, "gtsm": True,
              "multihop": 2, "passive": True}]
    if mixed:
        peers.append({"name": "plain", "address": "10.0.9.9", "asn": 65009, "passive": True})
    probe = Probe(p, workdir, 65001, "10.0.1.1", peers, listen=("10.0.1.1:179",))
    raw_peer = str(pathlib.Path(__file__).with_name("raw_peer.py"))

    def connect(ttl):
        proc = d.popen([sys.executable, raw_peer, "connect", "10.0.2.1", "10.0.1.1:179",
                        str(ttl)], log_path=str(workdir / f"connect-ttl{ttl}.log"))
        lines = wait_until(lambda: [ln for ln in proc.log().splitlines() if ln.startswith("{")],
                           20, what=f"connect with TTL {ttl}")
        return json.loads(lines[0])

    # One router between us: TTL 64 arrives as 63, below 256 - 2 = 254.
    far = connect(64)
    assert far["event"] == "connect_failed", far
    assert "accepted connection" not in probe.text()
    assert not probe.events("state", "g", to="OpenSent")
    # The control: sent with 255, it arrives with 254 and is accepted.
    near = connect(255)
    assert near["event"] == "connected" and near["open_received"], near
