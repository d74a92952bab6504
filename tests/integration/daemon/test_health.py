"""Health-tracked announcements and drain (issue 14) with real peers: gobgp (eBGP) and BIRD
(iBGP) see a tracked route withdrawn / prepended with communities when a command check starts
failing and back when it recovers; a peer whose exports track an interface check loses them
while the interface is down; `drain`/`undrain` (RFC 8326 GRACEFUL_SHUTDOWN, prepend toward
eBGP, LOCAL_PREF 0 toward iBGP); SIGTERM with shutdown.drain-seconds sends the drained routes
before Cease/Administrative Shutdown with the configured RFC 8203 message; a received
GRACEFUL_SHUTDOWN route gets LOCAL_PREF 0. Timings are printed (pytest -s), not asserted."""
from __future__ import annotations

import json
import re
import subprocess
import signal
import time

from nvbtest import wait_until
from nvbtest.peers import Frr, GoBgp, Neighbor
from nvd import Bird, Nvabgpd, gobgp_add, gobgp_attrs, gobgp_routes, link, peer

GSHUT = 0xFFFF0000
INTERVAL_MS = 100
FALL = 3
RISE = 2
METRICS_PORT = 9179


def _setup(lab, tmp_path, d_extra=None, gobgp_kw=None, checks=None):
    """gobgp (AS 65002, 10.0.1.2, eBGP) -- nvabgpd (AS 65001) -- BIRD (AS 65001, iBGP)."""
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    b_ns = link(lab, d_ns, "b", "10.0.2.1/24", "10.0.2.2/24")
    up = tmp_path / "fw-up"
    up.write_text("")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "health-checks": {
               "fw": {"command": f"test -e {up}", "interval": f"{INTERVAL_MS}ms",
                      "rise": RISE, "fall": FALL}, **(checks or {})},
           "originate": [
               {"prefix": "10.50.0.0/24", "track": "fw"},
               {"prefix": "10.51.0.0/24", "track": ["fw"],
                "on-failure": {"prepend": 2, "communities": ["65001:666"]}},
               {"prefix": "10.52.0.0/24"}],
           "peers": [peer("gobgp", "10.0.1.2", 65002, **(gobgp_kw or {})),
                     peer("bird", "10.0.2.2", 65001, **{"next-hop-self": True})]}
    cfg.update(d_extra or {})
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    b = Bird(b_ns, tmp_path, 65001, "10.0.2.2", [Neighbor("10.0.2.1", 65001)])
    b.extra["10.0.2.1"] = ["direct;"]  # iBGP on the shared link: next hops resolve directly
    b.start()
    wait_until(lambda: d.state("gobgp") == "Established" and d.state("bird") == "Established",
               40, what="both sessions")
    return d, d_ns, g, b, up


def _path(g, prefix):
    attrs = gobgp_attrs(gobgp_routes(g)[prefix])
    asns = attrs[2]["as_paths"][0]["asns"] if 2 in attrs else []
    comms = attrs[8]["communities"] if 8 in attrs else []
    return asns, comms


def _bird(b, prefix) -> str:
    return b.birdc("show", "route", "all", prefix)


def _log_time(d, pattern) -> float:
    """Wall-clock time (s) of the first daemon log line matching pattern."""
    for line in d.log().splitlines():
        if re.search(pattern, line):
            stamp = line[:23]  # 2026-12-03 13:14:02.630
            return time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + \
                float("0." + stamp[20:23])
    raise AssertionError(f"no log line matching {pattern}")


def _metric(ns, name, **labels) -> float | None:
    text = ns.out("curl", "-sS", "--max-time", "5", f"http://127.0.0.1:{METRICS_PORT}/metrics")
    want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return None


def test_command_check_withdraws_prepends_and_restores(lab, tmp_path):
    d, d_ns, g, b, up = _setup(lab, tmp_path, d_extra={
        "metrics": {"enabled": True, "listen": f"127.0.0.1:{METRICS_PORT}"}})
    wait_until(lambda: {"10.50.0.0/24", "10.51.0.0/24"} <= gobgp_routes(g).keys(), 20,
               what="tracked routes at gobgp")
    assert _path(g, "10.51.0.0/24") == ([65001], [])
    wait_until(lambda: "BGP.local_pref: 100" in _bird(b, "10.50.0.0/24"), 20,
               what="tracked route at BIRD")
    health = d.ctl_json("show", "health")
    fw = health["checks"][0]
    assert fw["name"] == "fw" and fw["kind"] == "command" and fw["status"] == "up"
    assert {t["originate"]: t["state"] for t in health["tracked"]} == {
        "10.50.0.0/24": "announced", "10.51.0.0/24": "announced"}
    text = d.ctl("show", "health").stdout
    assert re.search(r"^fw\s+command\s+up\s+test -e ", text, re.M), text
    assert "originate 10.50.0.0/24" in text and "announced" in text, text

    # The firewall "dies": the check fails from now on.
    t0 = time.time()
    up.unlink()
    seen = None
    deadline = t0 + 20
    while time.time() < deadline:
        if "10.50.0.0/24" not in gobgp_routes(g):
            seen = time.time()
            break
        time.sleep(0.01)
    assert seen is not None, "gobgp never saw the withdrawal"
    down = _log_time(d, r"health check fw: up -> down")
    decided = _log_time(d, r"originate 10\.50\.0\.0/24: originated route withdrawn")
    print(f"\nfailure -> check down: {1000 * (down - t0):.0f} ms, -> daemon withdraws: "
          f"{1000 * (decided - t0):.0f} ms, -> gobgp sees it: {1000 * (seen - t0):.0f} ms "
          f"(check down -> gobgp: {1000 * (seen - down):.0f} ms; fall {FALL} x interval "
          f"{INTERVAL_MS} ms = {FALL * INTERVAL_MS} ms)")
    wait_until(lambda: _path(g, "10.51.0.0/24") == ([65001, 65001, 65001], [(65001 << 16) | 666]),
               10, what="prepended route with the community at gobgp")
    # (BIRD, in our AS, drops the prepended route as an AS loop: prepending is for eBGP.)
    wait_until(lambda: "10.50.0.0/24" not in b.birdc("show", "route"), 10,
               what="withdrawn at BIRD")
    assert "10.52.0.0/24" in gobgp_routes(g)  # untracked: unaffected
    ex = d.ctl_json("explain", "10.50.0.0/24")
    assert "withdrawn because health check fw (down: exit status 1)" in ex["health"], ex
    assert "health: originated route withdrawn" in d.ctl("explain", "10.50.0.0/24").stdout
    health = d.ctl_json("show", "health")
    fw = health["checks"][0]
    assert fw["status"] == "down" and fw["last_detail"] == "exit status 1", fw
    assert [(h["from"], h["to"]) for h in fw["history"]] == [("init", "up"), ("up", "down")]
    assert {t["originate"]: t["state"] for t in health["tracked"]} == {
        "10.50.0.0/24": "withdrawn", "10.51.0.0/24": "degraded"}
    assert _metric(d_ns, "nvabgpd_health_check_up", check="fw") == 0
    assert _metric(d_ns, "nvabgpd_health_check_status", check="fw") == 2
    assert _metric(d_ns, "nvabgpd_health_check_transitions_total", check="fw") == 2
    assert _metric(d_ns, "nvabgpd_health_check_failures_total", check="fw") >= FALL

    # Recovery: back after `rise` successes.
    t1 = time.time()
    up.write_text("")
    wait_until(lambda: "10.50.0.0/24" in gobgp_routes(g), 20, interval=0.01,
               what="route back at gobgp")
    back = time.time()
    print(f"recovery -> gobgp has the route again: {1000 * (back - t1):.0f} ms "
          f"(rise {RISE} x interval {INTERVAL_MS} ms = {RISE * INTERVAL_MS} ms)")
    wait_until(lambda: _path(g, "10.51.0.0/24") == ([65001], []), 10, what="plain route again")
    assert d.ctl_json("show", "health")["checks"][0]["status"] == "up"
    assert _metric(d_ns, "nvabgpd_health_check_up", check="fw") == 1
    # No session was reset by any of it.
    assert d.protocols()["gobgp"]["state"] == "Established"


def test_peer_exports_track_an_interface_check(lab, tmp_path):
    # The interface does not exist yet: the check is down, nothing is exported to gobgp.
    d, d_ns, g, b, _ = _setup(lab, tmp_path, gobgp_kw={"track": "link"}, checks={
        "link": {"interface": "fwlink0", "interval": "100ms", "rise": 1, "fall": 1}})
    wait_until(lambda: "BGP.as_path" in _bird(b, "10.52.0.0/24"), 20, what="route at BIRD")
    why = d.ctl_json("explain", "10.52.0.0/24", "to", "gobgp")["export"]
    assert not why["exported"] and "health check" in why["why"], why
    assert why["route_control"] == "withdraw: health check link (down: no such interface)", why
    assert not gobgp_routes(g)
    # A veth pair inside the namespace: fwlink0 has carrier only while fwlink1 is up too.
    d_ns.ip("link", "add", "fwlink0", "type", "veth", "peer", "name", "fwlink1")
    d_ns.ip("link", "set", "fwlink0", "up")
    d_ns.ip("link", "set", "fwlink1", "up")
    wait_until(lambda: {"10.50.0.0/24", "10.52.0.0/24"} <= gobgp_routes(g).keys(), 20,
               what="routes at gobgp once the interface is up")
    d_ns.ip("link", "set", "fwlink1", "down")  # fwlink0 stays admin up, loses its carrier
    wait_until(lambda: not gobgp_routes(g), 10, what="every export to gobgp withdrawn")
    assert "BGP.as_path" in _bird(b, "10.52.0.0/24")  # BIRD's exports do not track it
    why = d.ctl_json("explain", "10.52.0.0/24", "to", "gobgp")["export"]
    assert not why["exported"], why
    assert why["route_control"] == "withdraw: health check link (down: no carrier " \
        "(operationally down))", why
    assert "changed by: withdraw: health check link" in \
        d.ctl("explain", "10.52.0.0/24", "to", "gobgp").stdout
    health = d.ctl_json("show", "health")
    assert {c["name"]: c["status"] for c in health["checks"]} == {"fw": "up", "link": "down"}
    assert {"peer": "gobgp", "checks": ["link"], "on_failure": "withdraw", "state": "withdrawn"} \
        .items() <= [t for t in health["tracked"] if t.get("peer") == "gobgp"][0].items()
    d_ns.ip("link", "set", "fwlink1", "up")
    wait_until(lambda: {"10.50.0.0/24", "10.52.0.0/24"} <= gobgp_routes(g).keys(), 10,
               what="exports back")
    # Reload with changed check settings: no session is reset, the changed check restarts.
    flaps = {n: (p["flaps"], p["since"]) for n, p in d.protocols().items()}
    cfg = dict(d.config)
    cfg["health-checks"] = dict(cfg["health-checks"], link={"interface": "fwlink0",
                                                            "interval": "200ms", "fall": 2})
    d.write_config(cfg)
    r = d.ctl_json("reload")
    assert r["applied"], r
    assert "health checks changed" in r["plan"], r
    assert all(p["action"] == "keep" for p in r["peers"]), r
    wait_until(lambda: [c for c in d.ctl_json("show", "health")["checks"]
                        if c["name"] == "link"][0]["interval_ms"] == 200, 10, what="new check")
    assert d.protocols()["gobgp"]["state"] == "Established"
    assert d.protocols()["bird"]["state"] == "Established"
    assert {n: (p["flaps"], p["since"]) for n, p in d.protocols().items()} == flaps


def test_drain_and_undrain(lab, tmp_path):
    d, _, g, b, _ = _setup(lab, tmp_path)
    wait_until(lambda: "10.52.0.0/24" in gobgp_routes(g), 20, what="route at gobgp")
    wait_until(lambda: "BGP.local_pref: 100" in _bird(b, "10.52.0.0/24"), 20, what="at BIRD")
    # Drain only gobgp first: BIRD unchanged.
    r = d.ctl_json("drain", "gobgp")
    assert r["changed"] == ["gobgp"] and r["drained"] == ["gobgp"]
    wait_until(lambda: _path(g, "10.52.0.0/24") == ([65001, 65001], [GSHUT]), 10,
               what="GRACEFUL_SHUTDOWN and one prepend at gobgp")
    assert "BGP.local_pref: 100" in _bird(b, "10.52.0.0/24")
    ex = d.ctl_json("explain", "10.52.0.0/24", "to", "gobgp")["export"]
    assert "drained" in ex["route_control"], ex
    # Then every peer: BIRD (iBGP) gets LOCAL_PREF 0 and the community, no prepend.
    d.ctl("drain")
    wait_until(lambda: "BGP.local_pref: 0" in _bird(b, "10.52.0.0/24"), 10,
               what="LOCAL_PREF 0 at BIRD")
    text = _bird(b, "10.52.0.0/24")
    assert "(65535,0)" in text and not re.search(r"BGP.as_path: \d", text), text
    assert "Drained peers (RFC 8326): bird, gobgp" in d.ctl("show", "health").stdout
    assert d.ctl("drain", "nosuchpeer", check=False).returncode == 1
    d.ctl("undrain")
    wait_until(lambda: _path(g, "10.52.0.0/24") == ([65001], []), 10, what="plain at gobgp")
    wait_until(lambda: "BGP.local_pref: 100" in _bird(b, "10.52.0.0/24"), 10,
               what="LOCAL_PREF 100 at BIRD")
    assert "(65535,0)" not in _bird(b, "10.52.0.0/24")
    assert d.protocols()["gobgp"]["state"] == "Established"


def test_received_graceful_shutdown_gets_local_pref_0(lab, tmp_path):
    d, _, g, b, _ = _setup(lab, tmp_path)
    gobgp_add(g, "10.60.0.0/24", "community", "65535:0")
    gobgp_add(g, "10.61.0.0/24")
    wait_until(lambda: {"10.60.0.0/24", "10.61.0.0/24"} <= d.routes().keys(), 20,
               what="gobgp's routes at nvabgpd")
    assert d.routes("10.60.0.0/24")["10.60.0.0/24"][0]["attributes"]["local_pref"] == 0
    # Toward iBGP the lowered preference is what BIRD sees.
    wait_until(lambda: "BGP.local_pref: 0" in _bird(b, "10.60.0.0/24"), 20, what="at BIRD")
    wait_until(lambda: "BGP.local_pref: 100" in _bird(b, "10.61.0.0/24"), 20, what="at BIRD")
    # A reload that changes gobgp's import filter re-imports (ROUTE-REFRESH) through the new
    # filter: the GRACEFUL_SHUTDOWN route still gets LOCAL_PREF 0, the other is tagged by it.
    cfg = dict(d.config)
    cfg["peers"] = [dict(p, **({"import": "IN"} if p["name"] == "gobgp" else {}))
                    for p in cfg["peers"]]
    d.write_config(cfg, filters={"in.conf": "filter IN {\n  bgp_community.add((65002, 9));"
                                            "\n  accept;\n}\n"})
    r = d.ctl_json("reload")
    assert r["applied"], r
    wait_until(lambda: all("65002:9" in d.routes(p)[p][0]["attributes"].get("communities", [])
                           for p in ("10.60.0.0/24", "10.61.0.0/24")), 20,
               what="routes re-imported through the new filter")
    assert d.routes("10.60.0.0/24")["10.60.0.0/24"][0]["attributes"]["local_pref"] == 0
    # the other keeps the default LOCAL_PREF an eBGP route gets before the import filter
    assert d.routes("10.61.0.0/24")["10.61.0.0/24"][0]["attributes"]["local_pref"] == 100


def test_sigterm_drains_before_cease(lab, tmp_path):
    d, _, g, b, _ = _setup(lab, tmp_path, d_extra={
        "shutdown": {"drain-seconds": 3, "message": "maintenance: moving to the peer NVA"}})
    wait_until(lambda: "10.52.0.0/24" in gobgp_routes(g), 20, what="route at gobgp")
    wait_until(lambda: "BGP.local_pref: 100" in _bird(b, "10.52.0.0/24"), 20, what="at BIRD")
    t0 = time.time()
    d.proc.signal(signal.SIGTERM)
    wait_until(lambda: _path(g, "10.52.0.0/24") == ([65001, 65001], [GSHUT]), 5,
               interval=0.02, what="drained route at gobgp during the drain")
    drained_at = time.time()
    wait_until(lambda: "BGP.local_pref: 0" in _bird(b, "10.52.0.0/24"), 5, interval=0.02,
               what="drained route at BIRD during the drain")
    assert d.alive() and g.state("10.0.1.1") == "established"
    wait_until(lambda: not d.alive(), 15, what="daemon exit after the drain")
    closed = time.time()
    wait_until(lambda: 'Received: Administrative shutdown: "maintenance: moving to the peer NVA"'
               in b.log(), 10, what="BIRD got Cease/Administrative Shutdown with the message")
    print(f"\nSIGTERM -> drained route at gobgp: {1000 * (drained_at - t0):.0f} ms; "
          f"-> daemon gone: {1000 * (closed - t0):.0f} ms (drain-seconds 3)")
    assert "shutting down after a 3 s drain" in d.log()


def test_http_and_tcp_checks(lab, tmp_path):
    """The firewall's own health endpoint: an HTTP server in the namespace answers 200 while
    its health file exists, 404 otherwise; a tcp check follows whether it listens at all."""
    d_ns = lab.ns("d")
    www = tmp_path / "www"
    www.mkdir()
    (www / "healthz").write_text("ok\n")
    server = d_ns.popen(["/usr/bin/python3", "-m", "http.server", "8008", "--bind", "127.0.0.1",
                         "--directory", str(www)], log_path=str(tmp_path / "http.log"))
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "listen": [],
           "health-checks": {
               "web": {"http": {"address": "127.0.0.1", "port": 8008, "path": "/healthz"},
                       "interval": "100ms", "rise": 1, "fall": 2},
               "port": {"tcp": {"address": "127.0.0.1", "port": 8008}, "interval": "100ms",
                        "rise": 1, "fall": 1}},
           "originate": [{"prefix": "10.70.0.0/24", "track": ["web"]},
                         {"prefix": "10.71.0.0/24", "track": "port",
                          "on-failure": {"communities": ["65001:13"]}}]}
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    wait_until(d.ready, 20, what="daemon")

    def status():
        return {c["name"]: (c["status"], c.get("last_detail")) for c in
                d.ctl_json("show", "health")["checks"]}

    wait_until(lambda: status() == {"web": ("up", "HTTP 200"), "port": ("up", "connected")},
               20, what="both checks up")
    wait_until(lambda: "10.70.0.0/24" in d.routes(), 10, what="tracked route originated")
    (www / "healthz").unlink()
    wait_until(lambda: status()["web"] == ("down", "HTTP 404 (expected 200)"), 10,
               what="http check down on 404")
    wait_until(lambda: "10.70.0.0/24" not in d.routes(), 10, what="route withdrawn")
    assert status()["port"][0] == "up"
    server.stop()
    wait_until(lambda: status()["port"] == ("down", "Connection refused"), 10,
               what="tcp check down")
    wait_until(lambda: d.routes("10.71.0.0/24")["10.71.0.0/24"][0]["attributes"]
               .get("communities") == ["65001:13"], 10, what="community added")
    text = d.ctl("show", "health").stdout
    assert re.search(r"^web\s+http\s+down\s+http://127\.0\.0\.1:8008/healthz -> 200", text,
                     re.M), text


def test_command_timeout_kills_and_route_check(lab, tmp_path):
    """A command check that hangs is killed at its timeout (with everything it started), never
    piling up; a route check follows a kernel route in a table of the namespace."""
    d_ns = lab.ns("d")
    marker = "sleep 7.4321"  # unique: counted in the namespace's process list
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "listen": [],
           "health-checks": {
               "hang": {"command": f"{marker}; true", "interval": "300ms", "timeout": "100ms",
                        "fall": 1},
               "rt": {"route": {"prefix": "192.0.2.0/24", "table": 100}, "interval": "100ms",
                      "rise": 1, "fall": 1}},
           "originate": [{"prefix": "10.80.0.0/24", "track": "rt"}]}
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    wait_until(d.ready, 20, what="daemon")

    def check(name):
        return [c for c in d.ctl_json("show", "health")["checks"] if c["name"] == name][0]

    wait_until(lambda: check("hang")["probes"] >= 4, 10, what="four timed-out probes")
    hang = check("hang")
    assert hang["status"] == "down" and hang["failures"] == hang["probes"], hang
    assert hang["last_detail"] == "timed out after 100 ms (killed)", hang
    # Killed each time: at most the probe in progress is alive, never one per interval.
    running = subprocess.run(["pgrep", "-c", "-f", marker], capture_output=True, text=True)
    assert int(running.stdout.strip() or 0) <= 1, running.stdout

    assert check("rt")["status"] == "down"
    assert check("rt")["last_detail"] == "no route 192.0.2.0/24 in table 100"
    d_ns.ip("route", "add", "192.0.2.0/24", "dev", "lo", "table", "100")
    wait_until(lambda: "10.80.0.0/24" in d.routes(), 10, what="route check up, route originated")
    d_ns.ip("route", "del", "192.0.2.0/24", "dev", "lo", "table", "100")
    wait_until(lambda: "10.80.0.0/24" not in d.routes(), 10, what="withdrawn again")
    d.stop()
    wait_until(lambda: subprocess.run(["pgrep", "-f", marker]).returncode == 1, 5,
               what="no probe left behind after the daemon stopped")


def test_frr_sees_peer_prepend_and_drain(lab, tmp_path):
    """FRR (eBGP): exports tracking a failing check are re-sent prepended (the session stays);
    a drain adds GRACEFUL_SHUTDOWN and one more prepend on top; both undo."""
    d_ns = lab.ns("d")
    f_ns = link(lab, d_ns, "f", "10.0.3.1/24", "10.0.3.2/24")
    up = tmp_path / "fw-up"
    up.write_text("")
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "originate": [{"prefix": "10.90.0.0/24"}],
           "health-checks": {"fw": {"command": f"test -e {up}", "interval": "100ms",
                                    "rise": 1, "fall": 1}},
           "peers": [peer("frr", "10.0.3.2", 65004, track="fw",
                          **{"on-failure": {"prepend": 2}})]}
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    f = Frr(f_ns, tmp_path, 65004, "10.0.3.2", [Neighbor("10.0.3.1", 65001)]).start()
    wait_until(lambda: d.state("frr") == "Established", 40, what="session with FRR")

    def frr_path():
        data = json.loads(f.vtysh("show bgp ipv4 unicast 10.90.0.0/24 json"))
        p = data["paths"][0]
        return (p["aspath"]["string"], p.get("community", {}).get("string", ""),
                p.get("locPrf", p.get("localpref")))

    wait_until(lambda: frr_path()[:2] == ("65001", ""), 20, what="plain route at FRR")
    up.unlink()
    wait_until(lambda: frr_path()[:2] == ("65001 65001 65001", ""), 10,
               what="prepended twice while the check fails")
    d.ctl("drain", "frr")
    wait_until(lambda: frr_path()[0] == "65001 65001 65001 65001", 10, what="drain on top")
    aspath, community, local_pref = frr_path()
    assert community in ("graceful-shutdown", "65535:0"), community
    print(f"\nFRR (no graceful-shutdown config) keeps local preference {local_pref} for a "
          f"received {community} route")
    up.write_text("")
    d.ctl("undrain", "frr")
    wait_until(lambda: frr_path()[:2] == ("65001", ""), 10, what="plain again")
    assert d.protocols()["frr"]["flaps"] == 0
