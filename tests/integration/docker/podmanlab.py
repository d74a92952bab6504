"""Podman without a Docker engine and without podman networking, for the container test.

- Runtime runc (crun refuses this machine's hybrid cgroups), cgroupfs, containers.conf with
  `default_ulimits = []`, a private storage root: all through CONTAINERS_CONF and
  CONTAINERS_STORAGE_CONF pointing at files in the cache directory, never /etc.
- Every container joins a network namespace the test created (`--network ns:PATH`); podman's
  default bridge network (which enables forwarding and NAT in the root namespace) is never used.
- The Debian 12 base image is made by mmdebstrap from the machine's own apt sources (no
  registry), cached as a tarball keyed by its package list and imported once into the private
  storage. Cold: about 3 minutes; cached: seconds.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import subprocess

CACHE = pathlib.Path(os.environ.get("NVABGPD_PODMAN_CACHE", "/var/cache/nvabgpd-podman"))
SUITE = "bookworm"
# Runtime libraries of nvabgpd/nvabgpctl (what dpkg-shlibdeps finds) + gobgpd for the peer
# container + tools the Dockerfile's runtime stage uses + adduser for the .deb test. The
# Dockerfile's apt-missing.sh then finds nothing to install and the build needs no network.
BASE_PACKAGES = sorted([
    "libfmt9", "libspdlog1.10", "libyaml-cpp0.7", "libsystemd0", "libprometheus-cpp-pull1.0",
    "libprometheus-cpp-core1.0", "iproute2", "passwd", "gobgpd", "adduser",
])

CONTAINERS_CONF = """\
[containers]
default_ulimits = []
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def _run(args, timeout=600, check=True, env=None):
    return subprocess.run(args, check=check, text=True, timeout=timeout, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Podman:
    def __init__(self):
        CACHE.mkdir(parents=True, exist_ok=True)
        self.conf = CACHE / "containers.conf"
        self.conf.write_text(CONTAINERS_CONF)
        self.storage = CACHE / "storage.conf"
        self.storage.write_text("[storage]\ndriver = \"overlay\"\n"
                                f"graphroot = \"{CACHE / 'storage'}\"\n"
                                f"runroot = \"{CACHE / 'run'}\"\n")
        self.env = dict(os.environ, CONTAINERS_CONF=str(self.conf),
                        CONTAINERS_STORAGE_CONF=str(self.storage))

    def __call__(self, *args, timeout=600, check=True) -> subprocess.CompletedProcess:
        r = _run(["podman", *args], timeout=timeout, check=False, env=self.env)
        if check and r.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)} failed ({r.returncode}):\n"
                               f"{r.stdout}\n{r.stderr}")
        return r

    def image_exists(self, ref: str) -> bool:
        return self("image", "exists", ref, check=False).returncode == 0

    def base_image(self) -> str:
        """localhost/nvbt-base:<key>, created (mmdebstrap + import) only when missing."""
        key = hashlib.sha256(" ".join([SUITE, *BASE_PACKAGES]).encode()).hexdigest()[:16]
        ref = f"localhost/nvbt-base:{key}"
        if self.image_exists(ref):
            return ref
        tar = CACHE / f"base-{key}.tar"
        if not tar.exists():
            tmp = tar.with_name(tar.stem + ".partial.tar")  # mmdebstrap picks the format by suffix
            _run(["mmdebstrap", "--variant=minbase", "--include=" + ",".join(BASE_PACKAGES),
                  SUITE, str(tmp)], timeout=1200)
            tmp.rename(tar)
        self("import", str(tar), ref)
        # Bases made for an earlier package list are stale: drop them.
        for old in CACHE.glob("base-*.tar"):
            if old != tar:
                old.unlink()
        listed = self("images", "--format", "{{.Repository}}:{{.Tag}}", "localhost/nvbt-base",
                      check=False).stdout.split()
        for old_ref in listed:
            if old_ref != ref:
                self("rmi", "-f", old_ref, check=False)
        return ref

    def build(self, context: pathlib.Path, dockerfile: pathlib.Path, tag: str,
              build_args: dict) -> None:
        args = ["build", "--network", "none", "-f", str(dockerfile), "-t", tag]
        for k, v in build_args.items():
            args += ["--build-arg", f"{k}={v}"]
        self(*args, str(context), timeout=900)

    def remove_image(self, tag: str) -> None:
        self("rmi", "-f", tag, check=False)
        # Intermediate layers of the build stage, in our private storage only.
        self("image", "prune", "-f", check=False)

    def run(self, name: str, netns: str, image: str, *args, volumes=(), entrypoint=None):
        opts = ["run", "-d", "--name", name, "--network", f"ns:/var/run/netns/{netns}"]
        for host, ctr in volumes:
            opts += ["-v", f"{host}:{ctr}:ro"]
        if entrypoint:
            opts += ["--entrypoint", entrypoint]
        self(*opts, image, *args, timeout=120)

    def exec(self, name: str, *args, check=True) -> subprocess.CompletedProcess:
        return self("exec", name, *args, timeout=60, check=check)

    def logs(self, name: str) -> str:
        r = self("logs", name, check=False, timeout=60)
        return r.stdout + r.stderr

    def remove_container(self, name: str) -> None:
        self("rm", "-f", "-t", "5", name, check=False, timeout=120)


def make_context(src: pathlib.Path, nvabgpd: str, nvabgpctl: str, dest: pathlib.Path):
    """A build context with just what docker/Dockerfile copies, plus prebuilt binaries."""
    for rel in ("docker", "policy/filters", "config/examples"):
        shutil.copytree(src / rel, dest / rel)
    (dest / "prebuilt").mkdir()
    shutil.copy2(nvabgpd, dest / "prebuilt" / "nvabgpd")
    shutil.copy2(nvabgpctl, dest / "prebuilt" / "nvabgpctl")


def available() -> str | None:
    """Why podman cannot be used here, or None."""
    for tool in ("podman", "runc", "mmdebstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/install-deps.sh installs it)"
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    return None
