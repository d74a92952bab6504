// Codec throughput on one core: decoding packed UPDATEs (prefixes/s), decoding and encoding
// typical UPDATEs (messages/s), packing, and framing. Run: build/tests/bench/wire/bench_wire
#include <benchmark/benchmark.h>

#include <random>

#include "nvabgpd/wire/codec.hpp"
#include "nvabgpd/wire/update_packer.hpp"

using namespace nvabgpd::wire;
using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;

namespace {

const SessionParams kParams{true, false};

std::vector<Prefix> v4_prefixes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Prefix> out;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned len = 16 + rng() % 9;  // /16 .. /24, mostly realistic Internet lengths
    out.push_back(Prefix::make(IpAddress::v4(static_cast<std::uint32_t>(rng())), len));
  }
  return out;
}

PathAttributes typical_attrs(std::mt19937& rng) {
  PathAttributes a;
  a.origin = Origin::Igp;
  AsSegment seq{SegmentType::Sequence, {}};
  const unsigned path_len = 3 + rng() % 6;  // 3..8
  for (unsigned i = 0; i < path_len; ++i) seq.asns.push_back(64512 + rng() % 100000);
  a.as_path.segments.push_back(seq);
  a.next_hop = IpAddress::v4(0x0A000000U | (rng() & 0xFFFF));
  const unsigned ncomm = 2 + rng() % 5;  // 2..6
  for (unsigned i = 0; i < ncomm; ++i)
    a.communities.push_back(Community::of(static_cast<std::uint16_t>(65000 + rng() % 500),
                                          static_cast<std::uint16_t>(rng())));
  if (rng() % 2) a.med = rng() % 1000;
  return a;
}

// Typical Internet UPDATEs: 1-3 NLRI each.
std::vector<std::vector<std::uint8_t>> typical_messages(std::size_t n) {
  std::mt19937 rng(7);
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t i = 0; i < n; ++i) {
    Update u;
    u.has_attributes = true;
    u.attrs = typical_attrs(rng);
    u.nlri = v4_prefixes(1 + rng() % 3, static_cast<std::uint32_t>(i));
    out.push_back(encode(u, kParams));
  }
  return out;
}

std::vector<std::uint8_t> packed_message() {
  std::mt19937 rng(1);
  std::vector<std::uint8_t> out;
  auto attrs = typical_attrs(rng);
  const auto prefixes = v4_prefixes(5000, 3);
  (void)pack_announcements(attrs, prefixes, kParams, out);
  // Keep the first (full) message only.
  const std::size_t len = (std::size_t{out[16]} << 8) | out[17];
  out.resize(len);
  return out;
}

void BM_DecodePackedUpdate(benchmark::State& state) {
  const auto msg = packed_message();
  const auto r0 = decode(msg, kParams);
  const std::size_t n = std::get<Update>(*r0.message).nlri.size();
  for (auto _ : state) {
    auto r = decode(msg, kParams);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["prefixes_per_msg"] = static_cast<double>(n);
  state.SetLabel("items = NLRI prefixes");
}
BENCHMARK(BM_DecodePackedUpdate);

void BM_DecodeTypicalUpdate(benchmark::State& state) {
  const auto msgs = typical_messages(1024);
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = decode(msgs[i++ & 1023], kParams);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("items = UPDATE messages");
}
BENCHMARK(BM_DecodeTypicalUpdate);

void BM_EncodeTypicalUpdate(benchmark::State& state) {
  const auto msgs = typical_messages(1024);
  std::vector<Update> updates;
  for (const auto& m : msgs) updates.push_back(std::get<Update>(*decode(m, kParams).message));
  std::size_t i = 0;
  for (auto _ : state) {
    auto bytes = encode(updates[i++ & 1023], kParams);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("items = UPDATE messages");
}
BENCHMARK(BM_EncodeTypicalUpdate);

void BM_PackAnnouncements(benchmark::State& state) {
  std::mt19937 rng(5);
  const auto attrs = typical_attrs(rng);
  const auto prefixes = v4_prefixes(100000, 9);
  std::vector<std::uint8_t> out;
  out.reserve(600000);
  for (auto _ : state) {
    out.clear();
    auto r = pack_announcements(attrs, prefixes, kParams, out);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * prefixes.size()));
  state.SetLabel("items = NLRI prefixes");
}
BENCHMARK(BM_PackAnnouncements);

void BM_FrameAndDecodeStream(benchmark::State& state) {
  const auto msgs = typical_messages(1024);
  std::vector<std::uint8_t> stream;
  for (const auto& m : msgs) stream.insert(stream.end(), m.begin(), m.end());
  for (auto _ : state) {
    Framer f;
    std::size_t n = 0;
    for (std::size_t off = 0; off < stream.size(); off += 1460) {
      f.feed(std::span<const std::uint8_t>(stream).subspan(
          off, std::min<std::size_t>(1460, stream.size() - off)));
      std::span<const std::uint8_t> m;
      Notification e;
      while (f.next(m, e) == Framer::Status::Message) {
        auto r = decode(m, kParams);
        benchmark::DoNotOptimize(r);
        ++n;
      }
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * msgs.size()));
  state.SetLabel("items = UPDATE messages, 1460-byte segments");
}
BENCHMARK(BM_FrameAndDecodeStream);

}  // namespace
