"""The control socket and nvabgpctl against a live daemon (issue 7)."""
import json
import socket
import subprocess

import pytest

from nvbtest import binary, wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, gobgp_attrs, gobgp_routes, link, peer

FILTERS = {"out.conf": "filter OUT {\n  if net ~ [ 10.66.0.0/16+ ] then reject;\n  accept;\n}\n"}


def _pair(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    h_ns = link(lab, d_ns, "h", "10.0.2.1/24", "10.0.2.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("gobgp", "10.0.1.2", 65002), peer("other", "10.0.2.2", 65003, export="OUT")]},
        filters=FILTERS).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    h = GoBgp(h_ns, tmp_path, 65003, "10.0.2.2", [Neighbor("10.0.2.1", 65001)]).start()
    wait_until(lambda: d.state("gobgp") == "Established" and d.state("other") == "Established",
               40, what="sessions")
    return d, g, h


def test_show_route_all_layout_json_and_explain(lab, tmp_path):
    d, g, h = _pair(lab, tmp_path)
    gobgp_add(g, "10.40.0.0/24", "community", "65002:40", "origin", "igp")
    gobgp_add(g, "10.66.1.0/24")
    wait_until(lambda: {"10.40.0.0/24", "10.66.1.0/24"} <= d.routes().keys(), 20)
    text = d.ctl("show", "route", "10.40.0.0/24", "all").stdout
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines[0].startswith("10.40.0.0/24") and "via 10.0.1.2" in lines[0]
    block = [ln for ln in lines if ln.startswith("BGP.")]
    assert block[:3] == ["BGP.origin: IGP", "BGP.as_path: 65002", "BGP.next_hop: 10.0.1.2"]
    assert "BGP.community: (65002,40)" in block
    # JSON schema of one route
    r = d.ctl_json("show", "route", "10.40.0.0/24")["routes"][0]
    p = r["paths"][0]
    assert {"peer", "from", "since", "best", "stale", "attributes"} <= p.keys()
    assert p["attributes"]["as_path_segments"] == [{"type": "sequence", "asns": [65002]}]
    wait_until(lambda: "10.40.0.0/24" in gobgp_routes(h), 20, what="10.40 at the other peer")
    proto = d.protocols()["other"]
    assert {"name", "address", "asn", "description", "template", "enabled", "state", "since",
            "last_error", "import", "export", "flaps", "messages", "routes", "session"} \
        <= proto.keys()
    assert proto["export"] == "OUT" and proto["routes"]["exported"] == 1   # 10.66.1.0 filtered
    assert {"updates_in", "updates_out", "keepalives_in", "opens_out"} <= proto["messages"].keys()
    count = d.ctl_json("show", "route", "count")
    assert count["prefixes"] == 2
    exp = d.routes("export", "gobgp")
    assert "10.40.0.0/24" not in exp          # split horizon: not back to where it came from
    why = d.ctl_json("explain", "10.40.0.0/24", "to", "gobgp")["export"]
    # split horizon toward eBGP: the daemon says the best path came from that peer
    assert not why["exported"] and "learned from this peer" in why["why"].lower()
    why = d.ctl_json("explain", "10.66.1.0/24", "to", "other")["export"]
    assert not why["exported"] and "out.conf:2" in why["why"], why
    why = d.ctl_json("explain", "10.40.0.0/24", "to", "other")["export"]
    assert why["exported"]
    # `show route export` shows what the peer receives: our address toward it as next hop
    # (next-hop-self toward eBGP), our ASN prepended; the same as GoBGP got.
    sent = d.routes("export", "other")["10.40.0.0/24"][0]["attributes"]
    got = gobgp_attrs(gobgp_routes(h)["10.40.0.0/24"])
    assert sent["next_hop"] == "10.0.2.1" == got[3]["nexthop"], (sent, got)
    assert sent["as_path"] == "65001 65002", sent
    assert [a for s in got[2]["as_paths"] for a in s["asns"]] == [65001, 65002], got
    text = d.ctl("show", "route", "export", "other", "all").stdout
    assert "BGP.next_hop: 10.0.2.1" in text, text


def _raw(sock_path, data, read=True):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(sock_path)
        s.sendall(data)
        if not read:
            return b""
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(65536)
            if not c:
                break
            buf += c
        return buf


def test_bad_control_input_gets_errors_and_daemon_keeps_answering(lab, tmp_path):
    d, g, h = _pair(lab, tmp_path)
    ans = json.loads(_raw(d.sock, b"\x00\xffgarbage{{{\n"))
    assert ans["ok"] is False and ans["error"]
    ans = d.request({"command": "frobnicate"})
    assert ans["ok"] is False and "frobnicate" in ans["error"]
    ans = d.request({"command": "show route", "args": {"prefix": "not-a-prefix"}})
    assert ans["ok"] is False
    # a malformed line keeps the connection usable
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(d.sock)
        s.sendall(b"nonsense\n" + json.dumps({"command": "show protocols"}).encode() + b"\n")
        f = s.makefile("rb")
        assert json.loads(f.readline())["ok"] is False
        second = json.loads(f.readline())
        assert second["ok"] is True and len(second["result"]) == 2
    # idle clients and clients vanishing mid-request do not block others
    idle = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(3)]
    try:
        for s in idle:
            s.connect(d.sock)
        _raw(d.sock, b'{"command": "show prot', read=False)
        _raw(d.sock, json.dumps({"command": "show route"}).encode() + b"\n", read=False)
        assert d.request({"command": "show protocols"})["ok"] is True
        assert d.ctl("show", "protocols").returncode == 0
    finally:
        for s in idle:
            s.close()
    assert d.alive() and d.state("gobgp") == "Established"
    assert d.ctl("show", "route", "nonsense", check=False).returncode == 2   # usage error
    r = d.ctl("explain", "10.40.0.0/24", "to", "nosuchpeer", check=False)
    assert r.returncode == 1 and "nosuchpeer" in r.stderr + r.stdout


def test_disable_enable_restart_peer(lab, tmp_path):
    d, g, h = _pair(lab, tmp_path)
    gobgp_add(g, "10.42.0.0/24")
    wait_until(lambda: "10.42.0.0/24" in gobgp_routes(h), 20, what="route at the other peer")
    assert d.ctl("disable", "gobgp").returncode == 0
    wait_until(lambda: not g.established("10.0.1.1"), 20, what="gobgp sees the session close")
    wait_until(lambda: "10.42.0.0/24" not in gobgp_routes(h), 20, what="route withdrawn")
    assert d.protocols()["gobgp"]["enabled"] is False
    assert d.protocols()["other"]["state"] == "Established"
    assert d.ctl("enable", "gobgp").returncode == 0
    wait_until(lambda: d.state("gobgp") == "Established", 30, what="back up")
    wait_until(lambda: "10.42.0.0/24" in gobgp_routes(h), 20, what="route back")
    r = d.ctl("restart", "nosuchpeer", check=False)
    assert r.returncode == 1


# --- issue 18: show route streamed from the table in slices; bounded clients -------------------

N_ROUTES = 100_000


def _loaded(lab, tmp_path, prefixes=N_ROUTES):
    """nvabgpd holding `prefixes` routes from the bench injector (tests/bench/convergence)."""
    try:
        injector = binary("bgp_injector")
    except FileNotFoundError:
        pytest.skip("bgp_injector not built (NVABGPD_BENCH=OFF)")
    d_ns = lab.ns("d")
    i_ns = link(lab, d_ns, "i", "10.0.1.1/24", "10.0.1.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 64512, "peers": [
        peer("injector", "10.0.1.2", 64600, passive=True, **{"hold-time": 240})]}).start()
    wait_until(d.ready, 20, what="control socket")
    i_ns.popen([injector, "--connect", "10.0.1.1", "--local", "10.0.1.2",
                "--asn", "64600", "--prefixes", str(prefixes), "--attr-sets",
                str(prefixes // 10)], log_path=str(tmp_path / "injector.log"))
    wait_until(lambda: d.request({"command": "show status"})["result"]["prefixes"] == prefixes,
               120, interval=0.5, what=f"{prefixes} routes loaded")
    return d


def _rss_kib(d):
    return d.request({"command": "show memory"})["result"]["rss_kib"]


def _send(sock_path, obj):
    """A connected client that sent one request and has read nothing."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(120)
    s.connect(sock_path)
    s.sendall(json.dumps(obj).encode() + b"\n")
    return s


def _read_line(s):
    chunks = []
    while True:
        c = s.recv(1 << 20)
        if not c:
            break
        chunks.append(c)
        if c.endswith(b"\n"):
            break
    return b"".join(chunks)


def test_show_route_streams_the_table_while_other_clients_are_answered(lab, tmp_path):
    d = _loaded(lab, tmp_path)
    rss0 = _rss_kib(d)
    dumper = _send(d.sock, {"command": "show route"})
    try:
        head = dumper.recv(65536)          # the answer has begun ...
        assert head.startswith(b'{"ok":true,"result":{"routes":[')
        # ... and while its client is not reading, other clients are answered and the daemon
        # has not built the rest of the answer (the old one held all of it: ~0.5 GB here).
        assert d.request({"command": "show protocols"})["result"][0]["state"] == "Established"
        assert _rss_kib(d) - rss0 < 32 * 1024
        answer = json.loads(head + _read_line(dumper))
    finally:
        dumper.close()
    routes = answer["result"]["routes"]
    prefixes = {r["prefix"] for r in routes}
    assert len(routes) == len(prefixes) == N_ROUTES
    assert all(r["paths"][0]["peer"] == "injector" and r["paths"][0]["best"]
               and "as_path" in r["paths"][0]["attributes"] for r in routes)

    # nvabgpctl reads the line-per-route form: the same routes, text and JSON
    def ctl(*args):
        return subprocess.run([binary("nvabgpctl"), "-s", d.sock, *args], capture_output=True,
                              text=True, check=True, timeout=300).stdout
    assert {r["prefix"] for r in json.loads(ctl("--json", "show", "route"))["routes"]} == prefixes
    text = ctl("show", "route").splitlines()
    assert len(text) == N_ROUTES and {ln.split()[0] for ln in text} == prefixes
    assert d.ctl_json("show", "route", "count") == {"count": N_ROUTES, "prefixes": N_ROUTES}
    assert d.ctl_json("show", "route", "protocol", "injector", "count")["count"] == N_ROUTES
    one = sorted(prefixes)[0]
    assert list(d.routes(one)) == [one]
    addr = one.split("/")[0]
    assert list(d.routes("for", addr)) == [one]
    assert d.routes("export", "injector") == {}           # export none
    assert d.routes("filtered") == {}
    # line mode on the wire: a first line, one line per route, an end line with the totals
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(60)
        s.connect(d.sock)
        s.sendall(b'{"command": "show route", "args": {"stream": true, "protocol": "injector"}}\n')
        f = s.makefile("rb")
        assert json.loads(f.readline()) == {"ok": True, "stream": "routes"}
        n = 0
        while True:
            item = json.loads(f.readline())
            if "end" in item:
                break
            n += 1
        assert n == N_ROUTES and item == {"end": True, "count": N_ROUTES, "prefixes": N_ROUTES}
    assert d.alive() and d.state("injector") == "Established"


def test_clients_that_ask_and_never_read_are_bounded(lab, tmp_path):
    d = _loaded(lab, tmp_path)
    rss0 = _rss_kib(d)
    stalled = []
    try:
        for _ in range(20):
            stalled.append(_send(d.sock, {"command": "show route"}))
        for s in stalled:                       # every answer has begun
            assert s.recv(1, socket.MSG_PEEK) == b"{"
        # the old daemon held 20 whole answers here (~1.4 GB); now each walk waits
        grown = _rss_kib(d) - rss0
        assert grown < 64 * 1024, f"RSS grew by {grown} KiB with 20 non-reading clients"
        assert d.request({"command": "show protocols"})["ok"] is True
        # every connection busy answering: the next one is refused with a reason
        for _ in range(64 - len(stalled)):
            stalled.append(_send(d.sock, {"command": "show route"}))
        for s in stalled:
            assert s.recv(1, socket.MSG_PEEK) == b"{"
        ans = d.request({"command": "show status"})
        assert ans["ok"] is False and "too many control connections" in ans["error"]
    finally:
        for s in stalled:
            s.close()
    wait_until(lambda: d.request({"command": "show status"})["ok"], 20, what="served again")
    assert d.alive() and d.state("injector") == "Established"


def test_half_requests_are_bounded_and_do_not_lock_out_clients(lab, tmp_path):
    d, g, h = _pair(lab, tmp_path)
    rss0 = _rss_kib(d)
    holders = []
    try:
        # 300 clients each sending most of 1 MB without a newline: the old daemon buffered
        # all of it (+300 MB); now a request over 64 KiB is refused and closed.
        for _ in range(300):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(d.sock)
            try:
                s.sendall(b'{"command": "show status", "args": {"x": "' + b"a" * 1_000_000)
            except OSError:
                pass                                 # refused and closed mid-request
            holders.append(s)
        assert d.request({"command": "show protocols"})["ok"] is True
        grown = _rss_kib(d) - rss0
        assert grown < 32 * 1024, f"RSS grew by {grown} KiB with 300 half requests"
        def answered(s):
            s.setblocking(False)
            try:
                return s.recv(65536, socket.MSG_PEEK)
            except BlockingIOError:
                return b""
        big = [s for s in holders if answered(s)]
        assert big and b"request too large" in big[0].recv(65536)
        for s in holders:
            s.close()
        holders = []
        # 300 small half requests: at most 64 connections are kept (the longest waiting are
        # closed to make room) and a new client is still served.
        for _ in range(300):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(d.sock)
            s.sendall(b'{"command": "show prot')
            holders.append(s)
        assert d.request({"command": "show protocols"})["ok"] is True

        def closed_by_daemon():
            n = 0
            for s in holders:
                s.setblocking(False)
                try:
                    n += s.recv(1, socket.MSG_PEEK) == b""
                except BlockingIOError:
                    pass
            return n >= 300 - 64
        wait_until(closed_by_daemon, 20, what="half-request holders beyond 64 closed")
    finally:
        for s in holders:
            s.close()
    assert d.alive() and d.state("gobgp") == "Established"


def test_deeply_nested_request_gets_an_error_and_daemon_lives(lab, tmp_path):
    d, g, h = _pair(lab, tmp_path)
    deep = 20_000                                   # 40 KB: under the size limit
    ans = d.request(b'{"command": "show status", "args": {"x": ' + b"[" * deep + b"]" * deep
                    + b"}}")
    assert ans["ok"] is False and "nested deeper than 32" in ans["error"]
    # 100,000 levels (crashed the old daemon's JSON handling) is over the size limit
    ans = d.request(b'{"command": "show status", "args": {"x": ' + b"[" * 100_000
                    + b"]" * 100_000 + b"}}")
    assert ans["ok"] is False and "request too large" in ans["error"]
    ok = d.request({"command": "show status", "args": {"x": [[[["fine"]]]], "y": "[[[[[["}})
    assert ok["ok"] is True
    assert d.alive() and d.state("gobgp") == "Established"
