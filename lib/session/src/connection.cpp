// A peer's TCP connection: socket, framing and read loop, write queue and pump.
#include "connection.hpp"

#include <boost/asio/post.hpp>

namespace nvabgpd::session {

namespace {

// Read buffer sizes: nothing while a connection is being set up (a connect in flight holds no
// buffer), the largest standard message (RFC 4271 4.1) until the OPENs are exchanged, then
// 64 KiB so a full table arrives in few reads.
constexpr std::size_t kOpeningReadBuffer = 4096;
constexpr std::size_t kSessionReadBuffer = 65536;

// One gathered write takes as many queued buffers as fit in kMaxGather bytes (at least one).
constexpr std::size_t kMaxGather = 256 * 1024;
constexpr std::size_t kMaxGatherBuffers = 64;

}  // namespace

Connection::Connection(asio::io_context& io, const base::Clock& clock)
    : clock_(clock), sock_(io), linger_(io), send_hold_(io) {}

void Connection::connect(const tcp::endpoint& remote) {
  sock_.async_connect(remote, [self = shared_from_this()](const ErrorCode& err) {
    if (!self->owner_) return;
    if (err) {
      self->owner_->connect_failed("connect: " + err.message());
      return;
    }
    self->owner_->connected();
  });
}

void Connection::fail_soon(std::string why) {
  asio::post(sock_.get_executor(), [self = shared_from_this(), why = std::move(why)]() mutable {
    if (self->owner_) self->owner_->connect_failed(std::move(why));
  });
}

Connection::Endpoints Connection::start() {
  Endpoints e;
  ErrorCode ec;
  const auto le = sock_.local_endpoint(ec);
  if (!ec) {
    e.local = to_ip(le.address());
    e.local_port = le.port();
  }
  const auto re = sock_.remote_endpoint(ec);
  if (!ec) {
    e.remote = to_ip(re.address());
    e.remote_port = re.port();
  }
  ErrorCode ignored;
  sock_.set_option(tcp::no_delay(true), ignored);
  read();
  return e;
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  ErrorCode ec;
  sock_.shutdown(tcp::socket::shutdown_both, ec);
  sock_.close(ec);
  linger_.cancel();
  send_hold_.cancel();
  if (on_closed_) std::exchange(on_closed_, nullptr)();
}

void Connection::close_after_flush(const std::function<std::function<void()>()>& linger) {
  owner_ = nullptr;
  closing_ = true;
  send_hold_.cancel();  // the linger below bounds what is left
  if (!writing_ && queue_.empty()) {
    close();
    return;
  }
  // Let the last NOTIFICATION out, but never wait long for a peer that does not read.
  on_closed_ = linger();
  linger_.expires_after(std::chrono::seconds(3));
  linger_.async_wait([self = shared_from_this()](const ErrorCode& err) {
    if (!err) self->close();
  });
}

void Connection::discard_backlog() {
  // The pending write, or a message already partly written, must go out whole.
  const std::size_t keep = writing_ ? in_flight_ : (front_sent_ > 0 ? 1 : 0);
  while (queue_.size() > keep) {
    queued_ -= queue_.back()->size() - (queue_.size() == 1 ? front_sent_ : 0);
    queue_.pop_back();
  }
}

void Connection::consume(std::size_t n) {
  queued_ -= n;
  while (n > 0) {
    const std::size_t rest = queue_.front()->size() - front_sent_;
    if (n < rest) {
      front_sent_ += n;
      return;
    }
    n -= rest;
    front_sent_ = 0;
    queue_.pop_front();
  }
}

std::size_t Connection::push(Buffer b) {
  if (queue_.empty()) progress_ = clock_.now();
  queued_ += b->size();
  queue_.push_back(std::move(b));
  return queued_;
}

void Connection::pump() {
  if (writing_ || closed_) return;
  if (queue_.empty()) {
    if (closing_) close();
    return;
  }
  writing_ = true;
  // One gathered write for as many queued buffers as fit in kMaxGather bytes (at least one):
  // a full table leaves in a few large writes, not one system call per UPDATE. write_some,
  // not write: each byte the socket takes counts as progress for the send hold timer.
  std::vector<asio::const_buffer> bufs;
  std::size_t bytes = 0;
  for (const Buffer& b : queue_) {
    if (!bufs.empty() && (bytes + b->size() > kMaxGather || bufs.size() >= kMaxGatherBuffers))
      break;
    const std::size_t skip = bufs.empty() ? front_sent_ : 0;
    bufs.push_back(asio::buffer(*b) + skip);
    bytes += b->size() - skip;
  }
  in_flight_ = bufs.size();
  arm_send_hold();
  // The buffers stay in the queue (and alive) until this completes.
  sock_.async_write_some(bufs, [self = shared_from_this()](const ErrorCode& err, std::size_t n) {
    self->writing_ = false;
    self->in_flight_ = 0;
    if (err) {
      self->close();  // the pending read reports the failure
      return;
    }
    if (n > 0) self->progress_ = self->clock_.now();
    self->consume(n);
    if (self->owner_ && !self->closing_) self->owner_->written(self->queued_);
    self->pump();
  });
}

// The send hold timer runs while a write is pending; it reports send_hold_expired() when the
// socket has taken none of our bytes for the send hold time.
void Connection::arm_send_hold() {
  if (send_hold_armed_ || closed_ || closing_ || !owner_) return;
  send_hold_armed_ = true;
  send_hold_.expires_at(progress_ + owner_->send_hold_time());
  send_hold_.async_wait([self = shared_from_this()](const ErrorCode& err) {
    self->send_hold_armed_ = false;
    if (err || self->closed_ || self->closing_ || !self->writing_) return;  // re-armed by pump()
    if (!self->owner_) return;
    const auto limit = self->owner_->send_hold_time();
    if (self->clock_.now() - self->progress_ < limit) {
      self->arm_send_hold();
      return;
    }
    self->owner_->send_hold_expired(limit);
  });
}

void Connection::read() {
  // Sized here, between reads: no read is pending on the buffer.
  const std::size_t want = owner_ && owner_->opened() ? kSessionReadBuffer : kOpeningReadBuffer;
  if (rbuf_.size() != want) {
    rbuf_.resize(want);
    rbuf_.shrink_to_fit();
  }
  sock_.async_read_some(asio::buffer(rbuf_), [self = shared_from_this()](const ErrorCode& err,
                                                                         std::size_t n) {
    if (!self->owner_) return;
    if (err) {
      self->owner_->read_failed(err == asio::error::eof ? "connection closed by peer"
                                                        : "connection failed: " + err.message());
      return;
    }
    self->framer_.feed(std::span<const std::uint8_t>(self->rbuf_.data(), n));
    for (;;) {
      std::span<const std::uint8_t> msg;
      wire::Notification bad;
      const auto st = self->framer_.next(msg, bad);
      if (st == wire::Framer::Status::NeedMore) break;
      if (st == wire::Framer::Status::Error) {
        self->owner_->header_error(bad);
        return;
      }
      self->owner_->message(msg);
      if (!self->owner_) return;
    }
    self->read();
  });
}

}  // namespace nvabgpd::session
