"""Reload (nvabgpctl reload and SIGHUP): which sessions stay up, which routes change (issue 7).

One daemon, three gobgpd peers; each step changes one kind of thing and checks session identity
(flaps and 'since' in show protocols, plus the peer's own view) and the routes a real peer holds.
"""
import copy

from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, gobgp_routes, link, peer

OUT_V1 = "filter OUT {\n  if net ~ [ 10.66.0.0/16+ ] then reject;\n  accept;\n}\n"
OUT_V2 = "filter OUT {\n  if net ~ [ 10.55.0.0/16+ ] then reject;\n  accept;\n}\n"


def identity(d):
    return {n: (p["state"], p["flaps"], p["since"]) for n, p in d.protocols().items()}


def _setup(lab, tmp_path):
    d_ns = lab.ns("d")
    ns = {t: link(lab, d_ns, t, f"10.0.{i}.1/24", f"10.0.{i}.2/24")
          for i, t in ((1, "a"), (2, "b"), (3, "c"))}
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("a", "10.0.1.2", 65002), peer("b", "10.0.2.2", 65003, export="OUT")]}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters={"out.conf": OUT_V1}).start()
    gb = {t: GoBgp(ns[t], tmp_path, 65002 + i, f"10.0.{i + 1}.2",
                   [Neighbor(f"10.0.{i + 1}.1", 65001)]).start()
          for i, t in enumerate("abc")}
    wait_until(lambda: d.state("a") == "Established" and d.state("b") == "Established", 40)
    gobgp_add(gb["a"], "10.55.1.0/24")
    gobgp_add(gb["a"], "10.66.1.0/24")
    wait_until(lambda: "10.55.1.0/24" in gobgp_routes(gb["b"]), 20)
    assert "10.66.1.0/24" not in gobgp_routes(gb["b"])
    return d, gb, cfg


def test_reload_filter_change_withdraws_newly_rejected_route(lab, tmp_path):
    d, gb, cfg = _setup(lab, tmp_path)
    before = identity(d)
    d.write_config(cfg, {"out.conf": OUT_V2})
    assert d.ctl("reload", check=False).returncode == 0
    wait_until(lambda: "10.66.1.0/24" in gobgp_routes(gb["b"]), 20, what="10.66 now exported")
    wait_until(lambda: "10.55.1.0/24" not in gobgp_routes(gb["b"]), 10, what="10.55 withdrawn")
    assert identity(d) == before  # no session was reset for it


def test_reload_each_kind_of_change(lab, tmp_path):
    d, gb, cfg = _setup(lab, tmp_path)
    before = identity(d)

    def reload_with(new_cfg, filters=None, hup=False):
        d.write_config(new_cfg, filters or {"out.conf": OUT_V1})
        if hup:
            d.hup()
            return None
        r = d.ctl("reload", check=False)
        assert r.returncode == 0, r.stdout + r.stderr
        return r

    # 1. filter text changed: routes at b change, no session restarts
    reload_with(cfg, {"out.conf": OUT_V2})
    wait_until(lambda: "10.66.1.0/24" in gobgp_routes(gb["b"]), 20, what="10.66 now exported")
    assert identity(d) == before
    # 2. description changed: updated in place
    cfg2 = copy.deepcopy(cfg)
    cfg2["peers"][1]["description"] = "peer b, described"
    reload_with(cfg2, {"out.conf": OUT_V2})
    assert d.protocols()["b"]["description"] == "peer b, described"
    assert identity(d) == before
    # 3. hold time changed on b: only b restarts, with the new hold time
    cfg3 = copy.deepcopy(cfg2)
    cfg3["peers"][1]["hold-time"] = 6
    reload_with(cfg3, {"out.conf": OUT_V2})
    # the hold time is negotiated in the OPEN: 6 s proves a new session
    wait_until(lambda: d.protocols()["b"].get("session", {}).get("hold_time") == 6, 30,
               what="b restarted with hold 6")
    assert gb["b"].established("10.0.2.1")
    assert identity(d)["a"] == before["a"]
    # 4. peer added
    cfg4 = copy.deepcopy(cfg3)
    cfg4["peers"].append(peer("c", "10.0.3.2", 65004))
    reload_with(cfg4, {"out.conf": OUT_V2})
    wait_until(lambda: d.state("c") == "Established", 30, what="c up")
    wait_until(lambda: "10.55.1.0/24" in gobgp_routes(gb["c"]), 20, what="c gets routes")
    mid = identity(d)
    assert mid["a"] == before["a"]
    # 5. peer removed: c's session closes, a and b stay
    gobgp_add(gb["c"], "10.77.0.0/24")
    wait_until(lambda: "10.77.0.0/24" in gobgp_routes(gb["a"]), 20, what="c's route at a")
    reload_with(cfg3, {"out.conf": OUT_V2})
    wait_until(lambda: "c" not in d.protocols(), 20, what="c removed")
    wait_until(lambda: "10.77.0.0/24" not in gobgp_routes(gb["a"]), 20, what="c's route gone")
    wait_until(lambda: not gb["c"].established("10.0.3.1"), 20, what="c sees the close")
    after = identity(d)
    assert after["a"] == mid["a"] and after["b"] == mid["b"]
    # 6. a broken config is rejected and the old one keeps running
    d.config_path.write_text("router-id: 10.0.0.1\nasn: 65001\npeers:\n  - name: a\n"
                             "    adress: 10.0.1.2\n")
    r = d.ctl("reload", check=False)
    assert r.returncode == 1
    assert "nvabgpd.yaml:5:5" in r.stdout + r.stderr, r.stdout + r.stderr
    assert identity(d) == after
    assert "10.66.1.0/24" in gobgp_routes(gb["b"])
    # 7. SIGHUP reloads
    cfg7 = copy.deepcopy(cfg3)
    cfg7["peers"][0]["description"] = "via SIGHUP"
    reload_with(cfg7, {"out.conf": OUT_V2}, hup=True)
    wait_until(lambda: d.protocols()["a"]["description"] == "via SIGHUP", 20, what="SIGHUP")
    assert identity(d) == after
    # 8. c added back: a new peer, not a continuation of the removed one (no flap inherited)
    cfg8 = copy.deepcopy(cfg7)
    cfg8["peers"].append(peer("c", "10.0.3.2", 65004))
    reload_with(cfg8, {"out.conf": OUT_V2})
    wait_until(lambda: d.state("c") == "Established", 40, what="c back up")
    assert d.protocols()["c"]["flaps"] == 0
    assert identity(d)["a"] == after["a"]
    assert d.alive()


def test_reload_keeps_a_filter_whose_meaning_did_not_change(lab, tmp_path):
    """What a filter does counts, not its file: comments, layout and another filter added to
    the file leave OUT (and b's update group) alone; a change to OUT itself does not."""
    d, gb, cfg = _setup(lab, tmp_path)
    before = identity(d)
    group = d.protocols()["b"]["update_group"]
    edited = ("# exports toward b\nfilter SPARE { reject; }\n"
              + OUT_V1.replace("  accept;", "\n  accept;   # everything else"))
    d.write_config(cfg, {"out.conf": edited})
    r = d.ctl_json("reload")
    assert r["applied"], r
    b = next(p for p in r["peers"] if p["peer"] == "b")
    assert b["changes"] == [], r["plan"]
    # the daemon is still sending through the same group: a new route reaches b through it
    gobgp_add(gb["a"], "10.55.2.0/24")
    wait_until(lambda: "10.55.2.0/24" in gobgp_routes(gb["b"]), 20, what="new route at b")
    assert "10.66.1.0/24" not in gobgp_routes(gb["b"])
    assert identity(d) == before
    assert d.protocols()["b"]["update_group"] == group  # the same group, not an equal one
    # the same edit plus a changed prefix set is a change of OUT
    d.write_config(cfg, {"out.conf": edited.replace("10.66.0.0", "10.77.0.0")})
    r = d.ctl_json("reload")
    b = next(p for p in r["peers"] if p["peer"] == "b")
    assert any("filter OUT changed" in c for c in b["changes"]), r["plan"]
    wait_until(lambda: "10.66.1.0/24" in gobgp_routes(gb["b"]), 20, what="10.66 now exported")
