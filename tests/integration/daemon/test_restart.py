"""Restart without losing a packet (issue 13): kernel routes adopted at start stay until every
peer has re-sent its routes (End-of-RIB), our graceful restart (Restart State + Forwarding State
bits, routes and End-of-RIB deferred until convergence) toward FRR, and SIGTERM with and without
kernel.persist."""
import json
import subprocess

import pytest

from nvbtest import wait_until
from nvbtest.peers import Bird, Frr, GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_routes, link, peer

ROUTE = "10.70.0.0/24"


class FrrSpeaker(Frr):
    """FRR (graceful restart helper by default) originating `networks` without zebra."""

    def __init__(self, *a, networks=(), **kw):
        super().__init__(*a, **kw)
        self.networks = list(networks)

    def config(self) -> str:
        text = super().config()
        # FRR's default graceful restart mode is helper: it keeps a restarting peer's routes.
        text = text.replace(" no bgp default ipv4-unicast",
                            " no bgp default ipv4-unicast\n no bgp network import-check")
        nets = "".join(f"  network {n}\n" for n in self.networks)
        return text.replace(" address-family ipv4 unicast\n", " address-family ipv4 unicast\n" + nets)

    def routes(self) -> dict:
        return json.loads(self.vtysh("show bgp ipv4 unicast json")).get("routes", {})

    def stale(self, prefix) -> bool:
        return any(p.get("stale") for p in self.routes().get(prefix, []))


def kernel_routes(ns) -> set:
    out = ns.out("ip", "-4", "route", "show", "proto", "186")
    return {line.split()[0] for line in out.splitlines() if line.strip()}


class RouteMonitor:
    """`ip monitor route` in a namespace: every change the kernel reports, as text lines."""

    def __init__(self, ns, path):
        self.path = path
        self.f = open(path, "wb")
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns.name, "ip", "-4", "monitor",
                                      "route"], stdout=self.f, stderr=subprocess.STDOUT)

    def lines(self) -> list:
        return self.path.read_text(errors="replace").splitlines()

    def deleted(self, prefix) -> list:
        return [l for l in self.lines() if l.startswith("Deleted") and f" {prefix} " in f" {l} "]

    def close(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.f.close()


def gr_config(persist=True, **kernel):
    k = {"persist": persist, "table": "main", "protocol": 186}
    k.update(kernel)
    return {"router-id": "10.0.0.1", "asn": 65001, "kernel": k,
            "originate": [{"prefix": "10.90.0.0/24"}],
            "peers": [peer("frr", "10.0.1.2", 65002, **{"graceful-restart": True})]}


def start_pair(lab, tmp_path, config):
    d_ns = lab.ns("d")
    f_ns = link(lab, d_ns, "f", "10.0.1.1/24", "10.0.1.2/24")
    f = FrrSpeaker(f_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                   networks=[ROUTE]).start()
    d = Nvabgpd(d_ns, tmp_path, config)
    d.start(kernel=True)
    wait_until(lambda: ROUTE in kernel_routes(d_ns), 40, what="FRR's route in the kernel")
    wait_until(lambda: "10.90.0.0/24" in f.routes(), 20, what="our route at FRR")
    return d_ns, d, f


def test_restart_keeps_adopted_routes_until_end_of_rib(lab, tmp_path):
    """FRR sends its UPDATE about a second after the session comes up (its coalesce timer):
    the adopted route must not be deleted in between, after SIGTERM (persist) or SIGKILL."""
    d_ns, d, f = start_pair(lab, tmp_path, gr_config())
    for how in ("SIGTERM", "SIGKILL"):
        if how == "SIGTERM":
            d.stop()
            log = d.log()
            assert "kernel routes stay" in log and "left without NOTIFICATION" in log, log
        else:
            d.proc.kill()
        assert ROUTE in kernel_routes(d_ns)
        mon = RouteMonitor(d_ns, tmp_path / f"monitor-{how}.txt")
        try:
            d.start(kernel=True)
            wait_until(lambda: d.ctl_json("show", "status")["converged"], 40, what="convergence")
        finally:
            mon.close()
        assert not mon.deleted(ROUTE), (how, mon.lines(), d.log())
        assert ROUTE in kernel_routes(d_ns)
        wait_until(lambda: "10.90.0.0/24" in f.routes() and not f.stale("10.90.0.0/24"), 20,
                   what="our route fresh at FRR")
        assert f.neighbor("10.0.1.1")["gracefulRestartInfo"]["endOfRibRecv"]["ipv4Unicast"]


def test_restarting_speaker_defers_routes_and_sweeps_after_convergence(lab, tmp_path):
    """A configured peer that never comes up holds convergence for peer-up-wait: meanwhile the
    adopted routes stay (also one nobody re-learns), FRR keeps our route as stale (our OPEN
    carried the Restart State and Forwarding State bits, our End-of-RIB is not sent yet) and
    `show status` says what is awaited. Then the route nobody re-learned is removed."""
    cfg = gr_config(convergence={"peer-up-wait": 6, "end-of-rib-wait": 30})
    cfg["peers"].append(peer("absent", "10.0.3.9", 65009))
    d_ns, d, f = start_pair(lab, tmp_path, cfg)
    d.stop()
    d_ns.ip("route", "add", "10.71.0.0/24", "via", "10.0.1.2", "proto", "186", "metric", "32")
    d.start(kernel=True)
    wait_until(lambda: d.state("frr") == "Established", 20, what="frr back")
    wait_until(lambda: f.neighbor("10.0.1.1").get("bgpState") == "Established", 20)
    status = d.ctl_json("show", "status")
    assert not status["converged"], status
    c = status["convergence"]
    assert c["restarting"] and c["adopted_routes"] == 2 and c["exports_deferred"], c
    (absent,) = [w for w in c["waiting"] if w["for"] == "established"]
    assert absent["peer"] == "absent" and 0 < absent["seconds_left"] <= 6, c
    text = d.ctl("show", "status").stdout
    assert "waiting for absent to be established" in text, text
    gr = f.neighbor("10.0.1.1")["gracefulRestartInfo"]
    assert gr["rBit"] and gr["ipv4Unicast"]["fBit"], gr
    assert f.stale("10.90.0.0/24"), f.routes()              # kept by the helper, not refreshed
    assert not gr["endOfRibRecv"].get("ipv4Unicast"), gr   # our End-of-RIB is deferred
    assert {ROUTE, "10.71.0.0/24"} <= kernel_routes(d_ns)
    wait_until(lambda: d.ctl_json("show", "status")["converged"], 20, what="convergence")
    wait_until(lambda: "10.71.0.0/24" not in kernel_routes(d_ns), 10, what="unlearned swept")
    assert ROUTE in kernel_routes(d_ns)
    wait_until(lambda: not f.stale("10.90.0.0/24"), 10, what="our route refreshed at FRR")
    assert f.neighbor("10.0.1.1")["gracefulRestartInfo"]["endOfRibRecv"]["ipv4Unicast"]
    # The restart is over: a later OPEN carries no Restart State bit.
    n = f.neighbor("10.0.1.1")["connectionsEstablished"]
    f.vtysh("clear bgp ipv4 unicast 10.0.1.1")
    wait_until(lambda: f.neighbor("10.0.1.1")["connectionsEstablished"] > n
               and f.neighbor("10.0.1.1")["bgpState"] == "Established", 30, what="re-established")
    assert not f.neighbor("10.0.1.1")["gracefulRestartInfo"]["rBit"]


def test_sigterm_without_persist_withdraws(lab, tmp_path):
    d_ns, d, f = start_pair(lab, tmp_path, gr_config(persist=False))
    d.stop()
    assert "without kernel.persist" in d.log() and "kernel routes removed" in d.log(), d.log()
    assert ROUTE not in kernel_routes(d_ns)
    wait_until(lambda: "10.90.0.0/24" not in f.routes(), 10, what="FRR drops our route")
    err = f.last_error("10.0.1.1")
    assert "Administratively Shutdown" in err or "Administrative Shutdown" in err, err


class GoBgpHelper(GoBgp):
    """GoBGP with graceful restart (helper) for IPv4 unicast on its one neighbour."""

    def config(self) -> str:
        return super().config() + ("    [neighbors.afi-safis.mp-graceful-restart.config]\n"
                                   "      enabled = true\n"
                                   "  [neighbors.graceful-restart.config]\n"
                                   "    enabled = true\n    restart-time = 30\n")


def helper_routes(kind, p) -> set:
    if kind == "gobgp":
        return set(gobgp_routes(p))
    out = p.birdc("show", "route")
    return {line.split()[0] for line in out.splitlines() if line[:1].isdigit()}


@pytest.mark.parametrize("kind", ["bird", "gobgp"])
def test_helper_keeps_our_routes_until_our_end_of_rib(lab, tmp_path, kind):
    """BIRD 2 and GoBGP as graceful restart helpers of our restart: they keep every route we
    sent while we are away and while we defer (a configured peer that never comes up holds
    our convergence for peer-up-wait), and remove the one we no longer originate only after
    our End-of-RIB."""
    d_ns = lab.ns("d")
    p_ns = link(lab, d_ns, "p", "10.0.1.1/24", "10.0.1.2/24")
    if kind == "bird":
        p = Bird(p_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)])
        p.extra["10.0.1.1"] = ["graceful restart aware;"]
    else:
        p = GoBgpHelper(p_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)])
    p.start()
    cfg = gr_config()
    cfg["peers"] = [peer("p", "10.0.1.2", 65002, **{"graceful-restart": True})]
    cfg["originate"] = [{"prefix": "10.90.0.0/24"}, {"prefix": "10.91.0.0/24"}]
    d = Nvabgpd(d_ns, tmp_path, cfg)
    d.start(kernel=True)
    both = {"10.90.0.0/24", "10.91.0.0/24"}
    wait_until(lambda: both <= helper_routes(kind, p), 40, what=f"our routes at {kind}")
    assert d.protocols()["p"]["session"]["graceful_restart"]
    d.stop()  # persist: no NOTIFICATION to a graceful restart peer
    # Forwarding state kept across the restart: one of our routes is left in the kernel.
    d_ns.ip("route", "add", "10.71.0.0/24", "via", "10.0.1.2", "proto", "186", "metric", "32")
    cfg["originate"] = [{"prefix": "10.90.0.0/24"}]
    cfg["kernel"]["convergence"] = {"peer-up-wait": 6}
    cfg["peers"].append(peer("absent", "10.0.3.9", 65009))
    d.write_config(cfg)
    d.start(kernel=True)
    wait_until(lambda: d.state("p") == "Established", 30, what=f"{kind} back")
    assert both <= helper_routes(kind, p)       # kept while we restart
    status = d.ctl_json("show", "status")
    assert not status["converged"] and status["convergence"]["exports_deferred"], status
    assert both <= helper_routes(kind, p)       # and while we defer: no End-of-RIB yet
    wait_until(lambda: d.ctl_json("show", "status")["converged"], 20, what="our convergence")
    wait_until(lambda: "10.91.0.0/24" not in helper_routes(kind, p), 20,
               what=f"{kind} sweeps what we no longer send, after our End-of-RIB")
    assert "10.90.0.0/24" in helper_routes(kind, p)
