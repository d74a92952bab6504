"""Real-session conformance run: the corpus filters through Debian's bird2 and through nvabgpd.

Everything runs in ONE network namespace that the test creates (all of 127.0.0.0/8 is local
there), so every session is a real BGP session over TCP on loopback addresses:

    gobgpd (AS 65001, 127.0.0.2:2179)  -- the injector, originates the corpus routes (STD)
      |  eBGP to every upstream session below (gobgpd is passive, the daemons connect)
      v
    bird "DUT" (AS 65010)                         nvabgpd (AS 65010)
      export position: one upstream session       export position: ONE daemon, one upstream
        (import all) into master4, one            session (import all), one downstream
        downstream session per case with          session per case with `export: F_k`
        `export filter F_k`
      import position: per case one upstream      import position: ONE daemon PER CASE (the
        session (import filter F_k) into its own  daemon has a single RIB, so two cases'
        table t_k and one downstream session      copies of a prefix would compete in the
        exporting t_k                             decision process), import F_k, export all
      |  iBGP (AS 65010 both sides): no prepend, LOCAL_PREF/MED/next hop passed unchanged
      v
    bird "collector" (AS 65010, port 1791): one protocol per downstream session, each into its
    own table, `show route table X all` parsed.

Normalisations (what legitimately differs by configuration only), applied to both sides:
- none to the AS path: the downstream sessions are iBGP, so neither daemon prepends;
- none to the next hop: iBGP keeps the injector's next hop (127.0.0.2) on both daemons unless
  the filter sets one; neither is configured with next-hop-self;
- nvabgpd's peers carry the names of bird's protocols (upx, ui<k>), so `proto` compares equal;
- router ids differ (10.255.0.1 bird, 10.255.0.2 nvabgpd); no compared attribute carries one;
- the collector is iBGP with `allow local as` so that paths which a filter gave the local ASN
  (65010) are shown rather than dropped as loops by the collector itself.
Compared per route the collector holds: prefix, AS path (with AS_SETs), origin, next hop, MED,
LOCAL_PREF, communities, extended communities, large communities.
"""
import json
import os
import re
import subprocess
import time

from bird_diff import BIRD, BIRDC, gobgp_rib_add_args, parse_show_route
from nvbtest import Netns, binary, wait_until

INJ_ADDR, INJ_PORT, COLL_PORT = "198.18.0.2", 2179, 1791
DUT_AS, INJ_AS = 65010, 65001


def addr(role, k):
    """A unique loopback address per (role, case index)."""
    return f"198.{18 + k // 250}.{role}.{k % 250 + 1}"


# Address roles.
B_UP_X, B_DN_X, N_UP_X, N_DN_X = 10, 11, 12, 13          # export position (k = case index)
B_UP_I, B_DN_I, N_UP_I, N_DN_I = 20, 21, 22, 23          # import position
C_B_X, C_N_X, C_B_I, C_N_I = 30, 31, 32, 33              # collector-side addresses
INJ_X, INJ_I = 40, 41                                     # injector-side addresses
# BIRD holds one session per neighbor address and port, so each bird session reaches the
# injector at its own address (gobgpd listens on all of them); nvabgpd's session of the same
# case uses the same injector address, so both daemons see the same next hop.


def rename(text, suffix):
    """The case's top-level names (filter/function/define) made unique in a shared file."""
    names = set(re.findall(r"\b(?:filter|function|define)\s+(\w+)", text))
    for n in sorted(names, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(n)}\b", n + suffix, text)
    return text


def filter_name(case_index):
    return f"f_c{case_index}"


def case_text(i, case):
    return rename(case["filter"], f"_c{i}")


# --------------------------------------------------------------------------------------------
# Configurations

def gobgp_config(neighbors):
    out = ["[global.config]", f"  as = {INJ_AS}", f'  router-id = "{INJ_ADDR}"',
           f"  port = {INJ_PORT}", '  local-address-list = ["0.0.0.0"]']
    for a in neighbors:
        out += ["[[neighbors]]", "  [neighbors.config]", f'    neighbor-address = "{a}"',
                f"    peer-as = {DUT_AS}", "  [neighbors.transport.config]",
                "    passive-mode = true",
                "  [neighbors.timers.config]", "    hold-time = 90", "    keepalive-interval = 30"]
    return "\n".join(out) + "\n"


_IGP = ("ipv4 table igp4;\nprotocol device {}\n"
        'protocol direct { ipv4 { table igp4; }; interface "dum0"; }\n')


def _bgp(name, local, neighbor, peer_as, channel, port=None, extra="", lport=None):
    nport = f" port {port}" if port else ""
    lp = f" port {lport}" if lport else ""
    return (f"protocol bgp {name} {{ local {local}{lp} as {DUT_AS}; neighbor {neighbor}{nport} "
            f"as {peer_as}; multihop; connect retry time 1; error wait time 1, 2; {extra}"
            f"ipv4 {{ igp table igp4; gateway recursive; {channel} }}; }}\n")


def bird_dut_config(log, xcases, icases):
    out = [f'log "{log}" all;', "router id 10.255.0.1;", _IGP]
    out += [case_text(i, c) for i, c in sorted(dict(xcases + icases).items())]
    out.append(_bgp("upx", addr(B_UP_X, 0), addr(INJ_X, 0), INJ_AS, "import all; export none;",
                    INJ_PORT))
    for i, _ in xcases:
        out.append(_bgp(f"dx{i}", addr(B_DN_X, i), addr(C_B_X, i), DUT_AS,
                        f"import none; export filter {filter_name(i)};", COLL_PORT))
    for i, _ in icases:
        out.append(f"ipv4 table t{i};\n")
        out.append(_bgp(f"ui{i}", addr(B_UP_I, i), addr(INJ_I, i), INJ_AS,
                        f"table t{i}; import filter {filter_name(i)}; export none;", INJ_PORT))
        out.append(_bgp(f"di{i}", addr(B_DN_I, i), addr(C_B_I, i), DUT_AS,
                        f"table t{i}; import none; export all;", COLL_PORT))
    return "".join(x if x.endswith("\n") else x + "\n" for x in out)


def collector_config(log, xcases, icases):
    out = [f'log "{log}" all;\n', "router id 10.255.0.9;\n", _IGP]

    def proto(name, local, neighbor):
        out.append(f"ipv4 table T_{name};\n")
        out.append(_bgp(name, local, neighbor, DUT_AS,
                        f"table T_{name}; import all; export none;", None,
                        "passive on; allow local as 64; ", COLL_PORT))
    for i, _ in xcases:
        proto(f"cbx{i}", addr(C_B_X, i), addr(B_DN_X, i))
        proto(f"cnx{i}", addr(C_N_X, i), addr(N_DN_X, i))
    for i, _ in icases:
        proto(f"cbi{i}", addr(C_B_I, i), addr(B_DN_I, i))
        proto(f"cni{i}", addr(C_N_I, i), addr(N_DN_I, i))
    return "".join(out)


def _nv_peer(name, address, asn, local, port, imp, exp):
    p = {"name": name, "address": address, "asn": asn, "port": port, "local-address": local,
         "hold-time": 90, "connect-retry": 1, "import": imp, "export": exp}
    if asn != DUT_AS:
        p["multihop"] = 255
    return p


def nv_config(router_id, peers, filters_file):
    return {"router-id": router_id, "asn": DUT_AS, "listen": [], "kernel": {"enabled": False},
            "filters": [filters_file], "peers": peers}


# --------------------------------------------------------------------------------------------

def birdc(ns, sock, *cmd):
    return ns.exec(BIRDC, "-s", sock, *cmd, check=False).stdout


def birdc_many(ns, sock, commands):
    """Several birdc commands in one connection (birdc reads them from stdin)."""
    r = ns.exec(BIRDC, "-s", sock, check=False, input_text="\n".join(commands) + "\nquit\n")
    return r.stdout


def bird_established(ns, sock):
    """{protocol: True/False} for every BGP protocol of a bird."""
    out = birdc(ns, sock, "show", "protocols")
    res = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1] == "BGP":
            res[f[0]] = "Established" in line
    return res


_KNOWN = {"BGP.as_path", "BGP.origin", "BGP.next_hop", "BGP.med", "BGP.local_pref",
          "BGP.community", "BGP.large_community", "BGP.ext_community"}


def parse_routes(text):
    """parse_show_route plus every other BGP attribute the collector shows, verbatim, so that
    an attribute one daemon sends and the other does not is a difference too; extended
    communities are compared as bird prints them (any kind, not only rt/ro)."""
    routes = parse_show_route(text)
    cur = None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
        if m:
            cur = routes.get(m.group(1))
            continue
        key, _, val = line.strip().partition(":")
        if cur is None or not key.startswith("BGP."):
            continue
        if key == "BGP.ext_community":
            cur["ext_communities"] = sorted(re.findall(r"\([^()]*\)", val))
        elif key not in _KNOWN:
            cur[key] = val.strip()
    return routes


def collector_tables(ns, sock, names):
    """{table: {prefix: attrs}} for the collector's tables."""
    out = birdc_many(ns, sock, [f"show route table T_{n} all" for n in names]
                     + ["show status"])
    out = out.replace("\x1b[K", "")  # birdc's line clearing
    res = {n: {} for n in names}
    chunks = re.split(r"^Table T_(\w+):\s*$", out, flags=re.M)
    for j in range(1, len(chunks) - 1, 2):
        if chunks[j] in res:
            res[chunks[j]] = parse_routes(chunks[j + 1])
    return res


def inject_routes(ns, api_port, routes):
    api = ["gobgp", "-u", "127.0.0.1", "-p", str(api_port)]
    for r in routes:
        cmd = api + gobgp_rib_add_args(r)
        last = []

        def added(cmd=cmd, last=last):
            r = ns.exec(*cmd, check=False)
            last[:] = [r.stderr]
            return r.returncode == 0
        # gobgpd answers `global` a moment before its RIB takes paths: retry briefly
        wait_until(added, 20, interval=0.2, what=f"gobgp to take {r['prefix']} ({last})")


def run(workdir, routes, xcases, icases, timeout=120):
    """Runs both daemons; returns {("export"|"import", i): (bird_routes, our_routes)}."""
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o777)
    ns = Netns("pc")
    t0 = time.time()
    try:
        # 198.18.0.0/15 (RFC 2544 benchmarking) is local to the namespace (on lo) and
        # connected on dum0 (one end of a veth pair kept inside the namespace), so both
        # daemons resolve every next hop without any real network.
        ns.ip("link", "add", "dum0", "type", "veth", "peer", "name", "dum1")
        ns.ip("addr", "add", "198.18.0.1/15", "dev", "dum0")
        ns.ip("link", "set", "dum0", "up")
        ns.ip("link", "set", "dum1", "up")
        ns.ip("route", "add", "table", "local", "local", "198.18.0.0/15", "dev", "lo")
        gob = os.path.join(workdir, "gobgpd.toml")
        neigh = [addr(B_UP_X, 0), addr(N_UP_X, 0)]
        neigh += [addr(B_UP_I, i) for i, _ in icases] + [addr(N_UP_I, i) for i, _ in icases]
        open(gob, "w").write(gobgp_config(neigh))
        api_port = 50071
        ns.popen(["gobgpd", "-f", gob, "-t", "toml", "--api-hosts", f"127.0.0.1:{api_port}",
                  "--pprof-disable", "-l", "warn"], log_path=os.path.join(workdir, "gobgpd.log"))
        wait_until(lambda: ns.exec("gobgp", "-u", "127.0.0.1", "-p", str(api_port), "global",
                                   check=False).returncode == 0, 30, what="gobgpd API")
        inject_routes(ns, api_port, routes)

        # collector first, so downstream sessions come up at the first attempt
        csock = os.path.join(workdir, "coll.ctl")
        cconf = os.path.join(workdir, "coll.conf")
        open(cconf, "w").write(collector_config(os.path.join(workdir, "coll.log"), xcases, icases))
        birds = [ns.popen([BIRD, "-f", "-c", cconf, "-s", csock, "-P",
                           os.path.join(workdir, "c.pid")],
                          log_path=os.path.join(workdir, "coll.out"))]

        bsock = os.path.join(workdir, "dut.ctl")
        bconf = os.path.join(workdir, "dut.conf")
        open(bconf, "w").write(bird_dut_config(os.path.join(workdir, "dut.log"), xcases, icases))
        birds.append(ns.popen([BIRD, "-f", "-c", bconf, "-s", bsock, "-P",
                               os.path.join(workdir, "b.pid")],
                              log_path=os.path.join(workdir, "dut.out")))

        # nvabgpd: one daemon for the export position, one per import case
        ffile = "cases.conf"
        daemons = []

        def start_nv(tag, rid, peers, texts):
            d = os.path.join(workdir, f"nv-{tag}")
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, ffile), "w").write("\n".join(texts) + "\n")
            cfg = os.path.join(d, "nvabgpd.yaml")
            open(cfg, "w").write(json.dumps(nv_config(rid, peers, ffile), indent=1) + "\n")
            p = ns.popen([binary("nvabgpd"), "--config", cfg, "--control-socket",
                          os.path.join(d, "ctl.sock"), "--no-kernel", "--log-level", "warn"],
                         log_path=os.path.join(d, "nvabgpd.log"))
            daemons.append((tag, p, d))

        if xcases:
            peers = [_nv_peer("upx", addr(INJ_X, 0), INJ_AS, addr(N_UP_X, 0), INJ_PORT, "all",
                              "none")]
            peers += [_nv_peer(f"dx{i}", addr(C_N_X, i), DUT_AS, addr(N_DN_X, i), COLL_PORT,
                               "none", filter_name(i)) for i, _ in xcases]
            start_nv("x", "10.255.0.2", peers, [case_text(i, c) for i, c in xcases])
        for i, c in icases:
            peers = [_nv_peer(f"ui{i}", addr(INJ_I, i), INJ_AS, addr(N_UP_I, i), INJ_PORT,
                              filter_name(i), "none"),
                     _nv_peer("dn", addr(C_N_I, i), DUT_AS, addr(N_DN_I, i), COLL_PORT,
                              "none", "all")]
            start_nv(f"i{i}", "10.255.0.2", peers, [case_text(i, c)])

        tables = [f"{p}{i}" for i, _ in xcases for p in ("cbx", "cnx")]
        tables += [f"{p}{i}" for i, _ in icases for p in ("cbi", "cni")]

        def all_up():
            for b, out in zip(birds, ("coll.out", "dut.out")):
                if not b.alive():
                    raise RuntimeError("bird exited: " + open(os.path.join(workdir, out)).read())
            dead = [t for t, p, _ in daemons if not p.alive()]
            assert not dead, f"nvabgpd exited: {dead}: " + open(
                os.path.join(workdir, f"nv-{dead[0]}", "nvabgpd.log")).read()[-2000:]
            st = bird_established(ns, csock)
            return len(st) == len(tables) and all(st.values())

        deadline = time.monotonic() + timeout
        while not all_up():  # not wait_until: a daemon that exits must fail the run at once
            assert time.monotonic() < deadline, "timed out waiting for every session"
            time.sleep(0.5)

        def injected():
            n = 0
            for a in neigh:
                j = json.loads(ns.out("gobgp", "-u", "127.0.0.1", "-p", str(api_port),
                                      "neighbor", a, "-j"))
                open(os.path.join(workdir, "nb.json"), "a").write(json.dumps(j) + "\n")
                adv = sum(int(f.get("state", {}).get("advertised", 0))
                          for f in j.get("afi_safis", []))
                n += adv == len(routes)
            return n == len(neigh)
        wait_until(injected, timeout, what="gobgpd to send every route to every daemon")
        t_injected = time.monotonic()
        # Routes are sent once the sessions are up; wait until two consecutive dumps, one
        # second apart, are equal (the updates of a few hundred routes take well under that).
        last = [None]

        def stable():
            cur = collector_tables(ns, csock, tables)
            same = cur == last[0]
            last[0] = cur
            return same and time.monotonic() - t_injected > 2
        wait_until(stable, timeout, interval=1.0, what="collector tables to settle")
        got = last[0]
        res = {}
        for i, _ in xcases:
            res[("export", i)] = (got[f"cbx{i}"], got[f"cnx{i}"])
        for i, _ in icases:
            res[("import", i)] = (got[f"cbi{i}"], got[f"cni{i}"])
        res["_seconds"] = time.time() - t0
        return res
    finally:
        if os.environ.get("CONFORMANCE_HOLD"):  # debugging: keep everything up for a while
            print("namespace", ns.name, "kept for", os.environ["CONFORMANCE_HOLD"], "s")
            time.sleep(float(os.environ["CONFORMANCE_HOLD"]))
        ns.delete()
