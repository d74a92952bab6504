"""The control socket and nvabgpctl against a live daemon (issue 7)."""
import json
import socket

from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, gobgp_routes, link, peer

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
