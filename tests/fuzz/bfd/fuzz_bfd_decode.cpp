// Decodes any bytes as a BFD Control packet; an accepted packet must re-encode to bytes that
// decode to the same packet. Then the input, cut into datagrams, drives a Session with a
// manual clock (each cut also advances time), checking the state machine's invariants.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/bfd/packet.hpp"
#include "nvabgpd/bfd/session.hpp"

using namespace nvabgpd;
using namespace nvabgpd::bfd;

namespace {
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  const Decoded d = decode(in);
  if (d.packet) {
    const Decoded again = decode(encode(*d.packet));
    require(again.packet.has_value() && *again.packet == *d.packet);
    require(d.packet->detect_mult != 0 && d.packet->my_discr != 0);
  }

  base::ManualClock clock;
  Session s(0x5A5A5A5A, SessionConfig{Micros{100'000}, Micros{100'000}, 3}, clock.now());
  std::size_t pos = 0;
  while (pos < size) {
    // One byte of time step (ms), then a datagram of up to 24 + 4 bytes.
    clock.advance(std::chrono::milliseconds(data[pos]));
    ++pos;
    const std::size_t n = std::min<std::size_t>(size - pos, 28);
    const Decoded p = decode(in.subspan(pos, n));
    pos += n;
    if (p.packet) (void)s.on_packet(*p.packet, clock.now());
    const Actions a = s.on_timer(clock.now());
    if (a.send_now) {
      const Packet out = s.make_packet(clock.now(), 0.5);
      require(!(out.poll && out.final));
      require(out.my_discr == 0x5A5A5A5A && out.detect_mult == 3);
      require(out.state == State::Up || out.desired_min_tx_us >= 1'000'000);
      // Never Init/Up toward an unknown discriminator: what we send passes 6.8.6 itself.
      require(decode(encode(out)).packet.has_value());
    }
  }
  return 0;
}
