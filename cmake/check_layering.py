#!/usr/bin/env python3
"""Checks that each module includes only the modules it may depend on (ARCHITECTURE.md).

Usage: check_layering.py <source-root>. Exits 1 and lists every violation.
"""
import pathlib
import re
import sys

# module directory -> (nvabgpd modules it may include, third-party include prefixes it may use)
ALLOWED = {
    "lib/base": ({"base"}, set()),
    "lib/wire": ({"base", "wire"}, set()),
    "lib/bmp": ({"base", "bmp"}, set()),
    "lib/mrt": ({"base", "wire", "mrt"}, set()),
    "policy": ({"base", "wire", "policy"}, set()),
    "lib/rib": ({"base", "wire", "policy", "rib"}, set()),
    "lib/session": ({"base", "wire", "session"}, {"boost"}),
    "lib/bfd": ({"base", "bfd"}, {"boost"}),
    "lib/fib": ({"base", "fib"}, {"netlink", "boost"}),
    "config": ({"base", "wire", "policy", "rib", "session", "fib", "config"}, {"yaml-cpp"}),
    "daemon": ({"base", "wire", "bmp", "mrt", "policy", "rib", "session", "bfd", "fib", "config",
                "daemon"},
               {"boost", "nlohmann", "CLI", "systemd", "prometheus", "spdlog"}),
}
# third-party prefixes that only the modules above may use
GUARDED = {"boost", "netlink", "yaml-cpp", "nlohmann", "CLI", "systemd", "prometheus"}
# spdlog: logging is allowed in the daemon and the I/O modules, never in the pure core
LOGGING_OK = {"lib/session", "lib/bfd", "lib/fib", "daemon", "config", "policy", "lib/rib"}

INC = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    bad = []
    for mod, (mods, third) in ALLOWED.items():
        for f in sorted((root / mod).rglob("*")):
            if f.suffix not in (".hpp", ".cpp", ".h"):
                continue
            for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
                m = INC.match(line)
                if not m:
                    continue
                path = m.group(1)
                head = path.split("/")[0]
                if head == "nvabgpd":
                    target = path.split("/")[1]
                    if target not in mods:
                        bad.append(f"{f.relative_to(root)}:{n}: {mod} may not include {path}")
                elif head in GUARDED and head not in third:
                    bad.append(f"{f.relative_to(root)}:{n}: {mod} may not use {head} ({path})")
                elif head == "spdlog" and mod not in LOGGING_OK:
                    bad.append(f"{f.relative_to(root)}:{n}: {mod} is pure and may not log ({path})")
    for b in bad:
        print(b)
    print(f"layering: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
