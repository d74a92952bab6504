"""Sessions through nvabgpd and its YAML config with GoBGP, BIRD 2 and FRR (issue 3)."""
import subprocess

from nvbtest import binary, wait_until
from nvbtest.peers import Bird, Frr, GoBgp, Neighbor
from nvd import Nvabgpd, link, peer

AS4 = 4200000001


def test_established_with_gobgp_bird_frr_v4_v6_two_and_four_octet(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    b_ns = link(lab, d_ns, "b", "fd00:2::1/64", "fd00:2::2/64")
    f_ns = link(lab, d_ns, "f", "10.0.3.1/24", "10.0.3.2/24")
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001,
        "listen": [{"address": "0.0.0.0"}, {"address": "::"}],
        "peers": [peer("gobgp", "10.0.1.2", 65002),
                  peer("bird6", "fd00:2::2", AS4),
                  peer("frr", "10.0.3.2", AS4 + 1)]}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    b = Bird(b_ns, tmp_path, AS4, "10.0.2.2",
             [Neighbor("fd00:2::1", 65001, families=("ipv6",))]).start()
    f = Frr(f_ns, tmp_path, AS4 + 1, "10.0.3.2", [Neighbor("10.0.3.1", 65001)]).start()
    wait_until(lambda: all(d.state(p) == "Established" for p in ("gobgp", "bird6", "frr")),
               40, what="three sessions Established")
    assert g.established("10.0.1.1") and b.established("fd00:2::1") and f.established("10.0.3.1")
    protos = d.protocols()
    assert protos["bird6"]["asn"] == AS4 and protos["frr"]["asn"] == AS4 + 1
    assert protos["bird6"]["session"]["families"] == ["ipv6-unicast"]
    assert protos["bird6"]["session"]["local_address"] == "fd00:2::1"
    assert all(protos[p]["session"]["four_octet_as"] for p in protos)
    assert protos["gobgp"]["session"]["hold_time"] == 9
    text = d.ctl("show", "protocols").stdout
    assert sum("Established" in line for line in text.splitlines()) == 3


def test_md5_session_with_bird(lab, tmp_path):
    d_ns = lab.ns("d")
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("bird", "10.0.1.2", 65002, password="s3cret-md5")]}).start()
    b = Bird(b_ns, tmp_path, 65002, "10.0.1.2",
             [Neighbor("10.0.1.1", 65001, password="s3cret-md5")]).start()
    wait_until(lambda: d.state("bird") == "Established", 30, what="MD5 session")
    assert b.established("10.0.1.1")


def test_wrong_asn_peer_reports_bad_peer_as(lab, tmp_path):
    d_ns = lab.ns("d")
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    # BIRD expects AS 65009 but nvabgpd is AS 65001
    Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("bird", "10.0.1.2", 65002)]}).start()
    b = Bird(b_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65009)]).start()
    wait_until(lambda: "bad peer as" in b.last_error("10.0.1.1").lower(), 30,
               what="BIRD reporting Bad peer AS")
    assert not b.established("10.0.1.1")


def test_unknown_peer_refused_while_other_session_stays_up(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    u_ns = link(lab, d_ns, "u", "10.0.2.1/24", "10.0.2.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("gobgp", "10.0.1.2", 65002)]}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    wait_until(lambda: d.state("gobgp") == "Established", 30)
    since = d.protocols()["gobgp"]["since"]
    u = GoBgp(u_ns, tmp_path, 65003, "10.0.2.2", [Neighbor("10.0.2.1", 65001)]).start()
    # the stranger gets its TCP connection closed: it keeps retrying and never gets past Active
    wait_until(lambda: u.messages("10.0.2.1").get("sent", {}).get("open", 0) >= 1
               or "10.0.2.2" in d.log(), 30, what="the unknown peer to try")
    refused = lambda: [ln for ln in d.log().splitlines() if "refused connection from 10.0.2.2" in ln]
    wait_until(lambda: len(refused()) >= 2, 30, what="two refused attempts")
    # each attempt (its own source port) is logged once, not by the session layer and again
    # by the daemon
    ports = [ln.split(" port ")[1].split(":")[0] for ln in refused()]
    assert len(ports) == len(set(ports)), refused()
    assert not u.established("10.0.2.1")
    assert "10.0.2.2" not in {p["address"] for p in d.protocols().values()}
    assert g.established("10.0.1.1")
    p = d.protocols()["gobgp"]
    assert p["state"] == "Established" and p["since"] == since and p["flaps"] == 0


def test_check_broken_config_prints_location_and_fails(tmp_path):
    cfg = tmp_path / "broken.yaml"
    cfg.write_text("router-id: 10.0.0.1\nasn: 65001\npeers:\n  - name: x\n"
                   "    address: 10.0.0.2\n    asn: 65002\n    hold-tme: 9\n")
    r = subprocess.run([binary("nvabgpd"), "--check", "--config", str(cfg)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode != 0
    assert f"{cfg.name}:7:5" in r.stdout + r.stderr, r.stdout + r.stderr
    good = tmp_path / "good.yaml"
    good.write_text("router-id: 10.0.0.1\nasn: 65001\n")
    r = subprocess.run([binary("nvabgpd"), "--check", "--config", str(good)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stdout + r.stderr


def test_daemon_refuses_to_start_with_filter_typo(lab, tmp_path):
    d_ns = lab.ns("d")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("x", "10.0.1.2", 65002, **{"import": "IN"})]},
        filters={"f.conf": "filter IN {\n  if net ~ [ 10.0.0.0/8+ ] then acept;\n  reject;\n}\n"})
    d.start()
    wait_until(lambda: not d.alive(), 20, what="nvabgpd to exit")
    assert d.proc.popen.returncode != 0
    assert "f.conf:2" in d.log(), d.log()
