"""Two NVAs in hub1 (issue 14): a dead firewall, a drained NVA and a failed inter-hub link.

The lab's HA option (`SeedLab(prefix, "nvabgpd", ha=True)`, `scripts/lab.sh up --ha`, see
tests/lab/nvlab/ha.py) puts NVA1a and NVA1b (same ASN) behind hub1's Route Servers, which
load-balance the spokes' traffic over both. Every drill runs continuous pings (20/s) from a hub1
spoke to on-premises and to a hub2 spoke, and from the hub2 spoke to on-premises (that one
crosses NVA2 and a hub1 NVA); the spoke11 -> spoke21 flow uses a source address whose ECMP hash
sends it through the NVA the drill breaks. Each drill runs with the feature and without it
(tracking off, no drain, the session without BFD) so the figures show the difference. Loss and
times are printed (pytest -s) and written to ha-figures.json beside the lab's run directory;
only robust outcomes are asserted (the traffic moves / still flows at the end, loose bounds).
"""
import json
import pathlib
import re
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "lab"))
from nvbtest import unique_name, wait_until  # noqa: E402
from nvlab import topology as T  # noqa: E402
from nvlab.ha import rs_paths, spoke_next_hops  # noqa: E402
from nvlab.lab import SeedLab  # noqa: E402
from nvlab.nva_nvabgpd import missing_reason  # noqa: E402

SPOKE11, SPOKE21 = "10.1.16.4", "10.2.16.4"
INTERVAL = 0.05          # 20 pings per second
A, B = T.HUB1.nva_addr, T.NVA1B.addr
FIGURES = {}


@pytest.fixture(scope="module")
def lab():
    reason = missing_reason()
    if reason:
        pytest.skip(f"nvabgpd NVAs: {reason}")
    lab = SeedLab(unique_name(""), "nvabgpd", ha=True)
    try:
        lab.up()
        yield lab
    finally:
        if FIGURES:
            out = lab.run_dir.parent / "ha-figures.json"
            out.write_text(json.dumps(FIGURES, indent=1))
        lab.down()


class Pinger:
    """`ping -i 0.05` in a namespace until stopped (SIGINT: ping prints its summary)."""

    def __init__(self, lab, tag, dst, src=None):
        self.what = f"{tag}{'(' + src + ')' if src else ''}->{dst}"
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", lab.fabric.ns(tag).name, "ping", "-n", "-q", "-i",
             str(INTERVAL), "-W", "1", *(["-I", src] if src else []), dst],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def result(self):
        time.sleep(1.1)      # replies of the last second still count (-W 1)
        self.proc.send_signal(signal.SIGINT)
        out, _ = self.proc.communicate(timeout=10)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        assert m, out
        return {"sent": int(m.group(1)), "lost": int(m.group(1)) - int(m.group(2))}


def stop(ps):
    """Pingers left running by a failed drill."""
    for p in ps:
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait(5)


def pings(lab, src):
    return [Pinger(lab, "h11", T.ONPREM_HOST), Pinger(lab, "h11", SPOKE21, src),
            Pinger(lab, "h21", T.ONPREM_HOST)]


def rx_packets(ns):
    (link,) = ns.ip_json("-s", "link", "show", "eth0")
    return link["stats64"]["rx"]["packets"]


def carrier(lab, tag, dst, src=None):
    """The hub1 NVA a flow crosses (10 quick pings, seen on the NVAs' receive counters), or
    None when neither (or both) saw it."""
    nss = {A: lab.fabric.ns("nva1"), B: lab.fabric.ns(T.NVA1B.tag)}
    before = {k: rx_packets(ns) for k, ns in nss.items()}
    lab.fabric.ns(tag).run("ping", "-n", "-q", "-c", "10", "-i", "0.01", "-W", "1",
                           *(["-I", src] if src else []), dst, check=False)
    delta = {k: rx_packets(ns) - before[k] for k, ns in nss.items()}
    hit = [k for k, d in delta.items() if d >= 10]
    return hit[0] if len(hit) == 1 and min(delta.values()) < 5 else None


def pick_source(lab, dst, via):
    """A spoke11 address whose flow to dst the fabric's ECMP sends through the NVA `via`, so
    the drill breaks the path it measures."""
    for src in (SPOKE11, *T.HA_SPOKE11_SOURCES):
        if carrier(lab, "h11", dst, src) == via:
            return src
    pytest.fail(f"no spoke11 source address hashes to {via}")


def paths(lab, src):
    """Which hub1 NVA each measured flow crosses before the drill (for the report)."""
    return {"h11->on-prem": carrier(lab, "h11", T.ONPREM_HOST),
            f"h11({src})->h21": carrier(lab, "h11", SPOKE21, src),
            "h21->on-prem": carrier(lab, "h21", T.ONPREM_HOST)}


def settle(lab, timeout=60):
    wait_until(lambda: lab.converged(), timeout, interval=0.2, what="the HA lab converged")


def rs_without(lab, nh, prefix=T.HUB2.vnet):
    """Neither hub1 Route Server uses nh for prefix any more (withdrawn, or not best/multipath)."""
    return all(not rs_paths(lab, rs, prefix).get(nh) for rs in T.HUB1.rs_names)


def nva2_next_hops(lab, prefix=T.HUB1.vnet):
    """NVA2's kernel next hops toward hub1 (its VXLANs to NVA1a / NVA1b)."""
    r = lab.kernel_route("nva2", prefix)
    if r is None:
        return set()
    return {r["gateway"]} if "gateway" in r else {h["gateway"] for h in r.get("nexthops", [])}


def wait_time(cond, t0, timeout, interval=0.02):
    """Seconds from t0 until cond() holds, or None if it does not within timeout."""
    try:
        wait_until(cond, timeout, interval=interval, what="drill condition")
    except TimeoutError:
        return None
    return round(time.monotonic() - t0, 3)


def check_status(nva):
    (c,) = [c for c in nva.health()["checks"] if c["name"] == "firewall"]
    return c["status"]


def report(name, fig):
    FIGURES[name] = fig
    print(f"\nHA FIGURES {name} {json.dumps(fig)}")


def flowing(lab):
    """A few pings on each drill path answer (the traffic flows after the drill)."""
    for tag, dst in (("h11", T.ONPREM_HOST), ("h11", SPOKE21), ("h21", T.ONPREM_HOST)):
        r = lab.fabric.ns(tag).run("ping", "-n", "-q", "-c", "5", "-i", "0.05", "-W", "1", dst,
                                   check=False)
        if r.returncode != 0:
            return False
    return True


@pytest.mark.parametrize("tracking", [True, False], ids=["tracking", "no-tracking"])
def test_firewall_dies(lab, tracking):
    """NVA1a's firewall dies (its forwarding stops, its health check fails) while nvabgpd keeps
    running: with its exports tracking the check the Route Servers and NVA2 lose its routes and
    traffic moves to NVA1b; without tracking nothing moves."""
    a = lab.nva(1)
    for n in (1, "1b"):
        lab.nva(n).set_features(track=tracking)
    settle(lab)
    src = pick_source(lab, SPOKE21, A)
    via = paths(lab, src)
    ps = pings(lab, src)
    time.sleep(1)    # traffic flowing before the failure (the pings measure, nothing waits)
    window = 8 if tracking else 5
    t0 = time.monotonic()
    try:
        a.set_firewall(False)
        check_down = wait_time(lambda: check_status(a) == "down", t0, 3, interval=0.01)
        to_rs = wait_time(lambda: rs_without(lab, A), t0, window)
        to_spokes = wait_time(lambda: spoke_next_hops(lab, T.HUB2.vnet) == {B}, t0,
                              3 if to_rs else 0.1)
        time.sleep(1.5)
        results = {p.what: p.result() for p in ps}
    finally:
        stop(ps)
        a.set_firewall(True)
    settle(lab)
    fig = {"tracking": tracking, "failure_to_check_down_s": check_down,
           "failure_to_rs_withdrawal_s": to_rs,
           "failure_to_spokes_ecmp_nva1b_only_s": to_spokes,
           "check": "command, 200 ms, fall 3 (expected 0.4-0.6 s + probe)",
           "observed_s": window, "pings": results, "flows_via": via}
    report(f"firewall-dies-{'tracking' if tracking else 'no-tracking'}", fig)
    assert flowing(lab)
    if tracking:
        assert to_rs is not None and to_rs < 5, fig
        assert to_spokes is not None, fig
    else:
        assert to_rs is None, fig      # nothing tells the Route Servers


@pytest.mark.parametrize("drain", [True, False], ids=["drain", "no-drain"])
def test_drain_then_stop(lab, drain):
    """Maintenance of NVA1a: `nvabgpctl drain`, wait until the Route Servers and NVA2 prefer
    NVA1b, then stop it (SIGTERM, then its data plane goes: the VM reboots). Without the drain
    it is stopped straight away."""
    a = lab.nva(1)
    for n in (1, "1b"):
        lab.nva(n).set_features(track=True)
    settle(lab)
    src = pick_source(lab, SPOKE21, A)
    via = paths(lab, src)
    ps = pings(lab, src)
    time.sleep(1)
    moved = None
    try:
        if drain:
            t0 = time.monotonic()
            a.ctl("drain")
            moved = wait_time(lambda: spoke_next_hops(lab, T.HUB2.vnet) == {B}
                              and nva2_next_hops(lab) == {T.NVA1B.overlay_addr}, t0, 15)
            assert moved is not None, "the Route Servers never preferred NVA1b"
            time.sleep(1)   # margin for the programmer's period
        t1 = time.monotonic()
        a.stop()
        a.ns.sysctl("net.ipv4.ip_forward", 0)
        gone = wait_time(lambda: spoke_next_hops(lab, T.HUB2.vnet) == {B}, t1, 6)
        time.sleep(1.5)
        results = {p.what: p.result() for p in ps}
    finally:
        stop(ps)
        a.ns.sysctl("net.ipv4.ip_forward", 1)
        if not a.alive():
            a.start()
        else:
            a.ctl("undrain")
    settle(lab)
    fig = {"drain": drain, "drain_to_spokes_on_nva1b_s": moved,
           "stop_to_spokes_on_nva1b_s": gone, "pings": results, "flows_via": via}
    report(f"drain-then-stop-{'drain' if drain else 'no-drain'}", fig)
    assert flowing(lab)


@pytest.mark.parametrize("victim", ["nva1a-bfd", "nva1b-no-bfd"])
def test_inter_hub_link_fails(lab, victim):
    """The VXLAN path between one hub1 NVA and NVA2 dies (its underlay drops: blackhole routes
    to the other VTEP at both ends, interfaces stay up). NVA1a <-> NVA2 runs BFD 100 ms x 3;
    NVA1b <-> NVA2 has only hold 9 s. Measured: link down -> NVA2's session leaves Established,
    and -> the spokes send hub2 traffic only to the other NVA."""
    with_bfd = victim == "nva1a-bfd"
    nva, peer_name = (lab.nva(1), "hub1") if with_bfd else (lab.nva("1b"), T.NVA1B.name)
    other = B if with_bfd else A
    nva2 = lab.nva(2)
    for n in (1, "1b"):
        lab.nva(n).set_features(track=True)
    settle(lab)
    src = pick_source(lab, SPOKE21, nva.addr)
    hold = nva2.hold_time(peer_name)
    bfd = None
    if with_bfd:
        def nva2_bfd():
            (b,) = [b for b in nva2.request("show bfd")["sessions"]
                    if b["peer"] == peer_name]
            return b
        wait_until(lambda: nva2_bfd()["state"] == "Up", 20, what="BFD Up on NVA2 toward NVA1a")
        bfd = {k: nva2_bfd()[k] for k in ("state", "tx_interval_ms", "detection_time_ms")}
    via = paths(lab, src)
    ps = pings(lab, src)
    time.sleep(1)
    holes = [(nva.ns, T.HUB2.nva_addr), (nva2.ns, nva.addr)]
    t0 = time.monotonic()
    for ns, vtep in holes:
        ns.ip("route", "add", "blackhole", vtep + "/32")
    try:
        dropped = wait_time(lambda: nva2.sessions()[peer_name] != "Established", t0, 20,
                            interval=0.005)
        moved = wait_time(lambda: spoke_next_hops(lab, T.HUB2.vnet) == {other}, t0, 20)
        time.sleep(1.5)
        results = {p.what: p.result() for p in ps}
    finally:
        stop(ps)
        for ns, vtep in holes:
            ns.ip("route", "del", "blackhole", vtep + "/32", check=False)
    settle(lab, 90)
    fig = {"bfd": with_bfd, "link_down_to_nva2_session_down_s": dropped,
           "link_down_to_spokes_on_other_nva_s": moved, "configured_hold_s": 9,
           "negotiated_hold_s": hold, "pings": results, "flows_via": via}
    if bfd is not None:
        fig["bfd_session"] = bfd
    report(f"inter-hub-link-{victim}", fig)
    assert dropped is not None, fig
    if with_bfd:
        assert dropped < 2, fig          # 300 ms detection; loose bound for a loaded machine
    else:
        assert dropped > 3, fig          # the hold timer (9 s) is what ends it
    assert flowing(lab)
