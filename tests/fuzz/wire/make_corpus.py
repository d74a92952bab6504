#!/usr/bin/python3
"""Writes the wire fuzzers' seed corpus (tests/fuzz/wire/corpus/<target>/) from hand-built
messages and the captured fixtures in tests/fixtures/wire/*.hex. Run from anywhere."""
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "fixtures" / "wire"


def h(s):
    return bytes.fromhex("".join(s.split()))


def msg(t, body):
    b = h(body) if isinstance(body, str) else body
    return b"\xff" * 16 + (19 + len(b)).to_bytes(2, "big") + bytes([t]) + b


def upd(w, a, n):
    w, a, n = h(w), h(a), h(n)
    return msg(2, len(w).to_bytes(2, "big") + w + len(a).to_bytes(2, "big") + a + n)


BASE = "40010100 400206020100 00fde9 4003040a000001"
MESSAGES = [
    msg(1, "04 5ba0 00b4 0a000001 36 02 34 0104 00010001 0104 00020001 0200 4600 0600"
           "4006 8078 0001 0180 4104 00010000 4504 0001 0103 4908 046e766131 026c61 8302abcd"),
    msg(4, ""),
    msg(3, "06 02 03 627965"),
    msg(5, "0001 01 01"),
    upd("", BASE, "18c0a801"),
    upd("180a0a0a", BASE + "800404 00000064 400504 000000c8 400600 c00708 00011170c0000201"
        "c00808 fde80001ffffff01 800904 01020304 800a08 0505050506060606 c01008 0002fde800000064"
        "c0200c 000111700000000100000002 e06302abcd", "18c0a801 10ac10"),
    upd("", "800e1a 0002 01 10 20010db8000000000000000000000001 00 20 20010db8"
        "40010100 400206020100 00fde9", ""),
    upd("", "800f03 000201", ""),
    upd("", "", ""),
]
# 2-octet session: AS_PATH with AS_TRANS plus AS4_PATH and AS4_AGGREGATOR.
TWO_OCTET = [
    upd("", "40010100 40020a 0204 fde9 5ba0 5ba0 fdea 4003040a000001 c00706 5ba0c0000201"
        "c0110e 0203 00011170 00011171 0000fdea c01208 00011170c0000201", "080a"),
]


def fixtures():
    """(mode byte, message) for every captured message; *-2octet files use 2-octet ASNs."""
    out = []
    for f in sorted(FIXTURES.glob("*.hex")):
        mode = b"\x01" if "-2octet" in f.name else b"\x00"
        for line in f.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(mode + h(line))
    return out


def main():
    seeds = [b"\x00" + m for m in MESSAGES] + [b"\x01" + m for m in TWO_OCTET] + fixtures()
    for target in ("fuzz_wire_decode", "fuzz_wire_roundtrip"):
        d = HERE / "corpus" / target
        d.mkdir(parents=True, exist_ok=True)
        for i, s in enumerate(seeds):
            (d / f"seed-{i:03d}").write_bytes(s)
    d = HERE / "corpus" / "fuzz_wire_framer"
    d.mkdir(parents=True, exist_ok=True)
    stream = b"".join(MESSAGES)
    for i, chunk in enumerate((1, 7, 19, 64)):
        (d / f"seed-{i:03d}").write_bytes(bytes([chunk - 1, 0]) + stream)


if __name__ == "__main__":
    main()
