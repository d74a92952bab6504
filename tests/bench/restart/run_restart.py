#!/usr/bin/python3
"""Restart benchmark with a large kernel table: nvabgpd and BIRD 2 as the device under test.

A BIRD speaker ("feed", AS 65002) announces N blackhole /24s over eBGP to the DUT (AS 65001),
which installs them into its namespace's kernel table. For each DUT it measures:
  - install: DUT start -> the kernel holds all N routes;
  - stop: SIGTERM without persist -> process exit, and routes left behind (must be 0);
  - restart with persist: SIGTERM keeping the routes, start again -> time until the DUT's
    own routes are all re-confirmed, routes deleted from the kernel meanwhile (`ip monitor`),
    and whether the process survived (the 2,048-route crash of issue 18 died here).
Everything runs in namespaces it creates (nvbt prefix) and deletes; run as root:

  /usr/bin/python3 tests/bench/restart/run_restart.py --build build [--routes 100000]
      [--duts nvabgpd,bird] [--json out.json]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[2]
sys.path.insert(0, str(SRC / "tests" / "integration"))
sys.path.insert(0, str(SRC / "tests" / "integration" / "daemon"))
from nvbtest import Lab, veth_pair, wait_until  # noqa: E402
from nvbtest.peers import Neighbor  # noqa: E402
from nvd import BirdSpeaker, Nvabgpd, peer  # noqa: E402

PROTO_NVABGPD, PROTO_BIRD = 186, "bird"


def kernel_count(ns, proto) -> int:
    return len(ns.out("ip", "-4", "route", "show", "proto", str(proto)).splitlines())


def static_routes(n):
    return [(f"100.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}/32" if n > 65536
             else f"100.{i >> 8 & 255}.{i & 255}.0/24", "blackhole") for i in range(n)]


class BirdDut:
    """BIRD 2 with a kernel protocol; persist keeps routes on a clean stop."""

    def __init__(self, ns, workdir):
        self.ns, self.dir = ns, pathlib.Path(workdir) / "bird-dut"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sock = self.dir / "bird.ctl"
        self.proc = None

    def start(self, persist):
        conf = self.dir / "bird.conf"
        conf.write_text(
            "router id 10.0.0.1;\nprotocol device {}\n"
            f"protocol kernel {{ ipv4 {{ export all; }}; {'persist;' if persist else ''}\n"
            "  merge paths on; }\n"
            "protocol bgp feed { local 10.0.1.1 as 65001; neighbor 10.0.1.2 as 65002;\n"
            "  hold time 9; connect retry time 1; error wait time 1, 5;\n"
            "  ipv4 { import all; export none; }; }\n")
        self.proc = self.ns.popen(["bird", "-f", "-c", str(conf), "-s", str(self.sock),
                                   "-P", str(self.dir / "bird.pid")],
                                  log_path=str(self.dir / "bird.log"))
        return self

    def stop(self):
        self.proc.stop(timeout=120)
        return self.proc.popen.returncode

    def rib_count(self):
        out = self.ns.out("birdc", "-s", str(self.sock), "show", "route", "count")
        for line in out.splitlines():
            if "routes" in line and "of" in line:
                return int(line.split()[0])
        return -1


class NvabgpdDut:
    def __init__(self, ns, workdir):
        self.ns, self.workdir, self.d = ns, workdir, None

    def start(self, persist):
        cfg = {"router-id": "10.0.0.1", "asn": 65001,
               "kernel": {"enabled": True, "persist": persist},
               "log": {"level": "info"},
               "peers": [peer("feed", "10.0.1.2", 65002)]}
        self.d = Nvabgpd(self.ns, self.workdir, cfg).start(kernel=True)
        return self

    def stop(self):
        self.d.proc.stop(timeout=120)
        return self.d.proc.popen.returncode

    def rib_count(self):
        return self.d.ctl_json("show", "route", "count").get("count", -1)


def pid_rss(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) * 1024
    return 0


def run_one(kind, n, workdir):
    res = {"dut": kind, "routes": n}
    with Lab() as lab:
        d_ns, f_ns = lab.ns("dut"), lab.ns("feed")
        veth_pair(d_ns, "10.0.1.1/24", f_ns, "10.0.1.2/24")
        feed = BirdSpeaker(f_ns, workdir, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                           static=static_routes(n))
        feed.start()
        dut = (NvabgpdDut if kind == "nvabgpd" else BirdDut)(d_ns, workdir)
        proto = PROTO_NVABGPD if kind == "nvabgpd" else PROTO_BIRD
        full = lambda: kernel_count(d_ns, proto) == n  # noqa: E731

        t0 = time.monotonic()
        dut.start(persist=False)
        wait_until(full, 600, interval=0.05, what="full kernel table")
        res["install_s"] = round(time.monotonic() - t0, 2)
        t0 = time.monotonic()
        res["stop_exit_code"] = dut.stop()
        res["stop_s"] = round(time.monotonic() - t0, 2)
        res["left_after_stop"] = kernel_count(d_ns, proto)

        dut.start(persist=True)
        wait_until(full, 600, interval=0.05, what="full kernel table")
        res["persist_stop_exit_code"] = dut.stop()
        res["kept_after_persist_stop"] = kernel_count(d_ns, proto)
        mon = d_ns.popen(["ip", "-4", "monitor", "route"], log_path=str(pathlib.Path(
            workdir) / f"monitor-{kind}.log"))
        t0 = time.monotonic()
        dut.start(persist=False)
        proc = dut.d.proc if kind == "nvabgpd" else dut.proc
        # Converged: the DUT's RIB holds every route again and so does the kernel.
        wait_until(lambda: dut.rib_count() == n and kernel_count(d_ns, proto) == n, 600,
                   interval=0.05, what="RIB and kernel full after restart")
        res["restart_converged_s"] = round(time.monotonic() - t0, 2)
        res["restart_alive"] = proc.alive()
        res["restart_peak_rss_mb"] = round(pid_rss(proc.pid) / 2**20, 1)
        time.sleep(2)  # benchmark only: catch a late sweep in the monitor log
        res["kernel_routes_after_restart"] = kernel_count(d_ns, proto)
        mon.stop()
        text = pathlib.Path(mon.log_path).read_text(errors="replace")
        res["kernel_deletes_during_restart"] = sum(1 for ln in text.splitlines()
                                                   if ln.startswith("Deleted"))
        res["final_stop_exit_code"] = dut.stop()
        feed.stop()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--routes", type=int, default=100_000)
    ap.add_argument("--duts", default="nvabgpd,bird")
    ap.add_argument("--json")
    a = ap.parse_args()
    os.environ["NVABGPD_BUILD_DIR"] = str(pathlib.Path(a.build).resolve())
    out = []
    with tempfile.TemporaryDirectory(prefix="nvbt-restart-") as wd:
        os.chmod(wd, 0o777)
        for kind in a.duts.split(","):
            r = run_one(kind, a.routes, wd)
            print(json.dumps(r), flush=True)
            out.append(r)
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
