"""Kernel tables larger than one netlink batch (2,048 operations) through the whole daemon:
BIRD 2 announces 10,000 routes, nvabgpd installs them in its namespace's kernel table, and a
clean stop (SIGTERM) and a restart over persisted routes each walk the whole table. Before
the fix the stop aborted with std::bad_alloc leaving most routes behind, and the restart
crashed in the convergence sweep (issue 18, item 1)."""
from nvbtest import wait_until
from nvbtest.peers import Neighbor
from nvd import BirdSpeaker, Nvabgpd, link, peer

BIG = 10_000


def static_routes(count):
    """count blackhole /24s from 100.0.0.0: BIRD exports them with itself as next hop."""
    return [(f"100.{i >> 8 & 255}.{i & 255}.0/24", "blackhole") for i in range(count)]


def kernel_count(ns) -> int:
    return len(ns.out("ip", "-4", "route", "show", "proto", "186").splitlines())


def start_pair(lab, tmp_path, persist, count=BIG):
    d_ns = lab.ns("d")
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "kernel": {"enabled": True, "persist": persist},
           "peers": [peer("bird", "10.0.1.2", 65002)]}
    d = Nvabgpd(d_ns, tmp_path, cfg)
    b = BirdSpeaker(b_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                    static=static_routes(count))
    return d, d_ns, b


def stop_cleanly(d):
    d.stop()
    assert d.proc.popen.returncode == 0, d.log()[-4000:]


def test_clean_stop_removes_every_kernel_route(lab, tmp_path):
    d, ns, b = start_pair(lab, tmp_path, persist=False)
    d.start(kernel=True)
    b.start()
    wait_until(lambda: kernel_count(ns) == BIG, 90, what=f"{BIG} routes in the kernel")
    stop_cleanly(d)
    assert kernel_count(ns) == 0


def test_restart_over_persisted_routes_sweeps_only_what_did_not_come_back(lab, tmp_path):
    d, ns, b = start_pair(lab, tmp_path, persist=True)
    d.start(kernel=True)
    b.start()
    wait_until(lambda: kernel_count(ns) == BIG, 90, what=f"{BIG} routes in the kernel")
    stop_cleanly(d)
    assert kernel_count(ns) == BIG  # persist: traffic keeps flowing while we are down

    # The peer now announces only the first half; the restarted daemon adopts all 10,000,
    # re-learns half and sweeps the rest after initial convergence.
    b.stop()
    b.static = static_routes(BIG // 2)
    d.start(kernel=True)
    b.start()
    wait_until(lambda: d.state("bird") == "Established", 40, what="session after restart")
    wait_until(lambda: kernel_count(ns) == BIG // 2, 120,
               what=f"{BIG // 2} routes left after the convergence sweep")
    assert d.alive(), d.log()[-4000:]
    kept = ns.out("ip", "-4", "route", "show", "proto", "186")
    assert "100.0.0.0/24" in kept and "100.19.135.0/24" in kept  # the 1st and 5,000th
    assert "100.19.136.0/24 " not in kept
    stop_cleanly(d)
