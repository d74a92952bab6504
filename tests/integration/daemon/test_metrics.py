"""Prometheus metrics of a running nvabgpd (issue 7): per-peer state, prefixes, messages and
flaps, the Loc-RIB size and the FIB metrics, scraped from /metrics inside the test namespace
while a real gobgpd feeds routes and the daemon programs the namespace's kernel table."""
import copy
import re

from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, gobgp_routes, link, peer

PORT = 9179
IN = "filter IN {\n  if net ~ [ 10.99.0.0/16+ ] then reject;\n  accept;\n}\n"
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def scrape(ns) -> dict:
    """{(name, ((label, value), ...)): float} from GET /metrics inside the namespace."""
    text = ns.out("curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{PORT}/metrics")
    out = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m and not line.startswith("#"):
            labels = tuple(sorted(LABEL.findall(m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(ns, name, **labels):
    return scrape(ns).get((name, tuple(sorted(labels.items()))))


def kernel_routes(ns) -> set:
    text = ns.out("ip", "-4", "route", "show", "proto", "186")
    return {ln.split()[0] for ln in text.splitlines()}


def _setup(lab, tmp_path):
    """gobgp (AS 65002, 10.0.1.2) -- nvabgpd (AS 65001), kernel FIB and metrics on."""
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "kernel": {"enabled": True},
           "metrics": {"enabled": True, "listen": f"127.0.0.1:{PORT}"},
           "originate": [{"prefix": "10.77.0.0/24"}],
           "peers": [peer("gobgp", "10.0.1.2", 65002, **{"import": "IN"})]}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters={"in.conf": IN}).start(kernel=True)
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    wait_until(lambda: d.state("gobgp") == "Established", 40, what="session")
    return d, d_ns, g, cfg


def test_peer_rib_and_fib_metrics(lab, tmp_path):
    d, ns, g, _ = _setup(lab, tmp_path)
    wait_until(lambda: metric(ns, "nvabgpd_peer_state", peer="gobgp") == 6, 20,
               what="peer state 6 (established) in the metrics")
    assert metric(ns, "nvabgpd_peer_up", peer="gobgp") == 1
    assert metric(ns, "nvabgpd_peer_flaps_total", peer="gobgp") == 0
    assert metric(ns, "nvabgpd_fib_install_errors_total") == 0
    fib_batches = metric(ns, "nvabgpd_fib_install_latency_seconds_count")
    msgs_in = metric(ns, "nvabgpd_peer_messages_total", peer="gobgp", direction="in")
    assert msgs_in > 0 and metric(ns, "nvabgpd_peer_messages_total", peer="gobgp",
                                  direction="out") > 0

    # Three routes accepted and one rejected by the import filter.
    for p in ("10.20.1.0/24", "10.20.2.0/24", "10.20.3.0/24", "10.99.1.0/24"):
        gobgp_add(g, p)
    wanted = {"10.20.1.0/24", "10.20.2.0/24", "10.20.3.0/24"}
    wait_until(lambda: wanted <= kernel_routes(ns), 30, what="routes in the namespace's FIB")
    assert "10.99.1.0/24" not in kernel_routes(ns)
    # The FIB worker's acknowledged batches feed the latency histogram.
    wait_until(lambda: metric(ns, "nvabgpd_fib_install_latency_seconds_count") > fib_batches, 20,
               what="FIB install latency observed")
    assert metric(ns, "nvabgpd_fib_install_latency_seconds_sum") > 0
    assert metric(ns, "nvabgpd_fib_install_latency_seconds_bucket", le="+Inf") == \
        metric(ns, "nvabgpd_fib_install_latency_seconds_count")
    assert metric(ns, "nvabgpd_fib_install_errors_total") == 0

    wait_until(lambda: metric(ns, "nvabgpd_peer_prefixes", peer="gobgp", kind="received") == 4,
               20, what="4 prefixes received")
    assert metric(ns, "nvabgpd_peer_prefixes", peer="gobgp", kind="accepted") == 3
    loc_rib = d.routes()
    assert len(loc_rib) == 4  # 3 from gobgp + the originated one
    wait_until(lambda: metric(ns, "nvabgpd_loc_rib_prefixes") == len(loc_rib), 20,
               what="Loc-RIB size")
    # advertised: what gobgp holds from us
    from_us = gobgp_routes(g, "neighbor", "10.0.1.1", "adj-in")
    assert "10.77.0.0/24" in from_us
    wait_until(lambda: metric(ns, "nvabgpd_peer_prefixes", peer="gobgp", kind="advertised")
               == len(from_us), 20, what="advertised prefixes")
    assert metric(ns, "nvabgpd_peer_messages_total", peer="gobgp", direction="in") > msgs_in

    # A flap: the session is reset and comes back; the counter goes up and the prefix
    # gauges describe the new session only.
    d.ctl("restart", "gobgp")  # the session goes down (Cease) and comes back
    wait_until(lambda: metric(ns, "nvabgpd_peer_flaps_total", peer="gobgp") == 1, 40,
               what="flap counted")
    wait_until(lambda: metric(ns, "nvabgpd_peer_state", peer="gobgp") == 6, 40,
               what="established again")
    wait_until(lambda: metric(ns, "nvabgpd_peer_prefixes", peer="gobgp", kind="accepted") == 3,
               20, what="routes back")
    wait_until(lambda: metric(ns, "nvabgpd_peer_prefixes", peer="gobgp", kind="received") == 4,
               20, what="received gauge back to 4, not 8")
    assert d.protocols()["gobgp"]["flaps"] == 1


def test_restart_by_reload_keeps_cumulative_totals(lab, tmp_path):
    d, ns, g, cfg = _setup(lab, tmp_path)
    gobgp_add(g, "10.20.1.0/24")
    wait_until(lambda: d.protocols()["gobgp"]["routes"]["accepted"] == 1, 20, what="a route")
    d.ctl("restart", "gobgp")  # the session goes down (Cease) and comes back
    wait_until(lambda: d.protocols()["gobgp"]["flaps"] == 1
               and d.state("gobgp") == "Established", 40, what="one flap")
    wait_until(lambda: metric(ns, "nvabgpd_peer_flaps_total", peer="gobgp") == 1, 20,
               what="flap in the metrics")
    before = d.protocols()["gobgp"]
    msgs_before = {k: metric(ns, "nvabgpd_peer_messages_total", peer="gobgp", direction=k)
                   for k in ("in", "out")}

    # A hold time change restarts the session (a new session slot in the daemon).
    cfg2 = copy.deepcopy(cfg)
    cfg2["peers"][0]["hold-time"] = 6
    d.write_config(cfg2, {"in.conf": IN})
    r = d.ctl("reload", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    wait_until(lambda: d.protocols()["gobgp"].get("session", {}).get("hold_time") == 6, 40,
               what="restarted with hold time 6")
    after = d.protocols()["gobgp"]
    # The restart took the session down and up once more: one more flap, not a reset to 0.
    assert after["flaps"] == before["flaps"] + 1, (before, after)
    for k, v in before["messages"].items():
        assert after["messages"][k] >= v, (k, before["messages"], after["messages"])
    assert after["messages"]["opens_in"] == before["messages"]["opens_in"] + 1
    for k in ("received", "withdrawn", "filtered"):
        assert after["routes"][k] >= before["routes"][k], (k, before["routes"], after["routes"])
    wait_until(lambda: metric(ns, "nvabgpd_peer_flaps_total", peer="gobgp") == after["flaps"],
               20, what="flaps in the metrics")
    for k, v in msgs_before.items():
        assert metric(ns, "nvabgpd_peer_messages_total", peer="gobgp", direction=k) >= v
