// Peer: received messages become FSM events; OPEN negotiation and connection collision
// resolution (RFC 4271 6.8).
#include <string_view>

#include "peer.hpp"
#include "peer_conn.hpp"

namespace nvabgpd::session {

namespace {

std::string_view type_name(std::uint8_t type) {
  switch (type) {
    case 1:
      return "OPEN";
    case 2:
      return "UPDATE";
    case 3:
      return "NOTIFICATION";
    case 4:
      return "KEEPALIVE";
    case 5:
      return "ROUTE-REFRESH";
    default:
      return "message";
  }
}

}  // namespace

void Peer::on_message(Conn& c, std::span<const std::uint8_t> bytes) {
  const std::uint8_t type = bytes[18];  // the Framer checked the header
  wire::SessionParams params = c.neg ? c.neg->params() : wire::SessionParams{};
  if (c.neg) {  // RFC 7606 outcomes that depend on the session (wire/messages.hpp)
    params.ebgp = c.neg->ebgp(ctx_.speaker.asn);
    params.local_address = c.local;
  }
  wire::DecodeResult r = wire::decode(bytes, params);
  if (!r.message) {
    const wire::Notification n =
        r.notification.value_or(wire::Notification{wire::err::kMessageHeaderError, 0, {}});
    c.pending_notification = n;
    c.down_reason = fmt::format("malformed {}: {}", type_name(type),
                                r.errors.empty() ? wire::describe(n) : r.errors.front().reason);
    EventInput in;
    in.err_code = n.code;
    in.err_subcode = n.subcode;
    Event e = Event::BgpHeaderErr;
    if (type == 1) e = Event::BgpOpenMsgErr;
    if (type == 2) e = Event::UpdateMsgErr;
    if (type == 3) e = Event::NotifMsg;  // a garbled NOTIFICATION still ends the session
    feed(c, e, in);
    return;
  }
  std::visit([&](auto& m) { handle(c, m, r); }, *r.message);
  // After handling, so the peer's counters include this message (`c` may be gone).
  if (ctx_.callbacks.on_message_in)
    ctx_.callbacks.on_message_in(id_, static_cast<wire::MessageType>(type));
}

void Peer::handle(Conn& c, wire::Open& open, wire::DecodeResult&) {
  ++stats_.opens_in;
  OpenExpectation ex;
  ex.local_asn = ctx_.speaker.asn;
  ex.local_id = ctx_.speaker.router_id;
  ex.peer_asn = cfg_.asn;
  ex.hold_time = cfg_.hold_time;
  ex.min_hold_time = cfg_.min_hold_time;
  ex.keepalive = cfg_.keepalive;
  auto neg = negotiate(c.sent_open, open, ex);
  c.received_open = open;
  if (!neg) {
    c.pending_notification = neg.error();
    c.down_reason = "OPEN rejected: " + wire::describe(neg.error());
    EventInput in;
    in.err_code = neg.error().code;
    in.err_subcode = neg.error().subcode;
    feed(c, Event::BgpOpenMsgErr, in);
    return;
  }
  if (c.fsm.state() == State::OpenSent && !resolve_collision(c, open)) return;
  c.neg = *neg;
  EventInput in;
  in.negotiated_hold = neg->hold_time;
  in.negotiated_keepalive = neg->keepalive;
  feed(c, Event::BgpOpen, in);
}

// RFC 4271 6.8: compare with the other connection in OpenConfirm, and also in OpenSent: this
// OPEN tells us the peer's identifier, which 6.8 allows using for a connection in OpenSent.
// Deciding at the first OPEN means neither side sends a KEEPALIVE on the losing connection,
// so no transient session comes up on it. False when `c` lost (and was dumped).
bool Peer::resolve_collision(Conn& c, const wire::Open& open) {
  for (auto& other : conns_) {
    if (other.get() == &c) continue;
    const State os = other->fsm.state();
    if (os == State::Established) {
      spdlog::info("peer {}: collision with an Established session: dropping the new one",
                   cfg_.name);
      feed(c, Event::OpenCollisionDump);
      return false;
    }
    if (os != State::OpenConfirm && os != State::OpenSent) continue;
    const Survivor s = session::resolve_collision(ctx_.speaker.router_id, open.bgp_id,
                                                  ctx_.speaker.asn, open.asn());
    const bool keep_this = (s == Survivor::LocallyInitiated) == c.outgoing;
    spdlog::info("peer {}: connection collision: keeping the {} connection", cfg_.name,
                 s == Survivor::LocallyInitiated ? "locally initiated" : "remotely initiated");
    if (!keep_this) {
      feed(c, Event::OpenCollisionDump);
      return false;
    }
    feed(*other, Event::OpenCollisionDump);  // erases `other`
    return true;
  }
  return true;
}

void Peer::handle(Conn& c, wire::Keepalive&, wire::DecodeResult&) {
  ++stats_.keepalives_in;
  feed(c, Event::KeepAliveMsg);
}

void Peer::handle(Conn& c, wire::Notification& n, wire::DecodeResult&) {
  ++stats_.notifications_in;
  c.last_received = n;
  c.down_reason = "NOTIFICATION received: " + wire::describe(n);
  c.logged_reason = c.down_reason;
  spdlog::warn("peer {} ({}): {}", cfg_.name, cfg_.address, c.down_reason);
  if (ctx_.callbacks.on_notification)
    ctx_.callbacks.on_notification(NotificationEvent{id_, false, n});
  const bool version =
      n.code == wire::err::kOpenMessageError && n.subcode == wire::err::kOpenUnsupportedVersion;
  feed(c, version ? Event::NotifMsgVerErr : Event::NotifMsg);
}

void Peer::handle(Conn& c, wire::Update& u, wire::DecodeResult& r) {
  ++stats_.updates_in;
  c.pending_update = UpdateIn{id_, std::move(u), r.action, std::move(r.errors)};
  feed(c, Event::UpdateMsg);
}

void Peer::handle(Conn& c, wire::RouteRefresh& rr, wire::DecodeResult&) {
  ++stats_.refreshes_in;
  // RFC 2918: only meaningful on an Established session that negotiated it; else ignored.
  if (c.fsm.state() != State::Established || !c.neg || !c.neg->route_refresh) return;
  if (ctx_.callbacks.on_refresh) ctx_.callbacks.on_refresh(RefreshRequest{id_, rr});
}

}  // namespace nvabgpd::session
