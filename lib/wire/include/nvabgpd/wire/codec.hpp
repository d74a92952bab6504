#pragma once
// The BGP-4 codec: pure functions between bytes and messages, given the negotiated
// SessionParams. No sockets, no logging, no exceptions on bad input. Errors are values that
// carry their RFC 7606 / RFC 4271 outcome.
// Threads: decode()/encode() and the packers are stateless and safe from any thread; a Framer
// belongs to one connection and is used by the thread that owns that connection.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::wire {

// What the receiver must do about a malformation (RFC 7606 section 2; strongest wins).
enum class ErrorAction : std::uint8_t {
  None = 0,
  AttributeDiscard = 1,  // drop the attribute, use the rest of the UPDATE
  TreatAsWithdraw = 2,   // every NLRI in the UPDATE is withdrawn
  SessionReset = 3,      // send `notification` and close the session
};

struct AttributeError {
  std::uint8_t type = 0;  // attribute type code (0 when not attribute-specific)
  ErrorAction action = ErrorAction::None;
  std::string reason;  // e.g. "AS_PATH: segment length overruns attribute"
};

// UPDATE outcomes (RFC 7606):
// - TreatAsWithdraw: `message` is kept; withdraw every prefix of update.nlri and
//   update.mp_reach->nlri (as well as the withdrawn ones) instead of installing them.
// - AttributeDiscard: the bad attribute is already absent from update.attrs; use the rest.
// - SessionReset: no message; send `notification` and close.
// Errors with action None are notes (e.g. an MP attribute of an unsupported AFI/SAFI, ignored).
// For OPEN, ROUTE-REFRESH, NOTIFICATION and header problems the only error action is
// SessionReset.
struct DecodeResult {
  std::optional<Message> message;            // absent only on SessionReset
  ErrorAction action = ErrorAction::None;    // strongest action over all errors
  std::optional<Notification> notification;  // set when action == SessionReset
  std::vector<AttributeError> errors;        // every problem found, in order
  bool ok() const { return action == ErrorAction::None; }
};

// Decodes one complete message, header included (as returned by Framer).
DecodeResult decode(std::span<const std::uint8_t> message, const SessionParams& params);

// Encodes one message, header included. UPDATEs larger than the session's maximum are the
// caller's error: use UpdatePacker to build correctly sized UPDATEs.
std::vector<std::uint8_t> encode(const Message& message, const SessionParams& params);

// Splits a TCP byte stream into messages. Accepts input in arbitrary chunks.
class Framer {
 public:
  // Status::Message is a scoped enumerator; GCC's -Wshadow still flags it against
  // wire::Message, so the warning is silenced for this one declaration.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
  enum class Status : std::uint8_t { NeedMore, Message, Error };
#pragma GCC diagnostic pop

  explicit Framer(std::size_t max_message_size = kMaxMessageSize)
      : max_message_size_(max_message_size) {}
  void set_max_message_size(std::size_t n) { max_message_size_ = n; }

  void feed(std::span<const std::uint8_t> bytes);
  // On Message, `out` views the complete message (valid until the next feed/next call).
  // On Error (bad marker, bad length), `error` holds the NOTIFICATION to send.
  Status next(std::span<const std::uint8_t>& out, Notification& error);
  std::size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t pos_ = 0;
  std::size_t max_message_size_;
};

}  // namespace nvabgpd::wire
