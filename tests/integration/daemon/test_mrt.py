"""MRT (RFC 6396) dumps read by Debian's bgpdump (issue 16): `nvabgpctl dump mrt FILE` writes a
TABLE_DUMP_V2 snapshot holding the same routes (prefix, AS path, next hop) as `show route
--json`, IPv4 and IPv6, over more prefixes than one walk slice (1,024); the configured `mrt`
dump rotates files by time, each starting with a snapshot, and holds BGP4MP_ET state changes
and the UPDATEs received from a real gobgpd session."""
import subprocess

from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_add, link, peer

LOCAL = 3000  # originated prefixes: more than one TableWalk slice (1,024)


def bgpdump(path) -> list:
    """bgpdump -m lines split on '|'."""
    r = subprocess.run(["bgpdump", "-m", str(path)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("|") for line in r.stdout.splitlines() if line]


def table(lines) -> set:
    """{(prefix, as_path, next_hop)} of TABLE_DUMP2 lines (next hop '' for our own routes)."""
    out = set()
    for f in lines:
        assert f[0] == "TABLE_DUMP2" and f[2] == "B", f
        own = f[3] in ("0.0.0.0", "::")
        out.add((f[5], f[6], "" if own else f[8]))
    return out


def shown(d) -> set:
    out = set()
    for r in d.ctl_json("show", "route", "all")["routes"]:
        for p in r["paths"]:
            a = p["attributes"]
            out.add((r["prefix"], a["as_path"], "" if p["peer"] == "local" else a["next_hop"]))
    return out


def test_mrt_dumps_read_by_bgpdump(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    fams = ["ipv4-unicast", "ipv6-unicast"]
    originate = [{"prefix": f"10.{100 + i // 256}.{i % 256}.0/24"} for i in range(LOCAL)]
    originate.append({"prefix": "2001:db8:77::/48"})
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "peers": [peer("gobgp", "10.0.1.2", 65002, families=fams)],
           "originate": originate,
           "mrt": {"file": str(tmp_path / "mrt" / "nvabgpd.%Y%m%d.%H%M%S.mrt"), "interval": 1}}
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2",
              [Neighbor("10.0.1.1", 65001, families=("ipv4", "ipv6"))]).start()
    wait_until(lambda: d.state("gobgp") == "Established", 40, what="session with gobgp")
    gobgp_add(g, "10.20.0.0/24", "community", "65002:7", "aspath", "65010,65011")
    gobgp_add(g, "10.21.0.0/24", "med", "5")
    gobgp_add(g, "2001:db8:20::/48", family="ipv6")
    wait_until(lambda: {"10.20.0.0/24", "10.21.0.0/24", "2001:db8:20::/48"} <= set(d.routes()),
               20, what="gobgp's routes in nvabgpd")

    # On-demand snapshot: the same routes as `show route`.
    snap = tmp_path / "snapshot.mrt"
    out = d.ctl("dump", "mrt", str(snap)).stdout
    assert f"{LOCAL + 4} prefixes" in out, out
    lines = bgpdump(snap)
    assert len(lines) == LOCAL + 4
    assert table(lines) == shown(d)
    by_prefix = {f[5]: f for f in lines}
    assert by_prefix["10.20.0.0/24"][6] == "65002 65010 65011"
    assert by_prefix["10.20.0.0/24"][11] == "65002:7"
    # GoBGP sends an IPv4-mapped IPv6 next hop over an IPv4 session; RIB_IPV6_UNICAST carries it
    assert by_prefix["2001:db8:20::/48"][8] == "::ffff:10.0.1.2"
    # An existing file is never overwritten.
    r = d.ctl("dump", "mrt", str(snap), check=False)
    assert r.returncode == 1 and "File exists" in r.stderr

    # Configured dumps: rotated files, snapshot first, then BGP4MP_ET messages.
    gobgp_add(g, "10.23.0.0/24", "aspath", "65023")
    files = lambda: sorted((tmp_path / "mrt").glob("nvabgpd.*.mrt"))  # noqa: E731
    def announced():
        return any(f[0] == "BGP4MP_ET" and f[2] == "A" and f[5] == "10.23.0.0/24"
                   for p in files() for f in bgpdump(p))
    wait_until(announced, 20, what="the UPDATE in a BGP4MP_ET record")
    all_lines = [f for p in files() for f in bgpdump(p)]
    a = [f for f in all_lines if f[0] == "BGP4MP_ET" and f[2] == "A" and f[5] == "10.23.0.0/24"][0]
    assert a[3] == "10.0.1.2" and a[4] == "65002" and a[6] == "65002 65023" and a[8] == "10.0.1.2"
    states = [(f[5], f[6]) for f in all_lines if f[0] == "BGP4MP_ET" and f[2] == "STATE"]
    assert ("5", "6") in states, states  # OpenConfirm -> Established
    # A later file starts with a snapshot that holds the new route too, as `show route` does.
    def rotated_snapshot():
        lines = [f for f in bgpdump(files()[-1]) if f[0] == "TABLE_DUMP2"]
        return lines if len(lines) == LOCAL + 5 else None
    wait_until(rotated_snapshot, 20, what="a rotated file with the whole table")
    assert len(files()) >= 2
    assert table(rotated_snapshot()) == shown(d)
    g.stop()
    wait_until(lambda: any(f[0] == "BGP4MP_ET" and f[2] == "STATE" and f[5] == "6"
                           for p in files() for f in bgpdump(p)), 20, what="state change down")
