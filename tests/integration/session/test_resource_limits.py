"""Issue 18: a peer that never reads (RFC 9687 send hold timer, per-peer send-queue cap) and
running out of file descriptors (the accept loop backs off instead of spinning). Everything
runs on 127.0.0.0/8 inside a namespace the test creates."""
import json
import os
import pathlib
import sys
import time

from nvbtest import wait_until
from probe import Probe

RAW_PEER = str(pathlib.Path(__file__).with_name("raw_peer.py"))
TABLE = 1_000_000  # IPv4 routes: a full table, far more than the socket buffers hold


def raw(ns, workdir, tag, *args):
    return ns.popen([sys.executable, RAW_PEER, *args], log_path=str(workdir / f"{tag}.log"))


def raw_events(proc):
    return [json.loads(line) for line in proc.log().splitlines() if line.startswith("{")]


def nonreading_peer(lab, workdir, **peer_keys):
    ns = lab.ns("p")
    probe = Probe(ns, workdir, 65001, "127.0.0.1", [dict(
        {"name": "nr", "address": "127.0.0.2", "asn": 65002, "passive": True, "hold": 9,
         "table": TABLE}, **peer_keys)], listen=("127.0.0.1:179",))
    peer = raw(ns, workdir, "nonreader", "nonreader", "127.0.0.2", "127.0.0.1:179", "65002", "9")
    wait_until(lambda: probe.ups("nr"), 20, what="session up")  # it may not stay up long
    wait_until(lambda: probe.events("table_sent"), 60, what="table queued")
    return probe, peer


def test_send_hold_timer_drops_a_peer_that_keeps_sending_keepalives_but_never_reads(lab, workdir):
    probe, peer = nonreading_peer(lab, workdir, **{"send-hold": 3})
    sent = probe.events("table_sent")[0]
    assert sent["routes"] == TABLE, sent
    n = wait_until(lambda: probe.events("notification", "nr", dir="sent"), 30,
                   what="NOTIFICATION sent")
    assert n[0]["code"] == 8 and n[0]["subcode"] == 0, n  # Send Hold Timer Expired
    down = probe.downs("nr")
    assert down and down[0]["reason"].startswith("send hold timer expired"), down
    # The peer's keepalives kept the (9 s) hold timer from being the cause.
    assert probe.keepalives("nr") >= 3
    assert probe.text().count("): send hold timer expired") == 1  # logged once


def test_send_queue_cap_drops_the_session_with_out_of_resources(lab, workdir):
    cap = 1 << 20
    probe, peer = nonreading_peer(lab, workdir, **{"send-queue-limit": cap, "send-hold": 600})
    n = wait_until(lambda: probe.events("notification", "nr", dir="sent"), 30,
                   what="NOTIFICATION sent")
    assert (n[0]["code"], n[0]["subcode"]) == (6, 8), n  # Cease / Out of Resources
    sent = probe.events("table_sent")[0]
    assert sent["routes"] < TABLE, sent  # the rest was refused, never queued
    assert probe.text().count("over the send-queue limit") == 1  # logged once
    print(f"RSS with a send-queue limit of {cap} bytes: {probe.status('VmRSS')} kB")


def test_rss_without_a_cap_for_comparison(lab, workdir):
    """Not a regression test: the figure the capped run above is compared with."""
    probe, peer = nonreading_peer(lab, workdir, **{"send-queue-limit": 1 << 40,
                                                    "send-hold": 600})
    assert probe.events("table_sent")[0]["routes"] == TABLE
    assert probe.state("nr") == "Established"
    print(f"RSS without a send-queue limit: {probe.status('VmRSS')} kB")


def test_accept_loop_backs_off_when_file_descriptors_run_out(lab, workdir):
    ns = lab.ns("p")
    # 40 passive peers 127.0.0.10..49, and room for about 20 descriptors: their connections
    # are accepted and held (waiting for an OPEN) until accept() fails with EMFILE.
    peers = [{"name": f"h{i}", "address": f"127.0.0.{i}", "asn": 65002, "passive": True,
              "hold": 90} for i in range(10, 50)]
    probe = Probe(ns, workdir, 65001, "127.0.0.1", peers, listen=("127.0.0.1:179",),
                  wrapper=("prlimit", "--nofile=32:32", "--"))
    holder = raw(ns, workdir, "holder", "hold", "10", "49", "127.0.0.1:179")
    wait_until(lambda: raw_events(holder), 20, what="40 connections made")
    fds = f"/proc/{probe.proc.pid}/fd"
    wait_until(lambda: len(os.listdir(fds)) >= 31, 20, what="the probe's descriptors used up")
    cpu0, t0 = probe.cpu_seconds(), time.monotonic()
    time.sleep(3)  # measuring CPU use over a fixed window: nothing to wait for here
    used = (probe.cpu_seconds() - cpu0) / (time.monotonic() - t0)
    print(f"accept loop CPU while out of descriptors: {used:.1%}")
    assert used < 0.10, f"{used:.0%} CPU while out of file descriptors"
    assert probe.text().count("Too many open files") == 1  # logged once per episode
    # Descriptors come back: the backlog is accepted again, and so is a new connection.
    holder.stop()
    wait_until(lambda: "accepting again" in probe.text(), 20, what="accepting again")
    late = raw(ns, workdir, "late", "connect", "127.0.0.10", "127.0.0.1:179", "64")
    ev = wait_until(lambda: raw_events(late), 20, what="the late connection")
    assert ev[0]["event"] == "connected" and ev[0]["open_received"], ev
