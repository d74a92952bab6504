#!/usr/bin/python3
"""`show route` on a full table: time and memory of the dump, and what other clients see.

Runs as root, inside two namespaces it creates and deletes (nvbt prefix): the DUT (10.0.0.1)
and the injector (10.0.0.2, tests/bench/convergence/bgp_injector). After the injector's table
is in the DUT's RIB it measures, one at a time:
  - `nvabgpctl --json show route` and `nvabgpctl show route` (output to /dev/null): wall time,
    the DUT's RSS before and after, and its VmHWM growth (peak RSS during the dump);
  - meanwhile, a second client asking `show protocols` every 50 ms: its worst and median
    latency, and the injector session's state at the end;
  - 20 clients that ask `show route` and never read: the DUT's RSS with them connected;
  - with --bird, `birdc show route` on the same table in BIRD 2 (time, RSS).

  /usr/bin/python3 tests/bench/control/show_route_bench.py --build build [--prefixes 1000000]
      [--nvabgpd PATH --nvabgpctl PATH]  (other binaries, e.g. an older build) [--bird]
"""
import argparse
import json
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parents[2]
sys.path.insert(0, str(SRC / "tests" / "integration"))
from nvbtest.netns import Lab, veth_pair  # noqa: E402

DUT_AS, INJ_AS = 64512, 64600
DUT_IP, INJ_IP = "10.0.0.1", "10.0.0.2"


def status_kib(pid, key):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def request(sock_path, obj, timeout=30):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(json.dumps(obj).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            c = s.recv(1 << 16)
            if not c:
                break
            buf += c
    return json.loads(buf)


def daemon_pid(ns_proc):
    """`ip netns exec` execs the program: the child's PID is the daemon's."""
    return ns_proc.pid


class Prober(threading.Thread):
    """Asks `command` every 50 ms on a fresh connection; records each answer's latency."""

    def __init__(self, sock_path, command):
        super().__init__(daemon=True)
        self.sock_path, self.command = sock_path, command
        self.lat, self.failures, self.stop_flag = [], 0, False

    def run(self):
        while not self.stop_flag:
            t0 = time.monotonic()
            try:
                ok = request(self.sock_path, {"command": self.command}, timeout=60)["ok"]
                self.lat.append(time.monotonic() - t0)
                self.failures += not ok
            except (OSError, ValueError):
                self.failures += 1
            time.sleep(0.05)


def timed_dump(pid, sock, ctl, args, label):
    hwm0 = status_kib(pid, "VmHWM")
    rss0 = status_kib(pid, "VmRSS")
    probe = Prober(sock, "show protocols")
    probe.start()
    t0 = time.monotonic()
    out = subprocess.run([ctl, "-s", sock, *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=1800)
    secs = time.monotonic() - t0
    probe.stop_flag = True
    probe.join(70)
    time.sleep(0.5)
    res = {"what": label, "seconds": round(secs, 2), "rc": out.returncode,
           "output_mb": round(len(out.stdout) / 2**20, 1),
           "rss_before_mb": round(rss0 / 1024, 1),
           "hwm_growth_mb": round((status_kib(pid, "VmHWM") - hwm0) / 1024, 1),
           "peak_rss_mb": round(status_kib(pid, "VmHWM") / 1024, 1),
           "rss_after_mb": round(status_kib(pid, "VmRSS") / 1024, 1),
           "status_answers": len(probe.lat), "status_failures": probe.failures,
           "status_max_ms": round(max(probe.lat) * 1000, 1) if probe.lat else None,
           "status_median_ms": round(statistics.median(probe.lat) * 1000, 1) if probe.lat else None}
    if out.returncode != 0:
        res["stderr"] = out.stderr.decode(errors="replace")[-300:]
    return res, out.stdout


def raw_dump(pid, sock):
    """The one-line JSON answer read by a plain socket client (no nvabgpctl, no timeout)."""
    hwm0, rss0 = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
    probe = Prober(sock, "show protocols")
    probe.start()
    t0 = time.monotonic()
    n = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(1800)
        s.connect(sock)
        s.sendall(json.dumps({"command": "show route"}).encode() + b"\n")
        last = b""
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            n += len(c)
            last = c
            if c.endswith(b"\n"):
                break
    secs = time.monotonic() - t0
    probe.stop_flag = True
    probe.join(70)
    return {"what": "show route, one-line answer on a raw socket", "seconds": round(secs, 2),
            "output_mb": round(n / 2**20, 1), "complete": last.endswith(b"]}}\n"),
            "rss_before_mb": round(rss0 / 1024, 1),
            "hwm_growth_mb": round((status_kib(pid, "VmHWM") - hwm0) / 1024, 1),
            "rss_after_mb": round(status_kib(pid, "VmRSS") / 1024, 1),
            "status_answers": len(probe.lat),
            "status_max_ms": round(max(probe.lat) * 1000, 1) if probe.lat else None}


def non_readers(pid, sock, n=20):
    rss0 = status_kib(pid, "VmRSS")
    clients = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(sock)
        s.sendall(json.dumps({"command": "show route"}).encode() + b"\n")
        clients.append(s)
    # Let the daemon do whatever it does for them (the old one builds every answer first).
    t0 = time.monotonic()
    lat = None
    while time.monotonic() - t0 < 120:
        t1 = time.monotonic()
        try:
            request(sock, {"command": "show status"}, timeout=120)
            lat = time.monotonic() - t1
        except OSError:
            pass
        if lat is not None and lat < 1.0 and time.monotonic() - t0 > 5:
            break
        time.sleep(0.5)
    rss1 = status_kib(pid, "VmRSS")
    for s in clients:
        s.close()
    time.sleep(2)
    return {"what": f"{n} clients that ask show route and never read",
            "rss_before_mb": round(rss0 / 1024, 1), "rss_with_clients_mb": round(rss1 / 1024, 1),
            "rss_after_close_mb": round(status_kib(pid, "VmRSS") / 1024, 1)}


def run_nvabgpd(args, lab, build):
    dut_ns, peer_ns = lab.ns("dut"), lab.ns("peer")
    veth_pair(dut_ns, f"{DUT_IP}/24", peer_ns, f"{INJ_IP}/24")
    work = pathlib.Path(tempfile.mkdtemp(prefix="nvbt-showroute-"))
    sock = str(work / "ctl.sock")
    conf = work / "nvabgpd.yaml"
    conf.write_text(f"""router-id: {DUT_IP}
asn: {DUT_AS}
listen: [{{address: {DUT_IP}, port: 179}}]
kernel: {{enabled: false}}
control: {{socket: {sock}}}
log: {{level: warn}}
peers:
  - name: injector
    address: {INJ_IP}
    asn: {INJ_AS}
    passive: true
    hold-time: 240
    import: all
    export: none
""")
    nvabgpd = args.nvabgpd or str(build / "daemon/nvabgpd/nvabgpd")
    ctl = args.nvabgpctl or str(build / "daemon/ctl/nvabgpctl")
    inj = str(build / "tests/bench/convergence/bgp_injector")
    dut = dut_ns.popen([nvabgpd, "--config", str(conf), "--no-kernel"],
                       log_path=str(work / "nvabgpd.log"))
    pid = daemon_pid(dut)
    results = []
    for _ in range(100):
        if pathlib.Path(sock).exists():
            break
        time.sleep(0.1)
    peer_ns.popen([inj, "--connect", DUT_IP, "--local", INJ_IP, "--asn", str(INJ_AS),
                   "--prefixes", str(args.prefixes), "--attr-sets", str(args.prefixes // 10)],
                  log_path=str(work / "injector.log"))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if request(sock, {"command": "show status"})["result"]["prefixes"] == args.prefixes:
                break
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    else:
        raise RuntimeError("table not loaded")
    time.sleep(2)
    perf = None
    if args.perf:  # profiling only: skews the times
        perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(pid), "-o", args.perf],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
    r = raw_dump(pid, sock)
    print(json.dumps(r), flush=True)
    results.append(r)
    if perf:
        perf.send_signal(2)
        perf.wait(60)
    if perf or args.raw_only:
        return results
    for label, a in (("show route --json", ["--json", "show", "route"]),
                     ("show route", ["show", "route"]),
                     ("show route count", ["show", "route", "count"])):
        r, out = timed_dump(pid, sock, ctl, a, label)
        if a[0] == "--json" and r["rc"] == 0:
            r["routes_in_output"] = len(json.loads(out)["routes"])
        del out
        results.append(r)
        print(json.dumps(r), flush=True)
    if not args.no_non_readers:
        r = non_readers(pid, sock)
        print(json.dumps(r), flush=True)
        results.append(r)
    st = request(sock, {"command": "show protocols"})["result"][0]["state"]
    results.append({"injector_state_at_end": st})
    print(json.dumps(results[-1]), flush=True)
    return results


def run_bird(args, lab, build):
    dut_ns, peer_ns = lab.ns("dut"), lab.ns("peer")
    veth_pair(dut_ns, f"{DUT_IP}/24", peer_ns, f"{INJ_IP}/24")
    work = pathlib.Path(tempfile.mkdtemp(prefix="nvbt-showroute-bird-"))
    conf = work / "bird.conf"
    ctl = str(work / "bird.ctl")
    conf.write_text(f"""router id {DUT_IP};
protocol device {{ }}
protocol bgp injector {{ local {DUT_IP} as {DUT_AS}; neighbor {INJ_IP} as {INJ_AS};
  passive on; hold time 240; ipv4 {{ import all; export none; }}; }}
""")
    dut = dut_ns.popen(["/usr/sbin/bird", "-f", "-c", str(conf), "-s", ctl,
                        "-P", str(work / "bird.pid")], log_path=str(work / "bird.log"))
    pid = dut.pid
    for _ in range(100):
        if pathlib.Path(ctl).exists():
            break
        time.sleep(0.1)
    inj = str(build / "tests/bench/convergence/bgp_injector")
    peer_ns.popen([inj, "--connect", DUT_IP, "--local", INJ_IP, "--asn", str(INJ_AS),
                   "--prefixes", str(args.prefixes), "--attr-sets", str(args.prefixes // 10)],
                  log_path=str(work / "injector.log"))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        out = subprocess.run(["birdc", "-s", ctl, "show", "route", "count"], text=True,
                             capture_output=True).stdout
        if f"{args.prefixes} of {args.prefixes} routes" in out:
            break
        time.sleep(1)
    else:
        raise RuntimeError("bird: table not loaded")
    time.sleep(2)
    hwm0, rss0 = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
    t0 = time.monotonic()
    out = subprocess.run(["birdc", "-s", ctl, "show", "route"], stdout=subprocess.PIPE,
                         timeout=1800)
    secs = time.monotonic() - t0
    r = {"what": "BIRD birdc show route", "seconds": round(secs, 2),
         "output_mb": round(len(out.stdout) / 2**20, 1), "rss_before_mb": round(rss0 / 1024, 1),
         "hwm_growth_mb": round((status_kib(pid, "VmHWM") - hwm0) / 1024, 1),
         "rss_after_mb": round(status_kib(pid, "VmRSS") / 1024, 1)}
    print(json.dumps(r), flush=True)
    return [r]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(SRC / "build"))
    ap.add_argument("--prefixes", type=int, default=1_000_000)
    ap.add_argument("--nvabgpd", help="nvabgpd binary (default: BUILD's)")
    ap.add_argument("--nvabgpctl", help="nvabgpctl binary (default: BUILD's)")
    ap.add_argument("--bird", action="store_true", help="also measure BIRD 2")
    ap.add_argument("--no-nvabgpd", action="store_true")
    ap.add_argument("--no-non-readers", action="store_true",
                    help="skip the 20 non-reading clients (the old daemon keeps 20 answers)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--raw-only", action="store_true",
                    help="only the one-line answer on a raw socket (an old nvabgpctl times out)")
    ap.add_argument("--perf", help="perf record the DUT during the raw dump into this file, then stop")
    args = ap.parse_args()
    build = pathlib.Path(args.build).resolve()
    results = []
    with Lab() as lab:
        if not args.no_nvabgpd:
            results += run_nvabgpd(args, lab, build)
            lab.close()
        if args.bird:
            results += run_bird(args, lab, build)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
