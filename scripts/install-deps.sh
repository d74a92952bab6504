#!/usr/bin/env bash
# Installs every Debian 12 package nvabgpd needs to build, test, fuzz and run its lab.
# Used by the README and by CI (.ci/run). Idempotent.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

PKGS=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  clang-format-14  # scripts/check-format.sh pins this version
  # libraries
  libboost-dev libboost-system-dev libyaml-cpp-dev libfmt-dev libspdlog-dev catch2
  libnl-3-dev libnl-route-3-dev libcli11-dev nlohmann-json3-dev libsystemd-dev
  prometheus-cpp-dev libbenchmark-dev
  # real peers and lab tools
  gobgpd bird2 frr exabgp iproute2 iputils-ping tshark procps psmisc
  python3 python3-pytest python3-pyroute2
  # BMP collector and MRT reader the monitoring tests check nvabgpd's exports with
  pmacct bgpdump
  # containers without a Docker engine (tests/integration/docker)
  podman runc mmdebstrap
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  # tshark asks whether non-root users may capture; answer no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The distro daemons must not run as services on the host: the tests start their own copies
# inside network namespaces.
for svc in bird frr gobgpd exabgp pmacctd nfacctd sfacctd uacctd pmbmpd pmbgpd pmtelemetryd; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $SUDO systemctl stop "$svc" || true
  fi
done
echo "install-deps: ok"
