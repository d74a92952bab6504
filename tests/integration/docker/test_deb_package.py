"""The CPack .deb installs on a clean Debian 12 (a podman container of the mmdebstrap base):
files land in their FHS places (the man pages and the bash completion too), postinst creates
the nvabgpd system user, the shipped examples pass `nvabgpd --check` as installed, and purge
removes the user again.
"""
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from nvbtest import Lab, build_dir, source_dir, unique_name

import podmanlab

SCRIPT = r"""
set -eu
dpkg -i /debs/nvabgpd.deb
test -x /usr/sbin/nvabgpd && test -x /usr/bin/nvabgpctl
test -f /usr/lib/systemd/system/nvabgpd.service
for p in man8/nvabgpd.8 man8/nvabgpctl.8 man5/nvabgpd.yaml.5; do
  zcat /usr/share/man/$p.gz | grep -q '^\.SH SYNOPSIS' && echo "man-installed $p"
done
grep -q '^complete -F _nvabgpctl nvabgpctl$' /usr/share/bash-completion/completions/nvabgpctl \
  && echo completion-installed
getent passwd nvabgpd | grep -q ':/usr/sbin/nologin$'
stat -c '%U:%G %a' /etc/nvabgpd/policy
grep -c '^/etc/nvabgpd/policy/.*\.conf$' /var/lib/dpkg/info/nvabgpd.conffiles
for f in /usr/share/doc/nvabgpd/examples/*.yaml; do nvabgpd --check --config "$f"; done
dpkg --purge nvabgpd >/dev/null 2>&1
getent passwd nvabgpd || echo user-removed
test ! -e /usr/sbin/nvabgpd && echo binaries-removed
"""


def test_deb_installs_and_purges_on_clean_debian():
    cpack_config = build_dir() / "CPackConfig.cmake"
    if not cpack_config.exists():
        pytest.skip("cmake/Packaging.cmake is not included by this build (no CPackConfig.cmake)")
    why = podmanlab.available()
    if why:
        pytest.fail(f"podman test cannot run: {why}")
    podman = podmanlab.Podman()
    base = podman.base_image()
    with tempfile.TemporaryDirectory(prefix="nvbt-deb-") as d, Lab() as lab:
        out = pathlib.Path(d)
        subprocess.run(["cpack", "-G", "DEB", "--config", str(cpack_config), "-B", str(out)],
                       check=True, capture_output=True, text=True, timeout=300)
        debs = list(out.glob("nvabgpd_*.deb"))
        assert len(debs) == 1, list(out.iterdir())
        listing = subprocess.run(["dpkg-deb", "-c", str(debs[0])], check=True,
                                 capture_output=True, text=True).stdout
        for path in ("./usr/share/man/man8/nvabgpd.8.gz", "./usr/share/man/man8/nvabgpctl.8.gz",
                     "./usr/share/man/man5/nvabgpd.yaml.5.gz",
                     "./usr/share/bash-completion/completions/nvabgpctl"):
            assert f" {path}\n" in listing, listing
        debdir = out / "debs"
        debdir.mkdir()
        shutil.copy2(debs[0], debdir / "nvabgpd.deb")
        ns = lab.ns("deb")
        name = unique_name("deb")
        try:
            r = podman("run", "--name", name, "--network", f"ns:/var/run/netns/{ns.name}",
                       "-v", f"{debdir}:/debs:ro", base, "sh", "-c", SCRIPT, check=False,
                       timeout=300)
        finally:
            podman.remove_container(name)
        assert r.returncode == 0, r.stdout + r.stderr
        lines = r.stdout.splitlines()
        assert "root:nvabgpd 750" in lines, r.stdout
        shipped = len(list((source_dir() / "policy" / "filters").glob("*.conf")))
        assert str(shipped) in lines, f"expected {shipped} conffiles:\n{r.stdout}"
        assert sum("configuration OK" in ln for ln in lines) >= 4, r.stdout
        assert "user-removed" in lines and "binaries-removed" in lines, r.stdout
        for p in ("man8/nvabgpd.8", "man8/nvabgpctl.8", "man5/nvabgpd.yaml.5"):
            assert f"man-installed {p}" in lines, r.stdout
        assert "completion-installed" in lines, r.stdout
