"""What an import filter sees (issue 12), with BIRD 2 as the reference in the same test.

One gobgpd injector (AS 65001) feeds nvabgpd and bird (both AS 65000) with the same routes;
both run the same filters; one eBGP gobgpd (AS 65002) and one iBGP gobgpd (AS 65000) are
downstream of both, and what each receives from nvabgpd is compared with what it receives
from bird (`gobgp neighbor ADDR adj-in`):

    gobgp g (65001) --+-- nvabgpd d (65000) --+-- gobgp x (65002, export filter EXP)
                      '-- bird b    (65000) --+-- gobgp i (65000)

- import filter IMP: `bgp_path.prepend(65000)` on 10.1/16 (our own ASN: must not make a loop),
  `bgp_med = bgp_local_pref` on everything (needs the default LOCAL_PREF of eBGP routes);
- a route that arrives with 65000 in its path is a loop before the filter (both drop it);
- export filter EXP toward the eBGP peer: `bgp_med = bgp_local_pref + 5` (the filter sees 100),
  except on the first PLAIN prefix: `bgp_med = bgp_med` (the value the import filter set; BIRD
  sends a MED the export filter assigned, even unchanged, to an eBGP peer).
Then `nvabgpctl filter test --peer g` gives the daemon's answer for the same routes.
"""
import json
import subprocess

from nvbtest import binary, veth_pair, wait_until
from nvbtest.peers import Bird, GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_attrs, peer

FILTERS = """
filter IMP {
  if net ~ [ 10.1.0.0/16+ ] then bgp_path.prepend(65000);
  bgp_med = bgp_local_pref;
  accept;
}
filter EXP {
  if net = 10.2.0.0/24 then bgp_med = bgp_med;
  else bgp_med = bgp_local_pref + 5;
  accept;
}
"""

N = 40  # routes per kind
PREPENDED = [f"10.1.{i}.0/24" for i in range(N)]
PLAIN = [f"10.2.{i}.0/24" for i in range(N)]
LOOPED = [f"10.3.{i}.0/24" for i in range(N)]


class RefBird(Bird):
    """bird with the test's filters on its sessions: IMP from g, EXP to x, all to i."""

    default_lp = None  # `default bgp_local_pref` on the session with g

    def config(self) -> str:
        text = super().config().replace("protocol device {}", "protocol device {}\n" + FILTERS)
        channels = {"10.0.2.2": "import filter IMP; export none;",
                    "10.0.4.2": "import none; export filter EXP;",
                    "10.0.6.2": "import none; export all;"}
        out = []
        for block in text.split("protocol bgp "):
            for addr, ch in channels.items():
                if block.startswith(Bird.proto_name(addr) + " "):
                    block = block.replace("import all; export none;", ch)
                    if addr == "10.0.2.2" and self.default_lp is not None:
                        block = block.replace(
                            ch + " };", ch + f" }};\n  default bgp_local_pref {self.default_lp};")
            out.append(block)
        return "protocol bgp ".join(out)


def _adj_in(g, neighbor):
    out = g.cli("neighbor", neighbor, "adj-in", "-a", "ipv4", "-j")
    data = json.loads(out) if out.strip() else {}
    routes = {}
    for prefix, paths in (data.items() if isinstance(data, dict) else []):
        a = gobgp_attrs(paths[0])
        routes[prefix] = {
            "as_path": [n for seg in a.get(2, {}).get("as_paths", []) for n in seg["asns"]],
            "med": a.get(4, {}).get("metric"),
            "local_pref": a.get(5, {}).get("value"),
        }
    return routes


def _setup(lab, tmp_path, default_lp=None):
    g_ns, d_ns, b_ns, x_ns, i_ns = (lab.ns(t) for t in ("g", "d", "b", "x", "i"))
    veth_pair(g_ns, "10.0.1.2/24", d_ns, "10.0.1.1/24")
    veth_pair(g_ns, "10.0.2.2/24", b_ns, "10.0.2.1/24")
    veth_pair(d_ns, "10.0.3.1/24", x_ns, "10.0.3.2/24")
    veth_pair(b_ns, "10.0.4.1/24", x_ns, "10.0.4.2/24")
    veth_pair(d_ns, "10.0.5.1/24", i_ns, "10.0.5.2/24")
    veth_pair(b_ns, "10.0.6.1/24", i_ns, "10.0.6.2/24")
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65000,
        "peers": [peer("g", "10.0.1.2", 65001, **{"import": "IMP", "export": "none"},
                       **({"default-local-pref": default_lp} if default_lp else {})),
                  peer("x", "10.0.3.2", 65002, **{"import": "none", "export": "EXP"}),
                  peer("i", "10.0.5.2", 65000, **{"import": "none"})]},
        filters={"f.conf": FILTERS}).start()
    b = RefBird(b_ns, tmp_path, 65000, "10.0.0.2",
                [Neighbor("10.0.2.2", 65001), Neighbor("10.0.4.2", 65002),
                 Neighbor("10.0.6.2", 65000)])
    b.default_lp = default_lp
    b.start()
    g = GoBgp(g_ns, tmp_path, 65001, "10.0.1.2",
              [Neighbor("10.0.1.1", 65000), Neighbor("10.0.2.1", 65000)]).start()
    x = GoBgp(x_ns, tmp_path, 65002, "10.0.3.2",
              [Neighbor("10.0.3.1", 65000), Neighbor("10.0.4.1", 65000)]).start()
    i = GoBgp(i_ns, tmp_path, 65000, "10.0.5.2",
              [Neighbor("10.0.5.1", 65000), Neighbor("10.0.6.1", 65000)]).start()
    wait_until(lambda: all(p.established(a) for p, a in (
        (g, "10.0.1.1"), (g, "10.0.2.1"), (x, "10.0.3.1"), (x, "10.0.4.1"),
        (i, "10.0.5.1"), (i, "10.0.6.1"))), 60, what="every session")
    for prefix in PREPENDED + PLAIN:
        g.cli("global", "rib", "add", prefix, "-a", "ipv4")
    for prefix in LOOPED:
        g.cli("global", "rib", "add", prefix, "aspath", "65000", "-a", "ipv4")
    return d, b, g, x, i


def test_import_prepend_own_asn_and_default_local_pref_match_bird(lab, tmp_path):
    d, b, g, x, i = _setup(lab, tmp_path)
    expected = len(PREPENDED) + len(PLAIN)
    wait_until(lambda: len(_adj_in(x, "10.0.3.1")) >= expected
               and len(_adj_in(x, "10.0.4.1")) >= expected, 60,
               what="the eBGP downstream to hold every route from both")
    wait_until(lambda: d.protocols()["g"]["routes"]["received"] == expected + len(LOOPED), 30,
               what="nvabgpd to have received every route")
    ours_x, bird_x = _adj_in(x, "10.0.3.1"), _adj_in(x, "10.0.4.1")
    # eBGP downstream: the own ASN prepended on import is no loop (sent as 65000 65000 65001),
    # the export filter saw LOCAL_PREF 100 (MED 105); the looped routes went nowhere.
    assert ours_x == bird_x
    assert ours_x[PREPENDED[0]] == {"as_path": [65000, 65000, 65001], "med": 105,
                                    "local_pref": None}
    assert ours_x[PLAIN[1]] == {"as_path": [65000, 65001], "med": 105, "local_pref": None}
    assert ours_x[PLAIN[0]] == {"as_path": [65000, 65001], "med": 100, "local_pref": None}
    assert not set(LOOPED) & set(ours_x)
    # iBGP downstream: LOCAL_PREF 100 and the MED the import filter copied from it.
    wait_until(lambda: len(_adj_in(i, "10.0.5.1")) >= len(PLAIN)
               and len(_adj_in(i, "10.0.6.1")) >= len(PLAIN), 30,
               what="the iBGP downstream to hold the routes from both")
    ours_i, bird_i = _adj_in(i, "10.0.5.1"), _adj_in(i, "10.0.6.1")
    assert ours_i == bird_i
    assert ours_i[PLAIN[0]] == {"as_path": [65001], "med": 100, "local_pref": 100}
    # nvabgpd keeps the looped routes, unused, and says why.
    looped = d.routes(LOOPED[0], "all")[LOOPED[0]]
    assert all(not p["best"] for p in looped), looped
    assert d.protocols()["g"]["routes"]["loops"] == len(LOOPED)
    assert d.protocols()["g"]["routes"]["filtered"] == 0


def test_filter_test_peer_gives_the_daemons_answer(lab, tmp_path):
    d, b, g, x, i = _setup(lab, tmp_path)
    wait_until(lambda: d.state("g") == "Established", 30, what="session g")
    # A looped path: the daemon drops it before the filter. The file mode (the filter alone)
    # accepts it: that is the difference --peer exists for.
    looped = "10.3.0.0/24 path 65001 65000 local_pref 100"
    r = d.ctl("filter", "test", "--peer", "g", "--route", looped, "--json")
    j = json.loads(r.stdout)
    assert j["result"] == "reject" and "AS_PATH contains our ASN" in j["reason"], j
    offline = d.ctl("filter", "test", "--file", str(d.dir / "f.conf"), "--filter", "IMP",
                    "--route", looped, "--json")
    assert json.loads(offline.stdout)["result"] == "accept"
    # Without the daemon's default LOCAL_PREF the filter alone fails on `bgp_local_pref`.
    offline = d.ctl("filter", "test", "--file", str(d.dir / "f.conf"), "--filter", "IMP",
                    "--route", "10.2.5.0/24 path 65001", "--json")
    assert json.loads(offline.stdout)["result"] == "reject"
    # An eBGP route: LOCAL_PREF 100 before the filter, copied into MED by it; our own ASN
    # prepended on 10.1/16.
    j = json.loads(d.ctl("filter", "test", "--peer", "g", "--import", "--route",
                         "10.1.5.0/24 path 65001", "--json").stdout)
    assert j["result"] == "accept", j
    assert j["local_pref"] == 100 and j["med"] == 100 and j["as_path"] == "65000 65001", j
    text = d.ctl("filter", "test", "--peer", "g", "--route", "10.2.5.0/24 path 65001").stdout
    assert "accept" in text and "local_pref 100" in text and "med 100" in text, text
    # JSON lines on stdin, with a malformed one reported in its place.
    lines = "\n".join([json.dumps({"prefix": "10.2.6.0/24", "as_path": [65001]}),
                       "not json",
                       json.dumps({"prefix": "10.3.6.0/24", "as_path": [65001, 65000]})]) + "\n"
    p = subprocess.run([binary("nvabgpctl"), "-s", d.sock, "filter", "test", "--peer", "g",
                        "--json"], input=lines, capture_output=True, text=True, timeout=20)
    out = [json.loads(line) for line in p.stdout.splitlines()]
    assert p.returncode == 1, p
    assert [o["result"] for o in out] == ["accept", "error", "reject"], out
    # Export toward the eBGP peer x: its export filter sees LOCAL_PREF as the Loc-RIB has it.
    j = json.loads(d.ctl("filter", "test", "--peer", "x", "--export", "--route",
                         "10.2.5.0/24 path 65001 local_pref 100", "--json").stdout)
    assert j["result"] == "accept" and j["med"] == 105, j
    j = json.loads(d.ctl("filter", "test", "--peer", "x", "--export", "--route",
                         "10.2.5.0/24 path 65001 community 65535:65281", "--json").stdout)
    assert j["result"] == "reject" and "NO_EXPORT" in j["reason"], j
    # An unknown peer is refused.
    bad = d.ctl("filter", "test", "--peer", "nobody", "--route", "10.2.5.0/24", check=False)
    assert bad.returncode == 1 and "no such peer" in bad.stderr, bad  # the daemon said no


def test_per_peer_default_local_pref_matches_birds_default_bgp_local_pref(lab, tmp_path):
    d, b, g, x, i = _setup(lab, tmp_path, default_lp=200)
    wait_until(lambda: len(_adj_in(i, "10.0.5.1")) >= len(PLAIN)
               and len(_adj_in(i, "10.0.6.1")) >= len(PLAIN), 60,
               what="the iBGP downstream to hold the routes from both")
    ours_i, bird_i = _adj_in(i, "10.0.5.1"), _adj_in(i, "10.0.6.1")
    assert ours_i == bird_i
    assert ours_i[PLAIN[0]] == {"as_path": [65001], "med": 200, "local_pref": 200}
    j = json.loads(d.ctl("filter", "test", "--peer", "g", "--route", "10.2.5.0/24 path 65001",
                         "--json").stdout)
    assert j["local_pref"] == 200 and j["med"] == 200, j
