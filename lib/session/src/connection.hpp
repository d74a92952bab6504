#pragma once
// One TCP connection of a peer: the socket, the Framer and read loop, and the write queue
// with its pump, send hold timer (RFC 9687) and linger on close.
//
// Lifetime: shared by the handlers of its pending operations, so a dropped connection can
// still flush its last NOTIFICATION. The FSM that uses it is its Owner; the owner detaches
// itself (detach()) when it drops the connection, takes another one or goes away, and from
// then on nothing is reported (Asio 1.18 has no per-operation cancellation: this is the
// generation check).
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "asio_util.hpp"
#include "nvabgpd/base/clock.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::session {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // What the connection reports to the FSM that uses it. Any of these may detach the owner.
  class Owner {
   public:
    virtual void connected() = 0;
    virtual void connect_failed(std::string why) = 0;
    virtual void read_failed(std::string why) = 0;
    virtual void header_error(const wire::Notification& notification) = 0;
    virtual void message(std::span<const std::uint8_t> bytes) = 0;
    virtual void written(std::size_t queued) = 0;  // the socket took bytes; `queued` remain
    virtual bool opened() const = 0;               // OPENs exchanged: the large read buffer
    virtual std::chrono::seconds send_hold_time() const = 0;
    // The socket took none of our bytes for `limit` while a write was pending.
    virtual void send_hold_expired(std::chrono::seconds limit) = 0;

   protected:
    ~Owner() = default;
  };

  struct Endpoints {
    base::IpAddress local, remote;
    std::uint16_t local_port = 0, remote_port = 0;
  };

  Connection(asio::io_context& io, const base::Clock& clock);

  tcp::socket& socket() { return sock_; }
  void attach(Owner* owner) { owner_ = owner; }
  void detach() { owner_ = nullptr; }
  void set_max_message_size(std::size_t n) { framer_.set_max_message_size(n); }

  // Outgoing: connects and reports connected() / connect_failed(). `fail_soon` reports a
  // failure (socket setup) from a fresh handler, as a failed connect would.
  void connect(const tcp::endpoint& remote);
  void fail_soon(std::string why);
  // The socket is up (either direction): TCP_NODELAY, and the read loop starts.
  Endpoints start();

  // Queues a buffer (the first one into an empty queue restarts the progress clock) and
  // returns the bytes queued; pump() starts writing.
  std::size_t push(Buffer b);
  void pump();
  std::size_t queued() const { return queued_; }
  bool closed() const { return closed_; }
  // Over the send-queue limit: takes nothing until the NOTIFICATION is let in.
  bool overflowed() const { return overflowed_; }
  void set_overflowed(bool v) { overflowed_ = v; }
  // Frees every queued buffer the pending write does not refer to (a message already partly
  // written stays, so the stream stays framed).
  void discard_backlog();
  std::size_t read_buffer_bytes() const { return rbuf_.capacity(); }

  void close();
  // Dropped by the FSM: detaches, closes once the queue is flushed, lingering at most 3 s for
  // a peer that does not read. `linger()` is asked for a done-callback only when it waits.
  void close_after_flush(const std::function<std::function<void()>()>& linger);

 private:
  void read();
  void consume(std::size_t n);
  void arm_send_hold();

  const base::Clock& clock_;
  tcp::socket sock_;
  asio::steady_timer linger_;
  asio::steady_timer send_hold_;  // RFC 9687: runs while queued bytes wait for the socket
  Owner* owner_ = nullptr;
  wire::Framer framer_;
  bool send_hold_armed_ = false;
  base::SteadyTime progress_{};  // the socket last took bytes (or the queue filled from empty)
  std::deque<Buffer> queue_;
  std::size_t queued_ = 0;      // bytes not yet written, front_sent_ excluded
  std::size_t front_sent_ = 0;  // bytes of queue_.front() already written
  std::size_t in_flight_ = 0;   // buffers at the front the pending write refers to
  bool writing_ = false;
  bool closing_ = false;  // dropped by the FSM: close once the queue is flushed
  bool closed_ = false;
  bool overflowed_ = false;
  std::vector<std::uint8_t> rbuf_;  // sized by read()
  std::function<void()> on_closed_;
};
using ConnectionPtr = std::shared_ptr<Connection>;

}  // namespace nvabgpd::session
