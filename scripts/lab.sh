#!/usr/bin/env bash
# The README's run command: the seed document's topology, live, in network namespaces.
#
#   scripts/lab.sh up     [--nva auto|nvabgpd|bird] [--prefix P] [--no-fix[=nva1|nva2|all]]
#   scripts/lab.sh up --ha [--prefix P]   # two nvabgpd NVAs in hub1 (issue 14, README)
#   scripts/lab.sh show   [--prefix P]     # status + the seed's tables from every speaker
#   scripts/lab.sh status [--prefix P]
#   scripts/lab.sh down   [--prefix P]     # stops every lab daemon (by PID), deletes namespaces
#
# `up` installs missing Debian packages (scripts/install-deps.sh), builds nvabgpd and nvabgpctl
# (BUILD_DIR, default build; NVLAB_NO_BUILD=1 skips) unless --nva bird, starts the lab (FRR as
# Route Servers and ExpressRoute gateway, GoBGP as MSEE and on-premises, the NVAs on nvabgpd
# with the shipped configs, or on BIRD 2 as the reference), waits for it to converge, prints
# the tables and leaves it running. Running `up` again is harmless. Namespaces are <prefix><tag>
# (default prefix nvlab); nothing is changed in the root namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
  echo "lab.sh: needs root (it creates network namespaces)" >&2
  exit 1
fi

nva=auto
prev=
for a in "$@"; do
  case "$a" in --nva=*) nva=${a#--nva=} ;; esac
  [ "$prev" = --nva ] && nva=$a
  prev=$a
done

if [ "${1:-}" = up ]; then
  if ! command -v bird >/dev/null || ! command -v gobgpd >/dev/null \
      || [ ! -x /usr/lib/frr/bgpd ] || ! /usr/bin/python3 -c 'import pytest' 2>/dev/null; then
    scripts/install-deps.sh
  fi
  if [ "$nva" != bird ] && [ "${NVLAB_NO_BUILD:-0}" != 1 ] && [ -f daemon/CMakeLists.txt ]; then
    build=${BUILD_DIR:-build}
    if cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null \
        && cmake --build "$build" --target nvabgpd nvabgpctl; then
      export NVABGPD_BUILD_DIR
      NVABGPD_BUILD_DIR=$(realpath "$build")
    else
      echo "lab.sh: building nvabgpd failed (see above)" >&2
      [ "$nva" = nvabgpd ] && exit 1
    fi
  fi
fi

PYTHONPATH=tests/lab exec /usr/bin/python3 -m nvlab "$@"
