#!/usr/bin/python3
"""BIRD 2's figures for two hostile-peer scenarios of issue 18, measured with the same raw peers
and inputs as nvabgpd's regression tests (tests/integration/daemon/test_refresh_flood.py and
test_hostile_updates.py), so the closing note can put the two side by side:

  refresh: 100,000 routes from a feeder; a sink that reads its OPEN and then never reads sends
           1,000 ROUTE-REFRESH messages: BIRD's RSS growth, and after the sink closes.
  log:     1,000 UPDATEs each with 50 malformations (49 repeated ATOMIC_AGGREGATE, a MED of
           length 3): octets of BIRD log per octet received.

Runs as root, in namespaces it creates and deletes (nvbt prefix):
  /usr/bin/python3 tests/bench/hostile/bird_reference.py
"""
import pathlib
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[2]
sys.path.insert(0, str(SRC / "tests" / "integration"))
sys.path.insert(0, str(SRC / "tests" / "integration" / "daemon"))
from nvbtest import Lab, veth_pair, wait_until  # noqa: E402
from rawbgp import RawPeer, attr, route_refresh, update  # noqa: E402
from test_hostile_updates import base  # noqa: E402
from test_refresh_flood import ROUTES, settled_rss, table_updates  # noqa: E402


class BirdDut:
    def __init__(self, ns, workdir, peers):
        self.ns, self.dir = ns, pathlib.Path(workdir)
        self.sock = self.dir / "bird.ctl"
        self.log_path = self.dir / "bird.log"
        conf = [f'log "{self.log_path}" all;', "router id 10.0.0.1;", "protocol device {}"]
        for name, addr, asn in peers:
            conf.append(f"protocol bgp {name} {{ local as 65001; neighbor {addr} as {asn};\n"
                        "  passive on; hold time 90; ipv4 { import all; export all; }; }")
        (self.dir / "bird.conf").write_text("\n".join(conf) + "\n")
        self.proc = ns.popen(["bird", "-f", "-c", str(self.dir / "bird.conf"), "-s",
                              str(self.sock), "-P", str(self.dir / "bird.pid")],
                             log_path=str(self.dir / "stderr.log"))

    def birdc(self, *args):
        return self.ns.out("birdc", "-s", str(self.sock), *args)

    def route_count(self):
        for line in self.birdc("show", "route", "count").splitlines():
            if "of" in line and "routes" in line:
                return int(line.split()[0])
        return -1


def refresh_flood(workdir):
    with Lab() as lab:
        d_ns, f_ns, s_ns = lab.ns("d"), lab.ns("f"), lab.ns("s")
        veth_pair(d_ns, "10.0.1.1/24", f_ns, "10.0.1.2/24")
        veth_pair(d_ns, "10.0.2.1/24", s_ns, "10.0.2.2/24")
        b = BirdDut(d_ns, workdir, [("feeder", "10.0.1.2", 65002), ("sink", "10.0.2.2", 65003)])
        feeder = RawPeer(f_ns, "10.0.1.2", "10.0.1.1", 65002).connect()
        for msg in table_updates("10.0.1.2"):
            feeder.send(msg)
        feeder.send(update())
        wait_until(lambda: b.route_count() >= ROUTES, 120, what="100k routes in BIRD")
        sink = RawPeer(s_ns, "10.0.2.2", "10.0.2.1", 65003, rcvbuf=4096).connect()
        base_rss = settled_rss(b.proc.pid)
        sink.send(route_refresh() * 1000)
        flooded = settled_rss(b.proc.pid)
        sink.close()
        closed = settled_rss(b.proc.pid)
        feeder.close()
        b.proc.stop()
        return (f"BIRD refresh flood: RSS base {base_rss} KiB, after 1,000 refreshes "
                f"+{flooded - base_rss} KiB, after close +{closed - base_rss} KiB")


def malformed_log(workdir):
    with Lab() as lab:
        d_ns, r_ns = lab.ns("d"), lab.ns("r")
        veth_pair(d_ns, "10.0.1.1/24", r_ns, "10.0.1.2/24")
        b = BirdDut(d_ns, workdir, [("raw", "10.0.1.2", 65002)])
        raw = RawPeer(r_ns, "10.0.1.2", "10.0.1.1", 65002).connect()
        before = b.log_path.stat().st_size if b.log_path.exists() else 0
        attrs = base(nh="10.0.1.2") + attr(0x40, 6, b"") * 50 + attr(0x80, 4, b"\x00\x00\x01")
        msg = update(attrs, ["10.60.0.0/24"])
        n = 1000
        raw.send(msg * n)
        raw.send(update())  # End-of-RIB: processed after every malformed UPDATE
        # BIRD has read everything once its protocol status stops changing (benchmark only).
        last = None
        for _ in range(30):
            text = b.birdc("show", "protocols", "all", "raw")
            if text == last:
                break
            last = text
            time.sleep(1)
        raw.close()
        b.proc.stop()
        log_bytes = b.log_path.stat().st_size - before
        state = "session reset" if "Error" in (b.log_path.read_text(errors="replace")) else "up"
        return (f"BIRD malformed log: {n} UPDATEs ({len(msg) * n} octets): {log_bytes} octets "
                f"of log, {log_bytes / (len(msg) * n):.3f} per octet ({state})")


def main():
    with tempfile.TemporaryDirectory(prefix="nvbt-hostile-") as wd:
        for f in (refresh_flood, malformed_log):
            sub = pathlib.Path(wd) / f.__name__
            sub.mkdir()
            sub.chmod(0o777)
            print(f(sub), flush=True)


if __name__ == "__main__":
    main()
