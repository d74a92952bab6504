#!/usr/bin/python3
"""Benchmark (by hand, not a pass/fail test): install then withdraw N IPv4 routes with the
NetlinkFib (through fib_driver) and with `ip -batch`, in the same run, in a throwaway network
namespace; prints both rates.

    sudo NVABGPD_BUILD_DIR=build-fib /usr/bin/python3 tests/bench/fib/fib_vs_ip_batch.py [N] [rounds]

Both program the same /24s via the same gateway and device, protocol 186, metric 20.
"""
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "integration"))
from nvbtest import Lab, binary, veth_pair  # noqa: E402


def prefixes(n):
    base = 16 << 24
    for i in range(n):
        a = base + (i << 8)
        yield f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.0/24"


def ip_batch(ns, n, dev):
    with tempfile.TemporaryDirectory(prefix="nvbt-bench-") as d:
        add = pathlib.Path(d, "add")
        dele = pathlib.Path(d, "del")
        add.write_text("".join(f"route add {p} via 10.0.0.2 dev {dev} proto 186 metric 20\n"
                               for p in prefixes(n)))
        dele.write_text("".join(f"route del {p} via 10.0.0.2 dev {dev} proto 186 metric 20\n"
                                for p in prefixes(n)))
        t0 = time.monotonic()
        subprocess.run(["ip", "-n", ns.name, "-batch", str(add)], check=True)
        t1 = time.monotonic()
        assert count_ours(ns) == n
        t2 = time.monotonic()
        subprocess.run(["ip", "-n", ns.name, "-batch", str(dele)], check=True)
        t3 = time.monotonic()
        assert count_ours(ns) == 0
        return t1 - t0, t3 - t2


def count_ours(ns):
    out = ns.out("ip", "-4", "route", "show", "table", "main", "proto", "186")
    return len(out.splitlines())


def nvabgpd_fib(ns, n):
    p = subprocess.Popen(["ip", "netns", "exec", ns.name, binary("fib_driver")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def cmd(line):
        p.stdin.write(line + "\n")
        p.stdin.flush()
        reply = p.stdout.readline().strip()
        assert reply.startswith("ok"), reply
        return reply[2:].strip()

    try:
        cmd("start")
        t_add = float(cmd(f"bulk add 16.0.0.0/24 {n} 10.0.0.2"))
        assert count_ours(ns) == n
        t_del = float(cmd(f"bulk del 16.0.0.0/24 {n}"))
        assert count_ours(ns) == 0
        stats = cmd("stop")
        return t_add, t_del, stats
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if os.geteuid() != 0:
        sys.exit("needs root (network namespaces)")
    with Lab() as lab:
        ns = lab.ns("bench")
        peer = lab.ns("peer")
        dev, _ = veth_pair(ns, "10.0.0.1/24", peer, "10.0.0.2/24")
        rows = []
        for r in range(rounds):
            ip_add, ip_del = ip_batch(ns, n, dev)
            fib_add, fib_del, stats = nvabgpd_fib(ns, n)
            rows.append((ip_add, ip_del, fib_add, fib_del))
            print(f"round {r + 1}: ip -batch add {n / ip_add:,.0f}/s del {n / ip_del:,.0f}/s | "
                  f"NetlinkFib add {n / fib_add:,.0f}/s del {n / fib_del:,.0f}/s  [{stats}]")
        best = [min(col) for col in zip(*rows)]
        ip_total = 2 * n / (best[0] + best[1])
        fib_total = 2 * n / (best[2] + best[3])
        print(f"best of {rounds}, {n} routes: ip -batch {ip_total:,.0f} ops/s "
              f"(add {n / best[0]:,.0f}/s, del {n / best[1]:,.0f}/s); NetlinkFib "
              f"{fib_total:,.0f} ops/s (add {n / best[2]:,.0f}/s, del {n / best[3]:,.0f}/s); "
              f"ratio {fib_total / ip_total:.2f}")


if __name__ == "__main__":
    main()
