#pragma once
// Turns the RIB's outbound batches into encoded UPDATE messages and queues them on the
// sessions: each distinct (attribute set, session parameters) is encoded once and the same
// buffer is written to every receiving peer. Thread: the BGP io_context thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/messages.hpp"
#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::daemon {

using Buffer = std::shared_ptr<const std::vector<std::uint8_t>>;

struct OutboundStats {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  std::uint64_t prefixes = 0;
};

class OutboundEncoder {
 public:
  // What encoding for one peer depends on: its negotiated parameters and the addresses that
  // replace the RIB's next-hop-self placeholder (rib::self_next_hop).
  struct PeerWire {
    wire::SessionParams params;
    base::IpAddress self_v4;
    std::optional<base::IpAddress> self_v6;
    bool operator==(const PeerWire&) const = default;
  };
  // wire_info(peer): nullopt when the peer is not established.
  using ParamsFn = std::function<std::optional<PeerWire>(rib::PeerId)>;
  using SendFn = std::function<void(rib::PeerId, const Buffer&)>;
  // Enhanced Route Refresh markers around a re-send (RFC 7313 4: BoRR when `begin`, else
  // EoRR): the session layer encodes and queues them, in order with what send() queued.
  using MarkerFn = std::function<void(rib::PeerId, wire::AfiSafi, bool begin)>;

  // Announcements are packed into shared buffers of about this many bytes at most.
  static constexpr std::size_t kMaxBuffer = 64 * 1024;

  OutboundEncoder(ParamsFn params, SendFn send, MarkerFn marker)
      : params_(std::move(params)), send_(std::move(send)), marker_(std::move(marker)) {}
  void encode(const rib::OutboundBatch& batch);
  const OutboundStats& stats() const { return stats_; }

 private:
  ParamsFn params_;
  SendFn send_;
  MarkerFn marker_;
  OutboundStats stats_;
};

}  // namespace nvabgpd::daemon
