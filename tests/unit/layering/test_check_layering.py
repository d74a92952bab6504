"""cmake/check_layering.py on small made-up trees: each rule it enforces, seen failing."""
import pathlib
import shutil
import subprocess
import sys

import pytest

SRC = pathlib.Path(__file__).resolve().parents[3]
CHECK = SRC / "cmake" / "check_layering.py"
MODULES = {"base": "lib/base", "wire": "lib/wire", "bmp": "lib/bmp", "mrt": "lib/mrt",
           "policy": "policy", "rib": "lib/rib", "session": "lib/session", "bfd": "lib/bfd",
           "fib": "lib/fib", "config": "config", "daemon": "daemon"}
# What each module links in the made-up build: its documented edges.
LINKS = {"wire": ["base"], "bmp": ["base"], "mrt": ["wire"], "policy": ["wire"], "rib": ["wire"],
         "session": ["wire"], "bfd": ["base"], "fib": ["base"], "config": ["policy"],
         "daemon": ["config", "session", "rib", "fib", "bmp", "mrt", "bfd"]}


@pytest.fixture
def tree(tmp_path):
    """A tree with the real README and one source file per module that includes its own
    header; returns (root, write(module, text), links(), run())."""
    shutil.copy(SRC / "README.md", tmp_path / "README.md")
    for mod, d in MODULES.items():
        (tmp_path / d / "src").mkdir(parents=True)
        (tmp_path / d / "src" / "a.cpp").write_text(f'#include "nvabgpd/{mod}/a.hpp"\n')
    links = {m: list(v) for m, v in LINKS.items()}
    incdirs = {}

    def write(mod, line):
        f = tmp_path / MODULES[mod] / "src" / "a.cpp"
        f.write_text(f.read_text() + line + "\n")

    def run():
        rows = []
        for mod, d in MODULES.items():
            t = f"nvabgpd_{mod}"
            rows.append(f"target\t{t}\t{d}")
            rows.append(f"incdir\t{t}\t{tmp_path / d / 'include'}")
            rows += [f"link\t{t}\tnvabgpd::{dep}" for dep in links.get(mod, [])]
            rows += [f"incdir\t{t}\t{p}" for p in incdirs.get(mod, [])]
        lf = tmp_path / "layering_links.txt"
        lf.write_text("\n".join(rows) + "\n")
        r = subprocess.run([sys.executable, str(CHECK), str(tmp_path), "--links", str(lf)],
                           capture_output=True, text=True)
        return r.returncode, r.stdout

    return tmp_path, write, links, incdirs, run


def test_documented_tree_passes(tree):
    _, write, _, _, run = tree
    write("daemon", '#include "nvabgpd/policy/filter.hpp"')  # reached through config
    write("rib", '#include "nvabgpd/base/ip.hpp"')           # reached through wire
    rc, out = run()
    assert (rc, out.strip()) == (0, "layering: 0 violation(s)")


@pytest.mark.parametrize("mod,include,says", [
    ("rib", '"nvabgpd/policy/filter.hpp"', "rib may not include nvabgpd/policy/filter.hpp"),
    ("config", '"nvabgpd/rib/rib.hpp"', "config may not include nvabgpd/rib/rib.hpp"),
    ("config", '"nvabgpd/session/fsm.hpp"', "config may not include"),
    ("config", '"nvabgpd/fib/fib.hpp"', "config may not include"),
    ("session", '"nvabgpd/rib/rib.hpp"', "session may not include"),
    ("rib", '"nvabgpd/session/fsm.hpp"', "rib may not include"),
    ("fib", '"nvabgpd/rib/rib.hpp"', "fib may not include"),
    ("policy", '"nvabgpd/version.hpp"', "policy may not include"),
    ("rib", "<spdlog/spdlog.h>", "rib is pure and may not log"),
    ("wire", "<boost/asio.hpp>", "wire may not use boost"),
    ("policy", "<yaml-cpp/yaml.h>", "policy may not use yaml-cpp"),
])
def test_an_undocumented_include_is_a_violation(tree, mod, include, says):
    _, write, _, _, run = tree
    write(mod, f"#include {include}")
    rc, out = run()
    assert rc == 1
    assert says in out


def test_an_undocumented_link_is_a_violation(tree):
    _, _, links, _, run = tree
    links["config"].append("rib")
    rc, out = run()
    assert rc == 1
    assert "nvabgpd_config (config) may not link nvabgpd::rib (rib)" in out


def test_headers_by_include_path_instead_of_linking(tree):
    root, write, links, incdirs, run = tree
    write("policy", '#include "nvabgpd/wire/attributes.hpp"')
    links["policy"] = ["base"]
    incdirs["policy"] = [root / "policy" / ".." / "lib" / "wire" / "include"]
    rc, out = run()
    assert rc == 1
    assert "nvabgpd_policy (policy) takes wire's headers by include path" in out
    assert "policy includes wire but does not link nvabgpd::wire" in out


def test_the_readme_must_state_exactly_the_checked_edges(tree):
    root, _, _, _, run = tree
    readme = root / "README.md"
    text = readme.read_text()
    assert "`daemon -> bfd -> base`" in text
    readme.write_text(text.replace("`daemon -> bfd -> base`", "`daemon -> bfd -> rib`"))
    rc, out = run()
    assert rc == 1
    assert "does not state the edge bfd -> base" in out
    assert "states bfd -> rib, which this check does not allow" in out
