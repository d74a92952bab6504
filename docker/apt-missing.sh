#!/bin/sh
# Installs those of the named Debian packages that the image lacks; with none missing it
# never touches the network (offline builds on mmdebstrap-made base images).
set -eu
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "apt-missing: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing
rm -rf /var/lib/apt/lists/*
