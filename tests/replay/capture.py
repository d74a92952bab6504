"""Records the replay scenarios' inputs from real sessions (run by hand, as root, with nvabgpd
built; never from CTest):

    sudo /usr/bin/python3 -m pytest tests/replay/capture.py -s [-k ars_pair]

Each scenario runs nvabgpd (--no-kernel) in a test namespace against real GoBGP / BIRD peers,
with a BMP station recording its feed (bmp_replay.py record). The feed becomes
tests/replay/<scenario>/input.replay; the daemon's config (without the bmp station) and filter
files are stored next to it. Then regenerate the goldens (README.md) and read `git diff`.
"""
import json
import pathlib
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "integration"))
sys.path.insert(0, str(HERE.parents[0] / "integration" / "daemon"))
from nvbtest import Lab, wait_until  # noqa: E402
from nvbtest.peers import GoBgp, Neighbor  # noqa: E402
from nvd import (Nvabgpd, gobgp_add, gobgp_attrs, gobgp_routes, gr_bird_and_gobgp, link,
                 peer)  # noqa: E402

import bmp_replay  # noqa: E402

TO_RS = (HERE.parents[1] / "config" / "examples" / "policy" / "nva1_to_rs.conf").read_text()


@pytest.fixture
def lab():
    with Lab() as lab:
        yield lab


class Recording:
    """A BMP station in its own namespace, linked to the daemon's."""

    def __init__(self, lab, d_ns, tmp_path):
        self.ns = link(lab, d_ns, "bmp", "10.99.0.1/24", "10.99.0.2/24")
        self.raw = tmp_path / "feed.bmp"
        self.proc = self.ns.popen([sys.executable, str(HERE / "bmp_replay.py"), "record",
                                   "10.99.0.2", "1790", str(self.raw)],
                                  log_path=str(tmp_path / "bmp.log"))
        self.station = {"address": "10.99.0.2", "port": 1790}
        self.reloads = []  # (time, file name, config text, filter files)
        self.first_config = None  # set before a reload: the config the capture started with

    def config_text(self, d):
        cfg = dict(d.config)
        cfg.pop("bmp", None)
        return json.dumps(cfg, indent=1) + "\n"

    def reload(self, d, name, config, filters):
        """The operator's reload with `config` (saved as the scenario's file `name`)."""
        d.write_config(config, filters)
        self.reloads.append((time.time(), name, self.config_text(d), dict(filters)))
        assert d.ctl("reload", check=False).returncode == 0

    def save(self, scenario, d, filters, why):
        until = time.time()  # what follows is the capture's own teardown
        out = HERE / scenario
        out.mkdir(exist_ok=True)
        first = self.first_config or self.config_text(d)
        (out / "nvabgpd.yaml").write_text(first)
        for name, text in filters.items():
            (out / name).write_text(text)
        for _, name, text, more in self.reloads:
            (out / name).write_text(text)
            for fname, ftext in more.items():
                (out / fname).write_text(ftext)
        d.stop()  # flushes and closes the feed
        wait_until(lambda: not self.proc.alive(), 20, what="BMP feed closed")
        lines = bmp_replay.convert(str(self.raw), str(out / "nvabgpd.yaml"), until,
                                   [(t, f"reload {name}") for t, name, _, _ in self.reloads])
        head = [f"# {scenario}: {why}",
                "# Recorded by tests/replay/capture.py from nvabgpd's BMP feed "
                f"({time.strftime('%Y-%m-%d')}); see README.md."]
        (out / "input.replay").write_text("\n".join(head + lines) + "\n")


def test_ars_pair(lab, tmp_path):
    """Seed NVA1: two Route Server instances (AS 65515, azure-route-server template, export
    TO_RS: 10.1.0.0/16 tagged NO_ADVERTISE) and NVA2 (AS 65002), ECMP over both instances."""
    d_ns = lab.ns("d")
    rec = Recording(lab, d_ns, tmp_path)
    rs0_ns = link(lab, d_ns, "rs0", "10.1.10.1/24", "10.1.10.4/24")
    rs1_ns = link(lab, d_ns, "rs1", "10.1.11.1/24", "10.1.11.5/24")
    h2_ns = link(lab, d_ns, "h2", "192.168.0.1/24", "192.168.0.2/24")
    ars = {"template": "azure-route-server", "import": "all", "export": "TO_RS",
           "graceful-restart": {"enabled": True, "restart-time": 30}}
    cfg = {"router-id": "10.1.1.4", "asn": 65001, "kernel": {"enabled": False, "max-paths": 2},
           "originate": [{"prefix": "10.1.0.0/16"}],
           "peers": [{"name": "rs0", "address": "10.1.10.4", **ars},
                     {"name": "rs1", "address": "10.1.11.5", **ars},
                     peer("hub2", "192.168.0.2", 65002)],
           "bmp": [rec.station]}
    filters = {"nva1_to_rs.conf": TO_RS}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters=filters).start()
    rs = [GoBgp(rs0_ns, tmp_path, 65515, "10.1.10.4", [Neighbor("10.1.10.1", 65001, hold=180,
                                                                keepalive=60, multihop=2)]),
          GoBgp(rs1_ns, tmp_path, 65515, "10.1.11.5", [Neighbor("10.1.11.1", 65001, hold=180,
                                                                keepalive=60, multihop=2)])]
    h2 = GoBgp(h2_ns, tmp_path, 65002, "192.168.0.2", [Neighbor("192.168.0.1", 65001)])
    for g in (*rs, h2):
        g.start()
    wait_until(lambda: all(d.state(n) == "Established" for n in ("rs0", "rs1", "hub2")), 60,
               what="three sessions")
    # What the Route Server instances send: the hub VNet and on-premises routes (via ER).
    # On-premises comes through both ExpressRoute gateways (10.1.3.4 and .5): ECMP.
    for g, er_gateway in zip(rs, ("10.1.3.4", "10.1.3.5")):
        gobgp_add(g, "10.1.16.0/24", "nexthop", "10.1.0.1")
        gobgp_add(g, "1.2.3.0/24", "aspath", "12076,133937", "nexthop", er_gateway)
    # NVA2: its summary, a hub2 spoke learned from its Route Server (65515 in the path: the
    # seed's loop case) and a /32 that TO_RS keeps from the Route Server.
    gobgp_add(h2, "10.2.0.0/16")
    gobgp_add(h2, "10.2.16.0/24", "aspath", "65515")
    gobgp_add(h2, "10.2.1.4/32")
    wait_until(lambda: {"10.1.16.0/24", "1.2.3.0/24", "10.2.0.0/16", "10.2.16.0/24",
                        "10.2.1.4/32"} <= set(d.routes()), 30, what="routes learned")
    # (10.2.16.0/24 goes to rs0 with 65515 in its path: rs0 drops it, as the seed's ARS does.)
    wait_until(lambda: "10.2.0.0/16" in gobgp_routes(rs[0]), 30, what="exported to rs0")
    # rs0 withdraws on-premises (ER path lost): ECMP drops to rs1 alone.
    rs[0].cli("global", "rib", "del", "1.2.3.0/24", "-a", "ipv4")
    wait_until(lambda: len(d.routes("1.2.3.0/24").get("1.2.3.0/24", [])) == 1, 30,
               what="one path left")
    rec.save("ars_pair", d, filters,
             "NVA1 of the seed with two Route Server instances (65515) and NVA2 (65002)")


def test_graceful_restart(lab, tmp_path):
    """A BIRD peer with graceful restart is killed and comes back with one route of two:
    its routes stay (stale) meanwhile, the missing one is swept after its End-of-RIB. Killed
    again, it stays away: its route goes when its restart time is over (a timer: time is an
    input of the replay). Then a GoBGP peer stops with a NOTIFICATION."""
    d_ns = lab.ns("d")
    rec = Recording(lab, d_ns, tmp_path)
    d, b, g = gr_bird_and_gobgp(lab, d_ns, tmp_path, bmp=[rec.station])
    gobgp_add(g, "10.70.0.0/24")
    wait_until(lambda: "10.70.0.0/24" in d.routes(), 20, what="gobgp's route")
    b.kill()
    wait_until(lambda: d.state("bird") != "Established", 30, what="session loss noticed")
    b.static = [("10.60.0.0/24", "unreachable")]
    b.extra["10.0.1.1"] = ["graceful restart on;", "graceful restart time 4;"]
    b.start()
    wait_until(lambda: "10.61.0.0/24" not in d.routes(), 40, what="stale route swept")
    wait_until(lambda: "10.61.0.0/24" not in gobgp_routes(g), 20, what="withdrawn at gobgp")
    # Killed again, and it stays away: its route goes when its restart time (now 4 s) is over.
    b.kill()
    wait_until(lambda: d.state("bird") != "Established", 30, what="second session loss")
    wait_until(lambda: "10.60.0.0/24" not in d.routes(), 30, what="restart time over")
    # The other peer leaves with a NOTIFICATION: no graceful restart, routes gone at once.
    g.stop()
    wait_until(lambda: "10.70.0.0/24" not in d.routes(), 20, what="gobgp's route gone")
    rec.save("graceful_restart", d, {},
             "BIRD (GR helper) killed, back with one route less, killed for good; GoBGP stops")


def test_route_reflection(lab, tmp_path):
    """Route reflector with three iBGP clients and one iBGP non-client."""
    d_ns = lab.ns("d")
    rec = Recording(lab, d_ns, tmp_path)
    speakers = {}
    peers = []
    for i, name in ((1, "c1"), (2, "c2"), (3, "c3"), (4, "n4")):
        ns = link(lab, d_ns, name, f"10.0.{i}.1/24", f"10.0.{i}.2/24")
        speakers[name] = GoBgp(ns, tmp_path, 65001, f"10.0.{i}.2",
                               [Neighbor(f"10.0.{i}.1", 65001)])
        peers.append(peer(name, f"10.0.{i}.2", 65001,
                          **({"route-reflector-client": True} if name != "n4" else {})))
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "peers": peers, "bmp": [rec.station],
           "originate": [{"prefix": "10.90.0.0/24"}]}
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    for s in speakers.values():
        s.start()
    wait_until(lambda: all(d.state(n) == "Established" for n in speakers), 60, what="sessions")
    gobgp_add(speakers["c1"], "10.50.0.0/24", "nexthop", "10.0.1.2", "local-pref", "120")
    gobgp_add(speakers["n4"], "10.40.0.0/24", "nexthop", "10.0.4.2")
    gobgp_add(speakers["c2"], "10.50.0.0/24", "nexthop", "10.0.2.2", "local-pref", "150")
    wait_until(lambda: "10.40.0.0/24" in gobgp_routes(speakers["c3"]), 20, what="reflected")
    def next_hop_at_c3():
        path = gobgp_routes(speakers["c3"]).get("10.50.0.0/24")
        return gobgp_attrs(path).get(3, {}).get("nexthop") if path else None

    wait_until(lambda: next_hop_at_c3() == "10.0.2.2", 20, what="c2's better path")
    speakers["c2"].cli("global", "rib", "del", "10.50.0.0/24", "-a", "ipv4")
    wait_until(lambda: next_hop_at_c3() == "10.0.1.2", 20, what="back to c1's path")
    rec.save("route_reflection", d, {}, "RR with clients c1-c3 and non-client n4 (AS 65001)")


IN_V1 = "filter IN {\n  if net ~ [ 10.66.0.0/16+ ] then reject;\n  accept;\n}\n"
IN_V2 = ("filter IN2 {\n  if net ~ [ 10.66.0.0/16+ ] then { bgp_local_pref = 50; accept; }\n"
         "  if net ~ [ 10.20.0.0/16+ ] then reject;\n  accept;\n}\n")


def test_import_reload(lab, tmp_path):
    """A reload changes a peer's import filter: without soft reconfiguration the daemon asks
    the peer for its routes again (ROUTE-REFRESH) and imports them through the new filter."""
    d_ns = lab.ns("d")
    rec = Recording(lab, d_ns, tmp_path)
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    s_ns = link(lab, d_ns, "s", "10.0.2.1/24", "10.0.2.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001, "bmp": [rec.station],
           "peers": [peer("feeder", "10.0.1.2", 65002, **{"import": "IN"}),
                     peer("sink", "10.0.2.2", 65003)]}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters={"in.conf": IN_V1}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    sink = GoBgp(s_ns, tmp_path, 65003, "10.0.2.2", [Neighbor("10.0.2.1", 65001)]).start()
    wait_until(lambda: all(d.state(n) == "Established" for n in ("feeder", "sink")), 60,
               what="sessions")
    gobgp_add(g, "10.20.0.0/24")
    gobgp_add(g, "10.66.1.0/24")
    wait_until(lambda: "10.20.0.0/24" in gobgp_routes(sink), 20, what="10.20 at the sink")
    rec.first_config = rec.config_text(d)
    v2 = dict(cfg, peers=[peer("feeder", "10.0.1.2", 65002, **{"import": "IN2"}),
                          peer("sink", "10.0.2.2", 65003)])
    v2.pop("filters", None)
    rec.reload(d, "nvabgpd.v2.yaml", v2, {"in.conf": IN_V1, "in2.conf": IN_V2})
    wait_until(lambda: "10.66.1.0/24" in gobgp_routes(sink), 20, what="10.66 imported now")
    wait_until(lambda: "10.20.0.0/24" not in gobgp_routes(sink), 20, what="10.20 rejected now")
    rec.save("import_reload", d, {"in.conf": IN_V1},
             "import filter changed by reload: ROUTE-REFRESH, routes re-imported")
