// Feeds bytes to the Framer in fuzzer-chosen chunks and checks that what it returns is a
// well-formed sequence of messages covering the input.
#include "fuzz_input.hpp"

using namespace nvabgpd::wire;
using wirefuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const bool extended = data[1] & 1;
  const std::span<const std::uint8_t> stream(data + 2, size - 2);
  Framer f(extended ? kMaxExtendedMessageSize : kMaxMessageSize);
  std::size_t consumed = 0;
  bool failed = false;
  for (std::size_t off = 0; off < stream.size() && !failed; off += chunk) {
    f.feed(stream.subspan(off, std::min(chunk, stream.size() - off)));
    std::span<const std::uint8_t> m;
    Notification e;
    for (;;) {
      const auto st = f.next(m, e);
      if (st == Framer::Status::NeedMore) break;
      if (st == Framer::Status::Error) {
        require(e.code == 1);
        failed = true;
        break;
      }
      require(m.size() >= kHeaderSize);
      require(((std::size_t{m[16]} << 8) | m[17]) == m.size());
      // The message is exactly the next bytes of the stream.
      require(
          std::equal(m.begin(), m.end(), stream.begin() + static_cast<std::ptrdiff_t>(consumed)));
      consumed += m.size();
      (void)decode(m, SessionParams{true, extended});
    }
  }
  if (!failed) require(consumed + f.buffered() == stream.size());
  return 0;
}
