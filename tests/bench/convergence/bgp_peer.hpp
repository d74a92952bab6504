#pragma once
// Minimal blocking BGP speaker pieces shared by the benchmark injector and sink: sockets,
// OPEN/KEEPALIVE handshake, a monotonic clock and the deterministic route table generator.
#include <cstdint>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::bench {

// CLOCK_MONOTONIC in nanoseconds: comparable between processes on one machine.
std::int64_t now_ns();

// Connects to addr:port, optionally bound to `local` (empty: any). Returns the fd or -1.
int tcp_connect(const std::string& local, const std::string& addr, std::uint16_t port);
// Listens on addr:port; returns the fd or -1.
int tcp_listen(const std::string& addr, std::uint16_t port);
bool write_all(int fd, const std::uint8_t* p, std::size_t n);

struct SpeakerConfig {
  std::uint32_t asn = 0;
  std::uint32_t router_id = 0;
  std::uint16_t hold_time = 240;
};

// Sends our OPEN, reads the peer's OPEN and KEEPALIVE, sends KEEPALIVE. Bytes received past
// the handshake stay in `framer`. Returns false (with a message on stderr) on failure.
bool handshake(int fd, const SpeakerConfig& cfg, wire::Framer& framer);

std::vector<std::uint8_t> keepalive_bytes();

// The synthetic full table: `prefixes` IPv4 prefixes (mostly /24, ~8% /30-/32, ~2% /25-/29),
// non-overlapping, from 20.0.0.0 upward, each mapped to one of `attr_sets` distinct attribute
// sets (skewed: a few sets carry many prefixes, as in a real table). Deterministic in `seed`.
struct Table {
  std::vector<base::Prefix> prefixes;           // every prefix once
  std::vector<wire::PathAttributes> attr_sets;  // distinct
  std::vector<std::uint32_t> attr_of;           // attr_of[i]: attribute set of prefixes[i]
};
Table make_table(std::size_t prefixes, std::size_t attr_sets, std::uint64_t seed,
                 std::uint32_t first_asn, const base::IpAddress& next_hop);

// Key of a prefix for fast lookups: address << 8 | length.
inline std::uint64_t prefix_key(const base::Prefix& p) {
  return (std::uint64_t{p.addr().v4_value()} << 8) | p.len();
}

}  // namespace nvabgpd::bench
