"""Differential harness: the same filter and routes through a real bird2 and through
`nvabgpctl filter test`, normalised to one comparable form.

BIRD side: a private bird process (control socket and config in a temp dir, no kernel or device
protocol, no network at all) with static routes carrying the test attributes in table src4/src6,
piped through the filter under test into dst4/dst6; `birdc show route table dstX all` is parsed.
"""
import json
import os
import re
import subprocess
import tempfile
import time

from nvbtest import Process, binary, wait_until

BIRD = "/usr/sbin/bird"
BIRDC = "/usr/sbin/birdc"


def _static_route(r):
    """A BIRD static route whose attributes are set by a per-route block."""
    cmds = []
    for asn in reversed(r.get("as_path", [])):
        cmds.append(f"bgp_path.prepend({asn});")
    cmds.append(f"bgp_origin = ORIGIN_{r.get('origin', 'igp').upper()};")
    for c in r.get("communities", []):
        a, b = c.split(":")
        cmds.append(f"bgp_community.add(({a},{b}));")
    for c in r.get("large_communities", []):
        a, b, d = c.split(":")
        cmds.append(f"bgp_large_community.add(({a},{b},{d}));")
    for c in r.get("ext_communities", []):
        k, a, b = c.split(":")
        cmds.append(f"bgp_ext_community.add(({k},{a},{b}));")
    for k in ("med", "local_pref"):
        if k in r:
            cmds.append(f"bgp_{k} = {r[k]};")
    if "next_hop" in r:
        cmds.append(f"bgp_next_hop = {r['next_hop']};")
    return f"  route {r['prefix']} blackhole {{ {' '.join(cmds)} }};"


def gobgp_rib_add_args(r):
    """`gobgp global rib add` arguments for a test route (AS_SETs written `{1,2}` for gobgp;
    of the extended communities only rt:A:B)."""
    args = ["global", "rib", "add", r["prefix"], "origin", r.get("origin", "igp")]
    if r.get("as_path"):
        args += ["aspath", re.sub(r"\{([^}]*)\}", lambda m: "{" + ",".join(m.group(1).split()) + "}",
                                  str(r["as_path"]))]
    if r.get("communities"):
        args += ["community", ",".join(r["communities"])]
    if r.get("large_communities"):
        args += ["large-community", ",".join(r["large_communities"])]
    if "med" in r:
        args += ["med", str(r["med"])]
    for ec in r.get("ext_communities", []):
        if ec.startswith("rt:"):
            args += ["rt", ec.split(":", 1)[1]]
    return args


def bird_config(filter_text, routes, log_path):
    v4 = [r for r in routes if ":" not in r["prefix"]]
    v6 = [r for r in routes if ":" in r["prefix"]]
    out = [f'log "{log_path}" all;', "router id 192.0.2.1;",
           "ipv4 table src4;", "ipv4 table dst4;", "ipv6 table src6;", "ipv6 table dst6;",
           filter_text]
    for fam, rs in (("4", v4), ("6", v6)):
        out.append(f"protocol static s{fam} {{\n  ipv{fam} {{ table src{fam}; import all; }};")
        out.extend(_static_route(r) for r in rs)
        out.append("}")
        out.append(f"protocol pipe p{fam} {{ table src{fam}; peer table dst{fam}; "
                   f"export filter f; import none; }}")
    return "\n".join(out) + "\n"


def _birdc(sock, *cmd):
    return subprocess.run([BIRDC, "-s", sock, *cmd], capture_output=True, text=True,
                          timeout=20).stdout


_COMM = re.compile(r"\((\d+),(\d+)\)")
_LC = re.compile(r"\((\d+), (\d+), (\d+)\)")
_EC = re.compile(r"\((\w+), ([\d.]+), (\d+)\)")


def parse_show_route(text):
    """{prefix: normalised attribute dict} from `show route ... all`."""
    routes = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^([0-9a-fA-F.:]+/\d+)\s", line)
        if m:
            cur = {"as_path": ""}
            routes[m.group(1)] = cur
            continue
        if cur is None or ":" not in line:
            continue
        key, _, val = line.strip().partition(": ")
        val = val.strip()
        if key == "BGP.as_path":
            cur["as_path"] = val
        elif key == "BGP.origin":
            cur["origin"] = val.lower()
        elif key == "BGP.next_hop":
            cur["next_hop"] = val
        elif key == "BGP.med":
            cur["med"] = int(val)
        elif key == "BGP.local_pref":
            cur["local_pref"] = int(val)
        elif key == "BGP.community":
            cur["communities"] = sorted(f"{a}:{b}" for a, b in _COMM.findall(val))
        elif key == "BGP.large_community":
            cur["large_communities"] = sorted(f"{a}:{b}:{c}" for a, b, c in _LC.findall(val))
        elif key == "BGP.ext_community":
            cur["ext_communities"] = sorted(f"{k}:{a}:{b}" for k, a, b in _EC.findall(val))
    return routes


def bird_check_config(filter_text, routes):
    """(ok, message) of `bird -p` on the generated configuration."""
    with tempfile.TemporaryDirectory(prefix="nvbt-bird-") as d:
        conf = os.path.join(d, "bird.conf")
        with open(conf, "w") as f:
            f.write(bird_config(filter_text, routes, os.path.join(d, "bird.log")))
        p = subprocess.run([BIRD, "-p", "-c", conf], capture_output=True, text=True, timeout=20)
        return p.returncode == 0, (p.stdout + p.stderr).strip()


PRINTS = [[]]  # print output of the last run_bird, sorted (routes are not evaluated in order)


def run_bird(filter_text, routes):
    """Returns ({prefix: attrs} of accepted routes, [runtime error log lines])."""
    with tempfile.TemporaryDirectory(prefix="nvbt-bird-") as d:
        conf = os.path.join(d, "bird.conf")
        log = os.path.join(d, "bird.log")
        sock = os.path.join(d, "bird.ctl")
        with open(conf, "w") as f:
            f.write(bird_config(filter_text, routes, log))
        proc = Process([BIRD, "-f", "-c", conf, "-s", sock, "-P", os.path.join(d, "pid")],
                       log_path=os.path.join(d, "stdout"))
        try:
            n4 = sum(1 for r in routes if ":" not in r["prefix"])
            n6 = len(routes) - n4

            def settled():
                if not os.path.exists(sock):
                    return False
                for fam, n in (("4", n4), ("6", n6)):
                    out = _birdc(sock, "show", "protocols", "all", f"p{fam}")
                    m = re.search(r"Export updates:\s+(\d+)", out)
                    if not m or int(m.group(1)) != n:
                        return False
                return True

            wait_until(settled, timeout=20, what="bird to pipe every route")
            accepted = {}
            for fam in ("4", "6"):
                accepted.update(parse_show_route(_birdc(sock, "show", "route", "table",
                                                        f"dst{fam}", "all")))
            errors, prints = [], []
            if os.path.exists(log):
                lines = open(log).read().splitlines()
                errors = [l for l in lines if "<ERR>" in l]
                prints = sorted(l.split("<INFO> ", 1)[1] for l in lines
                                if "<INFO> " in l and not l.endswith("<INFO> Started"))
            PRINTS[0] = prints
            return accepted, errors
        finally:
            proc.stop()


OUR_PRINTS = [[]]


def run_ours(filter_text, routes):
    """Returns ({prefix: attrs} of accepted routes, {prefix: runtime error}, exit code, stderr)."""
    with tempfile.TemporaryDirectory(prefix="nvbt-ctl-") as d:
        path = os.path.join(d, "f.conf")
        with open(path, "w") as f:
            f.write(filter_text)
        lines = "".join(json.dumps(r) + "\n" for r in routes)
        p = subprocess.run([binary("nvabgpctl"), "filter", "test", "--file", path, "--filter", "f",
                            "--json"], input=lines, capture_output=True, text=True, timeout=60)
        accepted, errors = {}, {}
        prints = []
        for line in p.stdout.splitlines():
            j = json.loads(line)
            prints.extend(j.get("print", []))
            if "error" in j:
                errors[j.get("prefix")] = j["error"]
            if j.get("result") != "accept":
                continue
            a = {"as_path": j["as_path"], "origin": j["origin"]}
            for k in ("next_hop", "med", "local_pref", "communities", "large_communities",
                      "ext_communities"):
                if k in j:
                    a[k] = j[k]
            accepted[j["prefix"]] = a
        OUR_PRINTS[0] = sorted(prints)
        return accepted, errors, p.returncode, p.stderr


# --------------------------------------------------------------------------------------------
# Routes with AS_SETs and received duplicate communities cannot be built in a BIRD static
# route, so they are originated by gobgpd (AS 65001) over a BGP session on 127.0.0.0/8 and
# received by bird (AS 65010) into src4; the same path (with 65001 prepended) goes to ours.

GOBGPD = "/usr/bin/gobgpd"
GOBGP = "/usr/bin/gobgp"


def _free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def bgp_fed_routes(routes):
    """The routes as bird will see them after eBGP from AS 65001 (our side's input)."""
    out = []
    for r in routes:
        o = dict(r)
        o["as_path"] = ("65001 " + r.get("as_path", "")).strip()
        o.setdefault("origin", "igp")
        o["local_pref"] = 100
        o["next_hop"] = "127.0.0.2"
        out.append(o)
    return out


def run_bird_bgp(filter_text, routes):
    """Like run_bird, with the routes injected through gobgpd -> bird BGP."""
    import random
    a_gobgp, a_bird = "127.0.0.2", "127.0.0.3"
    p_gobgp, p_bird, p_api = _free_port(), _free_port(), _free_port()
    with tempfile.TemporaryDirectory(prefix="nvbt-bgp-") as d:
        with open(os.path.join(d, "gobgpd.toml"), "w") as f:
            f.write(f"""[global.config]
  as = 65001
  router-id = "{a_gobgp}"
  port = {p_gobgp}
  local-address-list = ["{a_gobgp}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{a_bird}"
    peer-as = 65010
  [neighbors.transport.config]
    remote-port = {p_bird}
    local-address = "{a_gobgp}"
  [neighbors.timers.config]
    connect-retry = 1
""")
        log = os.path.join(d, "bird.log")
        sock = os.path.join(d, "bird.ctl")
        conf = os.path.join(d, "bird.conf")
        with open(conf, "w") as f:
            f.write(f"""log "{log}" all;
router id 192.0.2.{random.randint(2, 250)};
ipv4 table src4; ipv4 table dst4; ipv4 table igp4;
{filter_text}
protocol static st {{ ipv4 {{ table igp4; }}; route 127.0.0.0/8 blackhole; }}
protocol bgp g {{
  local {a_bird} port {p_bird} as 65010; neighbor {a_gobgp} port {p_gobgp} as 65001; multihop;
  passive on;  # gobgpd connects (retrying every second), so no connect-retry race
  ipv4 {{ table src4; igp table igp4; gateway recursive; import all; export none; }};
}}
protocol pipe p4 {{ table src4; peer table dst4; export filter f; import none; }}
""")
        bird = Process([BIRD, "-f", "-c", conf, "-s", sock, "-P", os.path.join(d, "pid")],
                       log_path=os.path.join(d, "stdout"))
        gobgpd = Process([GOBGPD, "-f", os.path.join(d, "gobgpd.toml"), "--api-hosts",
                          f"127.0.0.1:{p_api}", "-l", "warn"], log_path=os.path.join(d, "gobgpd.log"))
        try:
            api = [GOBGP, "-u", "127.0.0.1", "-p", str(p_api)]
            wait_until(lambda: subprocess.run(api + ["global"], capture_output=True).returncode == 0,
                       timeout=20, what="gobgpd API")
            for r in routes:
                cmd = api + gobgp_rib_add_args(r) + ["nexthop", a_gobgp]
                subprocess.run(cmd, check=True, capture_output=True, timeout=20)

            def settled():
                if not os.path.exists(sock):
                    return False
                out = _birdc(sock, "show", "protocols", "all", "p4")
                m = re.search(r"Export updates:\s+(\d+)", out)
                return m is not None and int(m.group(1)) == len(routes)

            wait_until(settled, timeout=60, what="bird to receive and pipe every route")
            accepted = parse_show_route(_birdc(sock, "show", "route", "table", "dst4", "all"))
            errors = [l for l in open(log).read().splitlines() if "<ERR>" in l] if os.path.exists(log) else []
            return accepted, errors
        finally:
            bird.stop()
            gobgpd.stop()
