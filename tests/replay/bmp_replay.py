#!/usr/bin/env python3
"""Records a BMP (RFC 7854) feed and turns it into a replay script (see
tests/unit/replay/replay_driver.hpp for the script format).

  bmp_replay.py record ADDRESS PORT OUT.bmp      listen, write one station's raw feed to OUT
  bmp_replay.py convert IN.bmp NVABGPD.yaml [UNTIL]
                                                 print the replay script of IN on stdout,
                                                 without the events after UNIX time UNTIL

What nvabgpd's BMP export gives, per peer: Peer Up with both OPENs and our local address,
pre-policy Route Monitoring of every UPDATE received (as decoded, re-encoded), Peer Down with
the NOTIFICATION sent or received. Times come from the per-peer headers. Post-policy messages,
Statistics, Initiation and Termination are outputs, not inputs: they are skipped.
"""
import ipaddress
import json
import socket
import struct
import sys

PEER_UP, PEER_DOWN, ROUTE_MONITORING = 3, 2, 0
POST_POLICY = 0x40


def record(address, port, out):
    fam = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((address, int(port)))
        srv.listen(1)
        conn, _ = srv.accept()
        with conn, open(out, "wb") as f:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                f.write(data)
                f.flush()


def bmp_messages(data):
    pos = 0
    while pos + 6 <= len(data):
        version, length, mtype = struct.unpack_from("!BIB", data, pos)
        if version != 3 or length < 6 or pos + length > len(data):
            break  # a message cut short by the end of the capture
        yield mtype, data[pos + 6:pos + length]
        pos += length


def address16(b, v6):
    return str(ipaddress.IPv6Address(b)) if v6 else str(ipaddress.IPv4Address(b[12:16]))


def bgp_message(b):
    length = struct.unpack_from("!H", b, 16)[0]
    return b[:length], b[length:]


def load_peers(config_path):
    """address -> peer name, from the YAML config (nvabgpd's configs used here are JSON or
    block YAML with `name:` before `address:` in each peer entry)."""
    text = open(config_path).read()
    try:
        cfg = json.loads(text)
        return {p["address"]: p["name"] for p in cfg["peers"]}
    except json.JSONDecodeError:
        import yaml  # python3-yaml
        cfg = yaml.safe_load(text)
        return {p["address"]: p["name"] for p in cfg["peers"]}


def convert(bmp_path, config_path, until=None, extra=()):
    """`extra`: (UNIX time, event) pairs the feed does not hold (e.g. "reload FILE"), merged
    in by time."""
    names = load_peers(config_path)
    extra = sorted(extra)
    data = open(bmp_path, "rb").read()
    t0 = None
    last = 0.0
    out = []
    for mtype, body in bmp_messages(data):
        if mtype not in (PEER_UP, PEER_DOWN, ROUTE_MONITORING):
            continue
        flags = body[1]
        v6 = bool(flags & 0x80)
        peer = address16(body[10:26], v6)
        sec, usec = struct.unpack_from("!II", body, 34)
        rest = body[42:]
        if mtype == ROUTE_MONITORING and flags & POST_POLICY:
            continue
        t = sec + usec / 1e6
        if until is not None and t > until:
            continue  # e.g. the Peer Downs of the daemon stopped at the end of the capture
        if t0 is None:
            t0 = t
        while extra and extra[0][0] <= t:
            last = max(last, round(extra[0][0] - t0, 3))
            out.append(f"{last:.3f} {extra[0][1]}")
            extra = extra[1:]
        at = max(last, round(t - t0, 3))
        last = at
        name = names.get(peer, peer)
        if mtype == PEER_UP:
            local = address16(rest[0:16], v6)
            sent, rest = bgp_message(rest[20:])
            received, rest = bgp_message(rest)
            out.append(f"{at:.3f} up {name} local={local} sent={sent.hex()} "
                       f"received={received.hex()}")
        elif mtype == ROUTE_MONITORING:
            msg, _ = bgp_message(rest)
            out.append(f"{at:.3f} recv {name} {msg.hex()}")
        else:
            reason = rest[0]
            if reason == 1:
                out.append(f"{at:.3f} down {name} sent={bgp_message(rest[1:])[0].hex()}")
            elif reason == 3:
                out.append(f"{at:.3f} down {name} received={bgp_message(rest[1:])[0].hex()}")
            else:
                out.append(f"{at:.3f} down {name} closed")
    for when, event in extra:
        last = max(last, round(when - t0, 3))
        out.append(f"{last:.3f} {event}")
    if until is not None and t0 is not None:
        # The capture ran until then: timers due by then (stale routes...) fire in the replay.
        out.append(f"{max(last, round(until - t0, 3)):.3f} tick")
    return out


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "record":
        record(*sys.argv[2:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "convert":
        until = float(sys.argv[4]) if len(sys.argv) == 5 else None
        print("\n".join(convert(sys.argv[2], sys.argv[3], until)))
    else:
        sys.exit(__doc__)
