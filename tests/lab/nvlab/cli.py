"""scripts/lab.sh: up | down | status | show [--prefix P] [--nva bird|nvabgpd|auto]."""
import argparse
import sys

from . import topology as T
from .lab import SeedLab
from .nva_nvabgpd import missing_reason


def _resolve_kind(kind: str) -> str:
    if kind != "auto":
        return kind
    reason = missing_reason()
    if reason is None:
        return "nvabgpd"
    print(f"note: nvabgpd mode unavailable: {reason}.\n      Running the NVAs on BIRD 2 "
          f"(the seed's own NVA, the lab's reference).", file=sys.stderr)
    return "bird"


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lab.sh", description=__doc__)
    ap.add_argument("command", choices=["up", "down", "status", "show"])
    ap.add_argument("--prefix", default="nvlab", help="namespace name prefix (default nvlab)")
    ap.add_argument("--nva", default="auto", choices=["auto", "bird", "nvabgpd"],
                    help="what runs on the NVAs (auto: nvabgpd when built, else bird)")
    ap.add_argument("--no-fix", nargs="?", const="all", default=None,
                    choices=["nva1", "nva2", "all"],
                    help="start NVA1 (no NO_ADVERTISE on 10.1.0.0/16), NVA2 (65515 kept in "
                         "1.2.3.0/24) or both (the default of a bare --no-fix) with the seed's "
                         "TO_RS before its fix")
    ap.add_argument("--ha", action="store_true",
                    help="two nvabgpd NVAs in hub1 (NVA1a, NVA1b) with a firewall health check, "
                         "drain and BFD to NVA2 (issue 14; see tests/lab/README.md)")
    args = ap.parse_args(argv)
    if args.command == "down":
        lab = SeedLab(args.prefix)
        stopped, gone = lab.down()
        print(f"stopped {len(stopped)} daemons, deleted {len(gone)} namespaces "
              f"({args.prefix}*)")
        return 0
    state = SeedLab(args.prefix).state()
    state_kind = state.get("nva")
    if args.command in ("status", "show"):
        if not state_kind:
            print(f"no lab {args.prefix!r} is running (scripts/lab.sh up)")
            return 1
        lab = SeedLab(args.prefix, state_kind, ha=state.get("ha", False))
        from .tables import print_status, print_tables
        print_status(lab)
        if args.command == "show":
            print_tables(lab)
        return 0
    kind = _resolve_kind(args.nva)
    if args.ha and kind != "nvabgpd":
        print("--ha runs nvabgpd NVAs only (build nvabgpd, or drop --ha)", file=sys.stderr)
        return 3
    lab = SeedLab(args.prefix, kind, ha=args.ha)
    from .nva_nvabgpd import NvabgpdMissing
    try:
        lab.up(nva1_fixed=args.no_fix not in ("nva1", "all"),
               nva2_fixed=args.no_fix not in ("nva2", "all"))
    except NvabgpdMissing as e:
        print(f"cannot run nvabgpd: {e}", file=sys.stderr)
        return 3
    from .tables import print_status, print_tables
    print_status(lab)
    print_tables(lab)
    print(f"\nTimers are shortened for the failure drill: keepalive {T.KEEPALIVE}s, "
          f"hold {T.HOLD}s on the Route Server, MSEE and NVA sessions.")
    print("GoBGP does not program the kernel: MSEE and on-premises have static routes "
          "(MSEE: 1.2.3.0/24 via 169.254.1.90, 10.0.0.0/8 via the ER gateway; on-prem: "
          "default via MSEE).")
    print(f"\nThe lab keeps running. Explore with e.g.\n"
          f"  ip netns exec {args.prefix}h21 ping {T.ONPREM_HOST}\n"
          f"  scripts/lab.sh show --prefix {args.prefix}\n"
          f"Tear it down with:\n  scripts/lab.sh down --prefix {args.prefix}")
    return 0
