"""systemd/nvabgpd.service (issue 7): it passes `systemd-analyze verify` and carries the
service type, commands, user, capabilities and hardening the issue asks for."""
import shutil
import subprocess

import pytest

from nvbtest import binary, source_dir

UNIT = source_dir() / "systemd" / "nvabgpd.service"
CAPS = {"CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"}


def unit_settings():
    """{section: {key: [values in order]}} of the unit file."""
    out, section = {}, None
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = out.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        section.setdefault(key.strip(), []).append(value.strip())
    return out


def one(service, key):
    values = service.get(key, [])
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_analyze_verify(tmp_path):
    # verify checks that the commands exist: point them at the build tree (the unit names the
    # packaged /usr/sbin, /usr/bin paths).
    text = UNIT.read_text()
    assert "/usr/sbin/nvabgpd " in text and "/usr/sbin/nvabgpctl " in text
    text = text.replace("/usr/sbin/nvabgpd ", binary("nvabgpd") + " ")
    text = text.replace("/usr/sbin/nvabgpctl ", binary("nvabgpctl") + " ")
    copy = tmp_path / "nvabgpd.service"
    copy.write_text(text)
    r = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), r.stdout + r.stderr


def test_unit_type_commands_user():
    s = unit_settings()["Service"]
    assert one(s, "Type") == "notify"
    assert one(s, "NotifyAccess") in ("main", "exec")
    start = one(s, "ExecStart").split()
    pre = one(s, "ExecStartPre").split()
    assert start[0].endswith("/nvabgpd") and pre[0] == start[0]
    assert "--check" in pre and "--check" not in start
    # the check reads the same configuration file the daemon runs
    assert pre[pre.index("--config") + 1] == start[start.index("--config") + 1]
    assert one(s, "ExecReload").split()[0].endswith("/nvabgpctl")
    assert one(s, "ExecReload").split()[1:] == ["reload"]
    user = one(s, "User")
    assert user not in ("", "root", "0") and one(s, "Group") == user
    assert one(s, "RuntimeDirectory") == "nvabgpd"  # /run/nvabgpd: the default control socket


def test_unit_capabilities_and_hardening():
    s = unit_settings()["Service"]
    assert set(one(s, "CapabilityBoundingSet").split()) == CAPS
    assert set(one(s, "AmbientCapabilities").split()) == CAPS
    assert one(s, "ProtectSystem") == "strict"
    assert one(s, "PrivateTmp") == "yes"
    assert one(s, "NoNewPrivileges") == "yes"
    watchdog = one(s, "WatchdogSec")
    assert watchdog.endswith("s") and int(watchdog[:-1]) > 0
    for key in ("ProtectHome", "PrivateDevices", "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectControlGroups", "RestrictSUIDSGID", "LockPersonality"):
        assert one(s, key) == "yes", key
    # netlink (routes) and the BGP sockets, nothing else
    assert set(one(s, "RestrictAddressFamilies").split()) == {"AF_UNIX", "AF_INET", "AF_INET6",
                                                               "AF_NETLINK"}


def test_unit_raises_the_file_descriptor_limit():
    """Issue 18: every BGP connection and control client is a descriptor; 1024 is too few."""
    s = unit_settings()["Service"]
    limit = one(s, "LimitNOFILE")
    soft, _, hard = limit.partition(":")
    assert int(soft) >= 65536 and int(hard or soft) >= int(soft), limit
