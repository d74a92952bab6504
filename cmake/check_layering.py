#!/usr/bin/env python3
"""Checks the module dependency rules of README.md "Layout" (and docs/architecture.md).

Usage: check_layering.py <source-root> [--links <build>/layering_links.txt]

Checks, each violation listed with where it is:
- the README states exactly the edges of EDGES below (so the document and the check agree);
- every `#include "nvabgpd/<module>/..."` in a module names the module itself or one the module
  may depend on (what EDGES reach from it), and third-party headers only where allowed;
- with --links (the CTest passes the file cmake/Layering.cmake writes): every module target links
  only modules the module may depend on; no target reaches another module's headers through an
  include directory instead of linking it; and every module a module includes is one it links
  (directly or through what it links).
Exits 1 when there is a violation.
"""
import pathlib
import re
import sys

# The documented dependencies, direct edges only: a module may use every module these reach
# (daemon -> config -> policy lets the daemon use policy too). README.md "Layout" states the same.
EDGES = {
    "daemon": {"config", "session", "rib", "fib", "bmp", "mrt", "bfd"},
    "config": {"policy"},
    "policy": {"wire"},
    "session": {"wire"},
    "rib": {"wire"},
    "mrt": {"wire"},
    "wire": {"base"},
    "fib": {"base"},
    "bmp": {"base"},
    "bfd": {"base"},
    "base": set(),
}
DIRS = {
    "base": "lib/base", "wire": "lib/wire", "bmp": "lib/bmp", "mrt": "lib/mrt",
    "policy": "policy", "rib": "lib/rib", "session": "lib/session", "bfd": "lib/bfd",
    "fib": "lib/fib", "config": "config", "daemon": "daemon",
}
# The build's generated version header (nvabgpd/version.hpp, target nvabgpd_version) is not a
# module; only the daemon's executables print it.
VERSION_USERS = {"daemon"}

# Third-party include prefixes that only the listed modules may use.
THIRD_PARTY = {
    "boost": {"session", "bfd", "daemon"},
    "yaml-cpp": {"config"},
    "nlohmann": {"daemon"},
    "CLI": {"daemon"},
    "systemd": {"daemon"},
    "prometheus": {"daemon"},
    "netlink": set(),  # libnl: lib/fib speaks rtnetlink itself (README)
    # logging: the daemon and the I/O modules; the pure core (wire, rib, policy, config, ...)
    # returns values and never logs
    "spdlog": {"session", "bfd", "fib", "daemon"},
}

INC = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
README_CHAIN = re.compile(r"`([a-z]+(?:\s*->\s*[a-z]+)+)`")


def reach(mod: str) -> set:
    """The modules `mod` may depend on (EDGES' transitive closure), without itself."""
    seen, todo = set(), list(EDGES[mod])
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(EDGES[m])
    return seen


def may_use(mod: str, target: str) -> bool:
    if target == "version":
        return mod in VERSION_USERS
    return target == mod or target in reach(mod)


def readme_edges(root: pathlib.Path) -> set:
    text = (root / "README.md").read_text()
    start = text.find("## Layout")
    end = text.find("\n## ", start + 1)
    edges = set()
    for chain in README_CHAIN.findall(text[start:end]):
        names = [n.strip() for n in chain.split("->")]
        edges.update(zip(names, names[1:]))
    return edges


def module_of(rel: str):
    best = None
    for mod, d in DIRS.items():
        if (rel == d or rel.startswith(d + "/")) and (best is None or len(d) > len(DIRS[best])):
            best = mod
    return best


def check_readme(root: pathlib.Path, bad: list) -> None:
    table = {(a, b) for a, bs in EDGES.items() for b in bs}
    stated = readme_edges(root)
    for a, b in sorted(table - stated):
        bad.append(f"README.md Layout: does not state the edge {a} -> {b} that this check allows")
    for a, b in sorted(stated - table):
        bad.append(f"README.md Layout: states {a} -> {b}, which this check does not allow")


def check_includes(root: pathlib.Path, bad: list) -> dict:
    """Returns module -> {included module: first file:line that includes it}."""
    used = {}
    for mod, d in DIRS.items():
        for f in sorted((root / d).rglob("*")):
            if f.suffix not in (".hpp", ".cpp", ".h"):
                continue
            for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
                m = INC.match(line)
                if not m:
                    continue
                path = m.group(1)
                where = f"{f.relative_to(root)}:{n}"
                head = path.split("/")[0]
                if head == "nvabgpd" and "/" in path:
                    target = path.split("/")[1]
                    if target == "version.hpp":
                        target = "version"
                    if not may_use(mod, target):
                        bad.append(f"{where}: {mod} may not include {path}")
                    elif target != mod:
                        used.setdefault(mod, {}).setdefault(target, where)
                elif head in THIRD_PARTY and mod not in THIRD_PARTY[head]:
                    what = "is pure and may not log" if head == "spdlog" else f"may not use {head}"
                    bad.append(f"{where}: {mod} {what} ({path})")
    return used


TARGET_REF = re.compile(r"^(?:\$<LINK_ONLY:)?nvabgpd(?:::|_)([A-Za-z0-9_]+)>?$")


def check_links(root: pathlib.Path, links: pathlib.Path, used: dict, bad: list) -> None:
    owner = {}  # target -> module
    facts = []
    for line in dict.fromkeys(links.read_text().splitlines()):  # unique, in order
        kind, target, value = line.split("\t", 2)
        if kind == "target":
            owner[target] = "version" if target == "nvabgpd_version" else module_of(value)
        else:
            facts.append((kind, target, value))
    linked = {}  # module -> modules its targets link
    for kind, target, value in facts:
        mod = owner.get(target)
        if mod is None or mod == "version":
            continue
        if kind == "link":
            m = TARGET_REF.match(value)
            dep = owner.get("nvabgpd_" + m.group(1)) if m else None
            if dep is None or dep == mod:
                continue
            linked.setdefault(mod, set()).add(dep)
            if not may_use(mod, dep):
                bad.append(f"{links.name}: {target} ({mod}) may not link {value} ({dep})")
        else:
            p = pathlib.Path(value)
            if not p.is_absolute():
                continue
            p = p.resolve()
            if not p.is_relative_to(root):
                continue
            dep = module_of(str(p.relative_to(root)))
            if dep is not None and dep != mod:
                bad.append(f"{links.name}: {target} ({mod}) takes {dep}'s headers by include path"
                           f" ({value}); link nvabgpd::{dep} instead")
    for mod, targets in sorted(used.items()):
        closure, todo = set(), list(linked.get(mod, ()))
        while todo:
            m = todo.pop()
            if m not in closure:
                closure.add(m)
                todo.extend(linked.get(m, ()))
        for dep, where in sorted(targets.items()):
            if dep != "version" and dep not in closure:
                bad.append(f"{where}: {mod} includes {dep} but does not link nvabgpd::{dep}")


def main() -> int:
    args = sys.argv[1:]
    links = None
    if "--links" in args:
        i = args.index("--links")
        links = pathlib.Path(args[i + 1])
        del args[i:i + 2]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(args[0]).resolve()
    bad = []
    check_readme(root, bad)
    used = check_includes(root, bad)
    if links is not None:
        if not links.is_file():
            bad.append(f"{links}: missing (written by cmake/Layering.cmake when CMake configures)")
        else:
            check_links(root, links, used, bad)
    for b in bad:
        print(b)
    print(f"layering: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
