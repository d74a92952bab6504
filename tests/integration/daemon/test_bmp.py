"""BMP (RFC 7854) export to pmacct's BMP collector (Debian's pmbmpd), for a real session with
gobgpd (issue 16): Initiation, Peer Up with both OPENs, the routes of the session in the
post-policy Adj-RIB-In (L flag) from the sync of a station that connects late, pre- and
post-policy Route Monitoring of live UPDATEs (a route the import filter rejects is only in
the pre-policy view), Statistics Reports, Peer Down when the peer stops, and Termination when
nvabgpd stops."""
import json

from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, link, peer

IN = "filter IN {\n  if net ~ [ 10.66.0.0/16+ ] then reject;\n  accept;\n}\n"


class Collector:
    """pmbmpd listening in its own namespace, logging every BMP message as JSON lines."""

    def __init__(self, ns, tmp_path, address, port=1790):
        self.out = tmp_path / "pmbmpd.json"
        self.proc = ns.popen(["pmbmpd", "-L", address, "-l", str(port), "-o", str(self.out)],
                             log_path=str(tmp_path / "pmbmpd.log"))

    def messages(self) -> list:
        if not self.out.exists():
            return []
        out = []
        for line in self.out.read_text().splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # a line being written
        return out

    def find(self, **match) -> list:
        return [m for m in self.messages() if all(m.get(k) == v for k, v in match.items())]

    def stop(self):
        self.proc.stop()


def test_bmp_to_pmbmpd(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    c_ns = link(lab, d_ns, "c", "10.0.3.1/24", "10.0.3.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "peers": [peer("gobgp", "10.0.1.2", 65002, **{"import": "IN"})],
           "bmp": [{"address": "10.0.3.2", "port": 1790, "stats-interval": 1}]}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters={"in.conf": IN}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    wait_until(lambda: d.state("gobgp") == "Established", 40, what="session with gobgp")
    # Routes learned before the station exists reach it through the sync.
    gobgp_add(g, "10.20.0.0/24", "community", "65002:7", "aspath", "65010")
    gobgp_add(g, "10.21.0.0/24")
    wait_until(lambda: {"10.20.0.0/24", "10.21.0.0/24"} <= set(d.routes()), 20,
               what="routes in nvabgpd")
    # The daemon is already retrying the station (connection refused, backoff).
    c = Collector(c_ns, tmp_path, "10.0.3.2")
    try:
        wait_until(lambda: c.find(bmp_msg_type="peer_up"), 30, what="BMP Peer Up")
        init = c.find(bmp_msg_type="init")[0]
        assert init["bmp_init_info_sysname"] == "10.0.0.1"
        up = c.find(bmp_msg_type="peer_up")[0]
        assert up["peer_ip"] == "10.0.1.2" and up["peer_asn"] == 65002
        assert up["bgp_id"] == "10.0.1.2" and up["local_ip"] == "10.0.1.1"
        assert 179 in (up["local_port"], up["remote_port"])

        def post(prefix):
            return c.find(bmp_msg_type="route_monitor", ip_prefix=prefix, is_post=1,
                          log_type="update")

        def pre(prefix):
            return c.find(bmp_msg_type="route_monitor", ip_prefix=prefix, is_post=0,
                          log_type="update")

        wait_until(lambda: post("10.20.0.0/24") and post("10.21.0.0/24"), 20,
                   what="synced post-policy routes")
        r = post("10.20.0.0/24")[0]
        shown = d.routes("10.20.0.0/24")["10.20.0.0/24"][0]["attributes"]
        assert r["as_path"] == shown["as_path"] == "65002 65010"
        assert r["bgp_nexthop"] == shown["next_hop"] == "10.0.1.2"
        assert r["comms"] == "65002:7"

        # Live UPDATEs: pre-policy as received, post-policy as accepted.
        gobgp_add(g, "10.22.0.0/24", "med", "40")
        gobgp_add(g, "10.66.1.0/24")  # rejected by the import filter
        wait_until(lambda: pre("10.22.0.0/24") and post("10.22.0.0/24") and pre("10.66.1.0/24"),
                   20, what="live route monitoring")
        assert pre("10.22.0.0/24")[0]["med"] == 40
        assert not post("10.66.1.0/24"), "a rejected route is not in the post-policy view"
        assert not pre("10.20.0.0/24"), "no pre-policy copy without soft-reconfiguration"
        # Withdrawals reach both views.
        g.cli("global", "rib", "del", "10.22.0.0/24", "-a", "ipv4")
        wait_until(lambda: c.find(bmp_msg_type="route_monitor", ip_prefix="10.22.0.0/24",
                                  log_type="withdraw", is_post=1), 20, what="post-policy withdraw")
        assert c.find(bmp_msg_type="route_monitor", ip_prefix="10.22.0.0/24",
                      log_type="withdraw", is_post=0)

        wait_until(lambda: c.find(bmp_msg_type="stats", counter_type=7), 10, what="stats")
        wait_until(lambda: any(s["counter_value"] == 1 for s in
                               c.find(bmp_msg_type="stats", counter_type=0)), 10,
                   what="rejected-by-policy counter of 1")

        g.stop()
        wait_until(lambda: c.find(bmp_msg_type="peer_down"), 20, what="BMP Peer Down")
        down = c.find(bmp_msg_type="peer_down")[0]
        assert down["peer_ip"] == "10.0.1.2"
        assert down["reason_type"] == 3  # the remote system closed it with a NOTIFICATION

        d.stop()
        wait_until(lambda: c.find(bmp_msg_type="term"), 10, what="BMP Termination")
        assert "shutting down" in c.find(bmp_msg_type="term")[0]["bmp_term_info_string"]
    finally:
        c.stop()


def test_bmp_sync_replays_pre_policy_with_soft_reconfiguration(lab, tmp_path):
    """With soft-reconfiguration the RIB keeps the routes as received, so a station that
    connects late gets the pre-policy view too, including the routes the filter rejected."""
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    c_ns = link(lab, d_ns, "c", "10.0.3.1/24", "10.0.3.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "peers": [peer("gobgp", "10.0.1.2", 65002,
                          **{"import": "IN", "soft-reconfiguration": True})],
           "bmp": [{"address": "10.0.3.2", "port": 1790, "stats-interval": 0}]}
    d = Nvabgpd(d_ns, tmp_path, cfg, filters={"in.conf": IN}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    wait_until(lambda: d.state("gobgp") == "Established", 40, what="session with gobgp")
    gobgp_add(g, "10.20.0.0/24", "aspath", "65010")
    gobgp_add(g, "10.66.1.0/24")  # rejected by the import filter
    wait_until(lambda: d.protocols()["gobgp"]["routes"]["received"] >= 2, 20,
               what="both routes received")
    c = Collector(c_ns, tmp_path, "10.0.3.2")
    try:
        def rm(prefix, post):
            return c.find(bmp_msg_type="route_monitor", ip_prefix=prefix, is_post=post,
                          log_type="update")

        wait_until(lambda: rm("10.20.0.0/24", 0) and rm("10.66.1.0/24", 0), 30,
                   what="pre-policy routes from the sync")
        assert rm("10.20.0.0/24", 0)[0]["as_path"] == "65002 65010"
        assert rm("10.20.0.0/24", 1), "post-policy view synced too"
        assert not rm("10.66.1.0/24", 1), "the rejected route is only in the pre-policy view"
        assert not c.find(bmp_msg_type="stats"), "stats-interval 0 sends no Statistics Report"
    finally:
        c.stop()
