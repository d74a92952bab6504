"""nvabgpctl's command line (issue 16): exit codes (0 ok, 1 the daemon said no, 2 usage, 3 no
daemon), --json and -s anywhere on the line, --version, --help and the bash completion script
generated from the command table, and the man pages (rendered without groff warnings,
installed by `cmake --install`)."""
import json
import os
import re
import socket
import subprocess
import tempfile
import time

import pytest

from nvbtest import Lab, binary, build_dir, source_dir, wait_until
from nvd import Nvabgpd, peer

MAN_PAGES = ["nvabgpd.8", "nvabgpctl.8", "nvabgpd.yaml.5"]
SHOW = {"protocols", "route", "status", "memory", "health", "bfd"}


def ctl(*args, env=None):
    return subprocess.run([binary("nvabgpctl"), *args], capture_output=True, text=True,
                          timeout=20, env=env)


@pytest.fixture(scope="module")
def daemon():
    """One daemon with two configured (passive, never established) peers."""
    with Lab() as lab, tempfile.TemporaryDirectory(prefix="nvbt-ctl-") as tmp:
        d = Nvabgpd(lab.ns("ctl"), tmp, {"router-id": "10.0.0.1", "asn": 65001, "listen": [],
                                          "peers": [peer("rs0", "10.0.9.2", 65002, passive=True),
                                                    peer("nva2", "10.0.9.3", 65003,
                                                         passive=True)]}).start()
        try:
            wait_until(d.ready, 20, what="control socket")
            yield d
        finally:
            d.stop()


def test_exit_0_and_json_in_any_position_gives_the_same_json(daemon):
    s = daemon.sock
    for words in (["show", "protocols"], ["show", "route", "count"], ["show", "route"]):
        outs = []
        for line in (["-s", s, "--json", *words], [*words, "--json", "-s", s],
                     [words[0], "--json", *words[1:], "--socket", s],
                     ["--socket=" + s, *words, "--json"]):
            r = ctl(*line)
            assert r.returncode == 0, (line, r.stderr)
            outs.append(json.loads(r.stdout))
        assert all(o == outs[0] for o in outs), words
    assert {p["name"] for p in json.loads(ctl("show", "protocols", "--json", "-s", s).stdout)} \
        == {"rs0", "nva2"}
    text = ctl("show", "protocols", "-s", s)
    assert text.returncode == 0 and text.stdout.startswith("Name ") and "rs0" in text.stdout
    one = json.loads(ctl("show", "protocols", "rs0", "-s", s, "--json").stdout)
    assert [p["name"] for p in one] == ["rs0"]
    # the environment names the socket when -s is not given
    env = dict(os.environ, NVABGPCTL_SOCKET=s)
    assert ctl("show", "status", env=env).returncode == 0


def test_exit_1_when_the_daemon_refuses(daemon):
    s = daemon.sock
    r = ctl("-s", s, "disable", "nosuchpeer")
    assert r.returncode == 1 and "nosuchpeer" in r.stderr and r.stdout == ""
    r = ctl("disable", "nosuchpeer", "-s", s, "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["ok"] is False
    assert ctl("-s", s, "explain", "10.0.0.0/33").returncode == 1
    # drain of an unknown peer: refused whether or not this daemon knows `drain` yet
    assert ctl("-s", s, "drain", "nosuchpeer").returncode == 1


def test_show_health_and_bfd_answer_or_are_refused(daemon):
    for what in ("health", "bfd"):
        r = ctl("-s", daemon.sock, "show", what, "--json")
        if r.returncode == 0:
            json.loads(r.stdout)
        else:  # a daemon without the command refuses it: exit 1 with its error
            assert r.returncode == 1 and json.loads(r.stdout)["ok"] is False, r


USAGE_ERRORS = [
    [],                                      # no command
    ["bogus"],                               # unknown command
    ["show"],                                # a group without its command
    ["show", "nosuch"],                      # unknown show command
    ["show", "status", "extra"],             # extra word
    ["show", "protocols", "rs0", "extra"],   # extra word after the optional one
    ["show", "route", "nonsense"],           # a word show route does not know
    ["show", "route", "protocol"],           # a keyword without its value
    ["enable"],                              # missing argument
    ["enable", "rs0", "nva2"],               # one argument too many
    ["disable", "rs0", "-m"],                # option without its value
    ["--nosuch", "show", "status"],          # unknown option
    ["show", "status", "--check"],           # another command's option
    ["reload", "--check=yes"],               # a flag given a value
    ["explain"],                             # missing PREFIX
    ["dump", "mrt"],                         # missing FILE
    ["show", "status", "-s"],                # -s without its path
    ["filter", "test", "--bogus"],           # filter test's own parser (CLI11): still 2
    ["--timeout", "0", "show", "status"],    # not 1..3600 seconds
    ["show", "status", "--timeout=soon"],
]


@pytest.mark.parametrize("line", USAGE_ERRORS, ids=lambda w: " ".join(w) or "(empty)")
def test_exit_2_on_usage_errors_with_a_message_and_no_request(daemon, line):
    r = ctl("-s", daemon.sock, *line) if line[-1:] != ["-s"] else ctl(*line)
    assert r.returncode == 2, (line, r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("nvabgpctl: ") and r.stdout == "", r.stderr
    assert "usage: nvabgpctl" in r.stderr or "nvabgpctl --help" in r.stderr, r.stderr


def test_exit_3_when_no_daemon_listens(tmp_path):
    missing = str(tmp_path / "none.ctl")
    refused = str(tmp_path / "refused.ctl")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(refused)  # a socket file nobody accepts on: ECONNREFUSED
        for path in (missing, refused):
            for line in (["show", "protocols"], ["show", "route"], ["show", "route", "count"],
                         ["reload"], ["dump", "mrt", str(tmp_path / "x.mrt")],
                         ["show", "protocols", "--json"]):
                r = ctl("-s", path, *line)
                assert r.returncode == 3, (path, line, r.stderr)
                assert "cannot connect" in r.stderr and r.stdout == "", r.stderr


def test_exit_3_when_the_daemon_does_not_answer_in_time(tmp_path):
    path = str(tmp_path / "mute.ctl")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(path)
        s.listen(8)  # connections complete in the backlog, nobody ever reads or answers
        for line in (["show", "status"], ["show", "route"], ["--json", "show", "protocols"]):
            t0 = time.monotonic()
            r = ctl(*line, "--timeout", "1", "-s", path)
            assert r.returncode == 3 and "timed out" in r.stderr, (line, r.stderr)
            assert time.monotonic() - t0 < 10


def test_version_and_help():
    r = ctl("--version")
    assert r.returncode == 0 and r.stderr == ""
    d = subprocess.run([binary("nvabgpd"), "--version"], capture_output=True, text=True)
    assert r.stdout.split(None, 1)[1] == d.stdout.split(None, 1)[1]   # the same build version
    assert r.stdout.startswith("nvabgpctl ") and ctl("-V").stdout == r.stdout
    assert ctl("show", "route", "--version").stdout == r.stdout
    h = ctl("--help")
    assert h.returncode == 0 and "Exit codes" in h.stdout
    for cmd in table_commands():
        assert f"\n  {cmd}" in h.stdout, cmd
    g = ctl("show", "--help")
    assert g.returncode == 0
    assert {ln.split()[1] for ln in g.stdout.splitlines() if ln.startswith("  show ")} == SHOW
    one = ctl("disable", "--help")
    assert one.returncode == 0 and one.stdout.startswith("usage: nvabgpctl disable [-m TEXT] PEER")


def table_commands():
    """The commands of the table, from the generated help ("  show route [...]" lines)."""
    out = ctl("--help").stdout
    cmds = []
    for ln in out.splitlines():
        m = re.match(r"^  ([a-z]+(?: [a-z]+)*)(?: [^a-z].*)?$", ln)
        if m:
            cmds.append(m.group(1))
    assert len(cmds) >= 15, out
    return cmds


def complete(*words, cur=""):
    """The completions bash offers for `words... cur` with the generated script sourced."""
    script = ctl("completion", "bash").stdout
    prog = ('source /dev/stdin; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nvabgpctl; '
            'printf "%s\\n" "${COMPREPLY[@]}"')
    r = subprocess.run(["bash", "-c", prog, "bash", binary("nvabgpctl"), *words, cur],
                       input=script, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return sorted(w for w in r.stdout.split("\n") if w)


def test_completion_script_from_the_table(daemon):
    r = ctl("completion", "bash")
    assert r.returncode == 0 and "complete -F _nvabgpctl nvabgpctl" in r.stdout
    assert subprocess.run(["bash", "-n"], input=r.stdout, text=True).returncode == 0
    assert complete(cur="sh") == ["show"]
    firsts = {c.split()[0] for c in table_commands()}
    assert set(complete()) == firsts
    assert set(complete("show")) == SHOW
    assert set(complete("show", cur="r")) == {"route"}
    assert set(complete("dump")) == {"mrt"}
    assert {"all", "count", "filtered", "for", "protocol", "export"} <= set(
        complete("show", "route"))
    assert "--check" in complete("reload", cur="--")
    assert {"--json", "--socket"} <= set(complete("show", "status", cur="--"))
    assert complete("show", "status") == []          # takes no arguments
    # peer names come from the daemon of the line's -s
    assert complete("-s", daemon.sock, "disable") == ["nva2", "rs0"]
    assert complete("-s", daemon.sock, "show", "route", "export", cur="r") == ["rs0"]
    assert set(complete("-s", daemon.sock, "show", "protocols")) == {"all", "nva2", "rs0"}


def man_text(path):
    r = subprocess.run(f"man -l '{path}' | col -b", shell=True, capture_output=True,
                       text=True, env=dict(os.environ, MANWIDTH="80"), timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout


@pytest.mark.parametrize("page", MAN_PAGES)
def test_man_page_renders_without_warnings(page):
    src = source_dir() / "man" / page
    g = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", str(src)], capture_output=True,
                       text=True, timeout=30)
    assert g.returncode == 0 and g.stderr == "", g.stderr
    # what lintian runs (manpage-has-errors-from-man) and what mandb reads for whatis(1)
    w = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", str(src)],
                       capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, LC_ALL="C.UTF-8", MANROFFSEQ="", MANWIDTH="80"))
    assert w.returncode == 0 and w.stderr == "", w.stderr
    name = page.rsplit(".", 1)[0]
    whatis = subprocess.run(["lexgrog", str(src)], capture_output=True, text=True, timeout=30)
    assert whatis.returncode == 0 and f'"{name} - ' in whatis.stdout, whatis.stdout
    text = man_text(src)
    assert re.search(rf"^NAME\n\s+{re.escape(name)} - ", text, re.M), text[:300]
    assert re.search(r"^SYNOPSIS\n", text, re.M) and "SEE ALSO" in text
    assert max(len(ln) for ln in text.splitlines()) <= 80


def test_nvabgpctl_man_page_describes_every_command():
    text = " ".join(man_text(source_dir() / "man" / "nvabgpctl.8").split())
    for cmd in table_commands():
        assert cmd in text, cmd
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"EXIT STATUS .*\b{code} ", text)


def test_cmake_install_puts_man_pages_and_completion_in_place(tmp_path):
    r = subprocess.run(["cmake", "--install", str(build_dir()), "--prefix", str(tmp_path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    for page in MAN_PAGES:
        gz = tmp_path / "share" / "man" / f"man{page[-1]}" / f"{page}.gz"
        assert gz.is_file(), list((tmp_path / "share" / "man").rglob("*"))
        assert "SYNOPSIS" in man_text(gz)
    comp = tmp_path / "share" / "bash-completion" / "completions" / "nvabgpctl"
    assert comp.read_text() == ctl("completion", "bash").stdout
