"""The daemon's command line (issue 16): --version, `--check --print` (the canonical config,
loadable again, secrets hidden), usage errors exit 2, and --user naming no user is refused."""
import subprocess

import yaml

from nvbtest import binary

CONFIG = """router-id: 10.0.0.1
asn: 65001
templates:
  - { name: base, hold-time: 30, import: all, export: all }
peers:
  - { name: rs0, template: azure-route-server, address: 10.1.0.4, import: all, export: all,
      export-limit: { max: 30 } }
  - { name: nva2, template: base, address: 10.2.0.4, asn: 65002, password: s3cret }
"""


def run(*args, timeout=20):
    return subprocess.run([binary("nvabgpd"), *args], capture_output=True, text=True,
                          timeout=timeout)


def test_version_names_the_build():
    r = run("--version")
    assert r.returncode == 0, r.stderr
    words = r.stdout.split()
    assert words[0] == "nvabgpd" and words[1].count(".") == 2, r.stdout
    assert run("-V").stdout == r.stdout


def test_check_print_is_the_canonical_config_and_loads_again(tmp_path):
    cfg = tmp_path / "in.yaml"
    cfg.write_text(CONFIG)
    r = run("--check", "--print", "--config", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "s3cret" not in r.stdout
    doc = yaml.safe_load(r.stdout)
    peers = {p["name"]: p for p in doc["peers"]}
    assert peers["nva2"]["hold-time"] == 30            # the user template expanded
    assert peers["nva2"]["keepalive"] == 10            # a default filled in
    assert peers["rs0"]["export-limit"]["max"] == 30   # merged with the template's map
    assert peers["rs0"]["export-limit"]["action"] == "block"
    again = tmp_path / "again.yaml"
    again.write_text(r.stdout)
    r2 = run("--check", "--print", "--config", str(again))
    assert r2.returncode == 0, r2.stderr
    assert yaml.safe_load(r2.stdout) == doc  # a fixed point (only comments differ)


def test_usage_errors_exit_2():
    assert run("--no-such-option").returncode == 2
    assert run("--print").returncode == 2  # --print needs --check


def test_an_unknown_user_is_an_error_not_a_silent_root(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("router-id: 10.0.0.1\nasn: 65001\n")
    r = run("--config", str(cfg), "--no-kernel", "-s", str(tmp_path / "ctl"), "--user",
            "no-such-user-nvabgpd-test")
    assert r.returncode == 1
    assert "user 'no-such-user-nvabgpd-test' (--user) does not exist" in r.stderr, r.stderr
