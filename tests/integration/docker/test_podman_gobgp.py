"""The nvabgpd container image, built from docker/Dockerfile with podman (offline), peers with
a gobgpd container; routes flow both ways.

    netns A (nvabgpd container)  10.77.0.1/30 ==veth== 10.77.0.2/30  netns B (gobgpd container)
    originates 10.100.0.0/24                                          injects 10.200.0.0/24

See podmanlab.py for how podman is configured (runc, private storage, no podman networking).
"""
import json
import pathlib
import tempfile

import pytest

from nvbtest import Lab, binary, source_dir, unique_name, veth_pair, wait_until
from nvbtest.peers import GoBgp, Neighbor

import podmanlab

NVA_ADDR, GOBGP_ADDR = "10.77.0.1", "10.77.0.2"
NVA_ASN, GOBGP_ASN = 65001, 65002
NVA_PREFIX, GOBGP_PREFIX = "10.100.0.0/24", "10.200.0.0/24"
CTL = "/run/nvabgpd/nvabgpd.ctl"

NVABGPD_YAML = f"""\
router-id: {NVA_ADDR}
asn: {NVA_ASN}
kernel:
  enabled: false
originate:
  - prefix: {NVA_PREFIX}
peers:
  - name: gobgp
    address: {GOBGP_ADDR}
    asn: {GOBGP_ASN}
    hold-time: 9
    import: all
    export: all
"""


@pytest.fixture
def podman():
    why = podmanlab.available()
    if why:
        pytest.fail(f"podman test cannot run: {why}")
    return podmanlab.Podman()


@pytest.fixture
def lab():
    with Lab() as lab_:
        yield lab_


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="nvbt-podman-") as d:
        p = pathlib.Path(d)
        p.chmod(0o755)  # the nvabgpd user in the container reads the mounted config
        yield p


@pytest.fixture
def nvabgpd_image(podman, workdir):
    base = podman.base_image()
    ctx = workdir / "context"
    podmanlab.make_context(source_dir(), binary("nvabgpd"), binary("nvabgpctl"), ctx)
    tag = f"localhost/{unique_name('img')}:test"
    podman.build(ctx, ctx / "docker" / "Dockerfile", tag,
                 {"BUILD_IMAGE": base, "RUNTIME_IMAGE": base})
    try:
        yield tag, base
    finally:
        podman.remove_image(tag)
        assert not podman.image_exists(tag)


@pytest.fixture
def containers(podman):
    names = []
    yield names
    for n in names:
        podman.remove_container(n)
    for n in names:
        assert podman("container", "exists", n, check=False).returncode != 0


def gobgp_rib_prefixes(podman, name):
    out = podman.exec(name, "gobgp", "-u", "127.0.0.1", "global", "rib", "-j").stdout
    return set(json.loads(out or "{}").keys())


def test_nvabgpd_container_exchanges_routes_with_gobgpd_container(
        podman, lab, workdir, nvabgpd_image, containers):
    image, base = nvabgpd_image
    ns_a, ns_b = lab.ns("dka"), lab.ns("dkb")
    veth_pair(ns_a, f"{NVA_ADDR}/30", ns_b, f"{GOBGP_ADDR}/30")
    # The image runs nvabgpd as a non-root user; let it bind port 179 in its own namespace
    # (Docker does the same for its containers).
    ns_a.exec("sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=0")

    (workdir / "nvabgpd.yaml").write_text(NVABGPD_YAML)
    (workdir / "nvabgpd.yaml").chmod(0o644)
    gob = GoBgp(ns_b, workdir, asn=GOBGP_ASN, router_id=GOBGP_ADDR,
                neighbors=[Neighbor(NVA_ADDR, NVA_ASN, hold=9)])
    gob.config_path.write_text(gob.config())
    gob.config_path.chmod(0o644)

    nva, peer = unique_name("nva"), unique_name("gob")
    containers += [nva, peer]
    podman.run(peer, ns_b.name, base, "gobgpd", "-f", "/cfg/gobgpd.toml", "-t", "toml",
               "--api-hosts", "127.0.0.1:50051", "--pprof-disable",
               volumes=[(gob.config_path, "/cfg/gobgpd.toml")])
    podman.run(nva, ns_a.name, image, "--config", "/etc/nvabgpd/nvabgpd.yaml", "--no-kernel",
               volumes=[(workdir / "nvabgpd.yaml", "/etc/nvabgpd/nvabgpd.yaml")])

    def diag():
        return (f"\n--- nvabgpd logs:\n{podman.logs(nva)}\n--- gobgpd logs:\n"
                f"{podman.logs(peer)[-3000:]}")

    # The daemon runs as the image's non-root user, not as root.
    status = podman.exec(nva, "cat", "/proc/1/status").stdout
    uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
    assert uid_line.split()[1] != "0", uid_line

    def established():
        out = podman.exec(peer, "gobgp", "-u", "127.0.0.1", "neighbor", NVA_ADDR, "-j",
                          check=False).stdout
        st = json.loads(out)["state"]["session_state"] if out.strip() else None
        return st in (6, "established", "ESTABLISHED", "SESSION_STATE_ESTABLISHED")

    try:
        wait_until(established, timeout=60, what="gobgpd <-> nvabgpd session")
    except TimeoutError as e:
        raise AssertionError(f"{e}{diag()}") from e

    # nvabgpd -> gobgpd: the originated prefix arrives.
    try:
        wait_until(lambda: NVA_PREFIX in gobgp_rib_prefixes(podman, peer), timeout=30,
                   what=f"{NVA_PREFIX} at gobgpd")
    except TimeoutError as e:
        raise AssertionError(f"{e}{diag()}") from e

    # gobgpd -> nvabgpd: an injected prefix appears in nvabgpctl's `show route`.
    podman.exec(peer, "gobgp", "-u", "127.0.0.1", "global", "rib", "add", GOBGP_PREFIX)

    def nva_routes():
        return podman.exec(nva, "nvabgpctl", "-s", CTL, "show", "route", check=False).stdout

    try:
        wait_until(lambda: GOBGP_PREFIX in nva_routes(), timeout=30,
                   what=f"{GOBGP_PREFIX} in nvabgpd show route")
    except TimeoutError as e:
        raise AssertionError(f"{e}\n--- show route:\n{nva_routes()}{diag()}") from e
    line = next(ln for ln in nva_routes().splitlines() if GOBGP_PREFIX in ln)
    assert GOBGP_ADDR in line or "gobgp" in line, line

    # And a withdrawal flows too: the route leaves nvabgpd once gobgpd deletes it.
    podman.exec(peer, "gobgp", "-u", "127.0.0.1", "global", "rib", "del", GOBGP_PREFIX)
    wait_until(lambda: GOBGP_PREFIX not in nva_routes(), timeout=30,
               what=f"{GOBGP_PREFIX} withdrawn at nvabgpd")
