#!/usr/bin/python3
"""Writes the seed corpus of fuzz_fib_netlink: rtnetlink buffers shaped like kernel dumps.

Run from this directory: /usr/bin/python3 make_corpus.py
"""
import ipaddress
import pathlib
import struct

RTM_NEWLINK, RTM_DELLINK, RTM_NEWROUTE, RTM_DELROUTE, NLMSG_ERROR, NLMSG_DONE = 16, 17, 24, 25, 2, 3
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_MULTIPATH, RTA_TABLE, RTA_VIA = 1, 4, 5, 6, 9, 15, 18
AF_INET, AF_INET6 = 2, 10
OUT = pathlib.Path(__file__).parent / "corpus" / "fuzz_fib_netlink"


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def rta(t, payload):
    return pad(struct.pack("=HH", 4 + len(payload), t) + payload)


def msg(t, body, flags=2, seq=1):
    return pad(struct.pack("=IHHII", 16 + len(body), t, flags, seq, 0) + body)


def addr(a):
    return ipaddress.ip_address(a).packed


def route(prefix, attrs, t=RTM_NEWROUTE, table=254, proto=4, rtype=1, flags=0, tos=0):
    net = ipaddress.ip_network(prefix)
    fam = AF_INET if net.version == 4 else AF_INET6
    rt = struct.pack("=BBBBBBBBI", fam, net.prefixlen, 0, tos, table, proto, 0, rtype, flags)
    dst = rta(RTA_DST, net.network_address.packed) if net.prefixlen else b""
    return msg(t, rt + dst + b"".join(attrs))


def nexthop(gw, ifindex, flags=0):
    inner = rta(RTA_GATEWAY, addr(gw))
    return struct.pack("=HBBi", 8 + len(inner), flags, 0, ifindex) + inner


def link(ifindex, up, t=RTM_NEWLINK):
    flags = 0x41 if up else 0  # IFF_UP | IFF_RUNNING
    return msg(t, struct.pack("=BBHiII", 0, 0, 1, ifindex, flags, 0) + rta(3, b"veth0\0"))


u32 = lambda v: struct.pack("=I", v)  # noqa: E731
seeds = {
    "v4_single": route("10.1.0.0/16", [rta(RTA_TABLE, u32(254)), rta(RTA_PRIORITY, u32(20)),
                                       rta(RTA_GATEWAY, addr("10.0.0.1")), rta(RTA_OIF, u32(2))]),
    "v4_default": route("0.0.0.0/0", [rta(RTA_GATEWAY, addr("192.0.2.1")), rta(RTA_OIF, u32(3))]),
    "v6_multipath": route("2001:db8::/32", [rta(RTA_TABLE, u32(100)), rta(
        RTA_MULTIPATH, nexthop("fe80::1", 2) + nexthop("fe80::2", 3, flags=1))]),
    "v4_blackhole_del": route("198.51.100.0/24", [], t=RTM_DELROUTE, rtype=6),
    "v4_via_v6": route("203.0.113.0/24", [rta(RTA_VIA, struct.pack("=H", AF_INET6) + addr("fe80::9"))]),
    "v4_tos_cloned": route("10.9.9.9/32", [rta(RTA_OIF, u32(4))], tos=16, flags=0x200),
    "links": link(2, True) + link(3, False) + link(4, True, RTM_DELLINK),
    "error_ack": msg(NLMSG_ERROR, struct.pack("=i", -17) + b"\0" * 16) + msg(NLMSG_ERROR, u32(0) + b"\0" * 16),
}
seeds["dump"] = b"".join(seeds[k] for k in ("v4_single", "v6_multipath", "links")) + msg(NLMSG_DONE, u32(0))
OUT.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (OUT / name).write_bytes(data)
print(f"{len(seeds)} seeds in {OUT}")
