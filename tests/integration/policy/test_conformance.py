"""Conformance corpus (issue 12): every filter in corpus/*.yaml runs in Debian's bird2 and in
nvabgpd over real BGP sessions, in import and in export position, and the routes the downstream
collector receives must be identical (see conformance.py for the topology and the
normalisations). Negative cases (`load: error`) must be refused by both.

A case is one entry in a corpus file:
    - name: path_len            # unique
      row: "bgp_path .len"      # the row of policy/README.md's conformance table it covers
      filter: "filter f { bgp_med = bgp_path.len; accept; }"
      positions: [import, export]   # default: both
      load: ok                  # error: both daemons must refuse the configuration;
                              # refused: bird loads it, nvabgpd refuses it on purpose with the
                              # load error given as `error:` (a documented row of the table)
The filter must be named `f` (functions/defines too are renamed per case). A shipped filter
file is given as `filter_file: policy/filters/x.conf` plus `filter_name: NAME`. All cases see the
routes of corpus/routes.yaml.
"""
import functools
import os
import pathlib
import subprocess
import tempfile

import pytest
import yaml

import conformance
from bird_diff import BIRD
from nvbtest import binary

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
ROUTES = yaml.safe_load((CORPUS / "routes.yaml").read_text())["routes"]


# Differences found by this corpus that no branch of issue 12 fixes yet (real bugs, reported):
# expected to fail; a case that starts passing fails the test so that its entry is removed.
# A key "name@import" / "name@export" applies to one position only.
KNOWN_DIFFERENCES = {
}


# Differences by design, each a "supported with a documented difference" row of
# policy/README.md's conformance table.
DOCUMENTED_DIFFERENCES = {
    "attr_ifname_value": "ifname reads \"\" (bird: the interface of the resolved next hop)",
    "attr_ifindex_value": "ifindex reads 0 (bird: the index of that interface)",
}


def expect(name, differs, detail, pos=None):
    """Fails on a difference unless the case is a known/documented difference."""
    known = {**KNOWN_DIFFERENCES, **DOCUMENTED_DIFFERENCES}
    if f"{name}@{pos}" in known:
        name = f"{name}@{pos}"
    if name in known:
        if differs:
            pytest.xfail(known[name])
        pytest.fail(f"{name} now matches bird2: remove it from KNOWN_DIFFERENCES")
    assert not differs, detail


def load_cases():
    cases = []
    for f in sorted(CORPUS.glob("*.yaml")):
        if f.name == "routes.yaml":
            continue
        for c in yaml.safe_load(f.read_text()) or []:
            if "filter_file" in c:  # a shipped filter, its filter renamed to f
                text = (HERE.parents[2] / c["filter_file"]).read_text()
                c["filter"] = text.replace(f"filter {c['filter_name']}", "filter f")
            c.setdefault("load", "ok")
            c.setdefault("positions", ["import", "export"])
            c["file"] = f.name
            cases.append(c)
    names = [c["name"] for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    assert not dup, f"duplicate case names: {dup}"
    return cases


CASES = load_cases()
POSITIVE = [c for c in CASES if c["load"] == "ok"]
NEGATIVE = [c for c in CASES if c["load"] == "error"]
REFUSED = [c for c in CASES if c["load"] == "refused"]
NEWER = [c for c in CASES if c["load"] == "newer"]


@functools.lru_cache(maxsize=None)
def bird_parses(text):
    with tempfile.TemporaryDirectory(prefix="nvbt-corp-") as d:
        conf = os.path.join(d, "bird.conf")
        with open(conf, "w") as f:
            f.write("router id 10.255.0.1;\nprotocol device {}\n" + text + "\n")
        p = subprocess.run([BIRD, "-p", "-c", conf], capture_output=True, text=True, timeout=20)
        return p.returncode == 0, (p.stdout + p.stderr).strip()


@functools.lru_cache(maxsize=None)
def ours_loads(text):
    with tempfile.TemporaryDirectory(prefix="nvbt-corp-") as d:
        path = os.path.join(d, "f.conf")
        with open(path, "w") as f:
            f.write(text + "\n")
        p = subprocess.run([binary("nvabgpctl"), "filter", "test", "--file", path, "--filter",
                            "f", "--route", "10.0.0.0/8"], capture_output=True, text=True,
                           timeout=20)
        return p.returncode != 2, p.stderr.strip()


@pytest.mark.parametrize("case", NEGATIVE, ids=[c["name"] for c in NEGATIVE])
def test_refused_by_both(case):
    ok, msg = bird_parses(case["filter"])
    assert not ok, f"bird accepts it: update the corpus ({case['file']})"
    ok, err = ours_loads(case["filter"])
    expect(case["name"], ok or "error:" not in err,
           f"nvabgpd accepts what bird refuses ({msg}) {err}")


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_documented_refusal(case):
    """BIRD loads these; nvabgpd refuses them on purpose with the error the README names."""
    ok, msg = bird_parses(case["filter"])
    assert ok, f"bird refuses it too ({msg}): make it a load: error case"
    ok, err = ours_loads(case["filter"])
    assert not ok and case["error"] in err, err


@pytest.mark.parametrize("case", NEWER, ids=[c["name"] for c in NEWER])
def test_newer_form_supported(case):
    """bird2 2.0.12 refuses these newer-BIRD forms; nvabgpd loads them on purpose."""
    ok, _ = bird_parses(case["filter"])
    assert not ok, "bird 2.0.12 loads it: make it a load: ok case"
    ok, err = ours_loads(case["filter"])
    assert ok, err


@pytest.fixture(scope="module")
def session_results(tmp_path_factory):
    xcases, icases = [], []
    for i, c in enumerate(POSITIVE):
        if not bird_parses(c["filter"])[0] or not ours_loads(c["filter"])[0]:
            continue  # reported by test_same_routes_as_bird
        if "export" in c["positions"]:
            xcases.append((i, c))
        if "import" in c["positions"]:
            icases.append((i, c))
    res = conformance.run(str(tmp_path_factory.mktemp("conf")), ROUTES, xcases, icases)
    print(f"conformance run: {len(xcases)} export + {len(icases)} import cases in "
          f"{res['_seconds']:.1f} s")
    return res


PARAMS = [(pos, i) for i, c in enumerate(POSITIVE) for pos in ("import", "export")
          if pos in c["positions"]]


@pytest.mark.parametrize("pos,i", PARAMS, ids=[f"{POSITIVE[i]['name']}-{p}" for p, i in PARAMS])
def test_same_routes_as_bird(session_results, pos, i):
    case = POSITIVE[i]
    ok, msg = bird_parses(case["filter"])
    assert ok, f"bird refuses a load: ok case: {msg}"
    ok, err = ours_loads(case["filter"])
    if not ok:
        expect(case["name"], True, f"nvabgpd refuses a filter bird loads: {err}", pos)
    bird, ours = session_results[(pos, i)]
    diff = []
    for p in sorted(set(bird) | set(ours)):
        if bird.get(p) != ours.get(p):
            diff.append(f"{p}: bird {bird.get(p)} ours {ours.get(p)}")
    expect(case["name"], bool(diff), f"{case['name']} ({pos}): " + "; ".join(diff), pos)
