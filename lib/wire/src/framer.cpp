// Framer: splits a TCP byte stream into whole BGP messages.
#include "message_codec.hpp"

namespace nvabgpd::wire {

void Framer::feed(std::span<const std::uint8_t> bytes) {
  // Drop consumed bytes first; what remains is at most one partial message, so the move is
  // small, and spans handed out by next() are documented as invalid after feed().
  if (pos_ > 0) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
}

Framer::Status Framer::next(std::span<const std::uint8_t>& out, Notification& error) {
  const std::size_t avail = buf_.size() - pos_;
  if (avail < kHeaderSize) return Status::NeedMore;
  const std::span<const std::uint8_t> view(buf_.data() + pos_, avail);
  std::uint16_t length = 0;
  std::uint8_t type = 0;
  // On error nothing is consumed: the stream is unusable and every later call reports the
  // same error.
  if (!detail::check_header(view.first(kHeaderSize), max_message_size_, length, type, error))
    return Status::Error;
  if (avail < length) return Status::NeedMore;
  out = view.first(length);
  pos_ += length;
  return Status::Message;
}

}  // namespace nvabgpd::wire
