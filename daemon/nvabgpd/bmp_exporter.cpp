#include "bmp_exporter.hpp"

#include <map>

#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include "daemon.hpp"
#include "nvabgpd/wire/codec.hpp"
#include "nvabgpd/wire/update_packer.hpp"

namespace nvabgpd::daemon {

namespace {

constexpr wire::SessionParams kParams{true, true};  // 4-octet AS_PATH, extended messages
constexpr std::string_view kSysDescr =
    "nvabgpd, a BGP-4 daemon for Linux network virtual appliances";

BmpStation::Message share(std::vector<std::uint8_t> b) {
  return std::make_shared<const std::vector<std::uint8_t>>(std::move(b));
}

void timestamp(bmp::PeerHeader& h) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  h.seconds = static_cast<std::uint32_t>(us / 1000000);
  h.microseconds = static_cast<std::uint32_t>(us % 1000000);
}

// Calls f(span) for each message of a buffer of back-to-back BGP messages.
template <typename F>
void each_message(const std::vector<std::uint8_t>& buf, F&& f) {
  std::size_t at = 0;
  while (at + wire::kHeaderSize <= buf.size()) {
    const std::size_t len = (std::size_t{buf[at + 16]} << 8) | buf[at + 17];
    if (len < wire::kHeaderSize || at + len > buf.size()) break;
    f(std::span<const std::uint8_t>(buf.data() + at, len));
    at += len;
  }
}

}  // namespace

// Sends the pre-policy copies of the soft-reconfiguration peers in chunks, one chunk per loop
// turn while the station has room, then a pre-policy End-of-RIB per peer.
class BmpExporter::PrePolicyReplay : public std::enable_shared_from_this<PrePolicyReplay> {
 public:
  static constexpr std::size_t kChunk = 256;
  PrePolicyReplay(BmpExporter& ex, BmpStation& conn) : ex_(ex), conn_(conn) {}
  static std::shared_ptr<PrePolicyReplay> start(BmpExporter& ex, BmpStation& conn) {
    auto r = std::make_shared<PrePolicyReplay>(ex, conn);
    for (const auto& p : ex.d_.peers())
      if (p.up && p.cfg.soft_reconfiguration)
        r->peers_.push_back({p.id, ex.d_.rib().pre_policy_routes(p.id)});
    r->schedule();
    return r;
  }
  void cancel() { cancelled_ = true; }
  void resume() {
    if (!paused_) return;
    paused_ = false;
    schedule();
  }

 private:
  void schedule() {
    if (cancelled_) return;
    boost::asio::post(ex_.io_, [self = shared_from_this()] { self->step(); });
  }
  void step() {
    if (cancelled_) return;
    while (peer_ < peers_.size()) {
      if (!conn_.has_room()) {
        paused_ = true;
        return;
      }
      auto& [id, routes] = peers_[peer_];
      const PeerRuntime* p = ex_.d_.peer(id);
      if (!p || !p->up) {
        ++peer_;
        next_ = 0;
        continue;
      }
      if (next_ < routes.size()) {
        const std::size_t n = std::min(kChunk, routes.size() - next_);
        const std::span<const std::pair<base::Prefix, rib::AttrRef>> chunk(routes.data() + next_,
                                                                           n);
        for (auto& m : ex_.encode_routes(*p, false, chunk, {})) conn_.send(m);
        next_ += n;
        schedule();  // one chunk per loop turn
        return;
      }
      ex_.send_end_of_rib(conn_, *p, false);
      ++peer_;
      next_ = 0;
    }
    cancelled_ = true;
    spdlog::info("bmp {}: synced", conn_.name());
  }

  BmpExporter& ex_;
  BmpStation& conn_;
  std::vector<std::pair<rib::PeerId, std::vector<std::pair<base::Prefix, rib::AttrRef>>>> peers_;
  std::size_t peer_ = 0;
  std::size_t next_ = 0;
  bool paused_ = false;
  bool cancelled_ = false;
};

BmpExporter::BmpExporter(boost::asio::io_context& io, Daemon& daemon)
    : io_(io), d_(daemon), stats_timer_(io) {}

BmpExporter::~BmpExporter() {
  for (auto& s : stations_) {
    if (s->walk) s->walk->cancel();
    if (s->replay) s->replay->cancel();
  }
}

void BmpExporter::start() {
  for (const auto& c : d_.config().bmp) {
    auto st = std::make_unique<Station>();
    Station* raw = st.get();
    st->conn = std::make_unique<BmpStation>(
        io_, c, [this, raw] { sync(*raw); },
        [raw] {
          if (raw->walk) raw->walk->resume();
          if (raw->replay) raw->replay->resume();
        });
    if (c.stats_interval != 0 && (stats_interval_ == 0 || c.stats_interval < stats_interval_))
      stats_interval_ = c.stats_interval;
    stations_.push_back(std::move(st));
  }
  for (auto& s : stations_) s->conn->start();
  arm_stats();
}

bmp::PeerHeader BmpExporter::header(const PeerRuntime& p, bool post_policy) const {
  bmp::PeerHeader h;
  h.post_policy = post_policy;
  h.address = p.cfg.address;
  h.asn = p.negotiated ? p.negotiated->peer_asn : p.cfg.asn;
  h.bgp_id = p.negotiated ? p.negotiated->peer_id : 0;
  timestamp(h);
  return h;
}

bool BmpExporter::any_connected() const {
  for (const auto& s : stations_)
    if (s->conn->connected()) return true;
  return false;
}

void BmpExporter::send_all(BmpStation::Message m) {
  for (auto& s : stations_) s->conn->send(m);
}

void BmpExporter::send_peer_up(BmpStation& s, const PeerRuntime& p) {
  if (!p.last_up) return;
  const session::PeerUp& up = *p.last_up;
  const auto sent = wire::encode(up.sent_open, kParams);
  const auto received = wire::encode(up.received_open, kParams);
  s.send(share(bmp::peer_up(header(p, false), up.local_address, up.local_port, up.remote_port, sent,
                            received)));
}

void BmpExporter::sync(Station& s) {
  if (s.walk) s.walk->cancel();
  if (s.replay) s.replay->cancel();
  const std::string host = d_.config().router_id.to_string();
  s.conn->send(share(bmp::initiation(host, std::string(kSysDescr))));
  for (const auto& p : d_.peers())
    if (p.up) send_peer_up(*s.conn, p);
  BmpStation* conn = s.conn.get();
  Station* st = &s;
  s.walk = TableWalk::start(
      io_, d_.rib(),
      [this, conn](const base::Prefix& prefix, std::span<const rib::PathView> paths) {
        for (const auto& path : paths) {
          const PeerRuntime* p = d_.peer(path.peer);
          if (!p || !p->up || path.stale) continue;
          const std::pair<base::Prefix, rib::AttrRef> held[] = {{prefix, path.attrs}};
          for (auto& m : encode_routes(*p, true, held, {})) conn->send(m);
        }
      },
      [this, conn, st] {
        // End-of-RIB (RFC 7854 5: the initial table dump is complete) per peer and family.
        for (const auto& p : d_.peers())
          if (p.up) send_end_of_rib(*conn, p, true);
        // Then the pre-policy Adj-RIB-In of the peers that keep one (soft reconfiguration).
        st->replay = PrePolicyReplay::start(*this, *conn);
      },
      [conn] { return conn->has_room(); });
}

void BmpExporter::send_end_of_rib(BmpStation& conn, const PeerRuntime& p, bool post) {
  if (!p.negotiated) return;
  for (const auto& af : p.negotiated->families) {
    std::vector<std::uint8_t> eor;
    wire::pack_end_of_rib(af, kParams, eor);
    conn.send(share(bmp::route_monitoring(header(p, post), eor)));
  }
}

std::vector<BmpStation::Message> BmpExporter::post_policy(
    const PeerRuntime& p, std::span<const base::Prefix> prefixes) const {
  std::vector<std::pair<base::Prefix, rib::AttrRef>> held;
  std::vector<base::Prefix> withdrawn;
  for (const auto& prefix : prefixes) {
    rib::AttrRef attrs;
    for (const auto& v : d_.rib().routes(prefix))
      if (v.peer == p.id && !v.stale) attrs = v.attrs;
    if (attrs)
      held.emplace_back(prefix, std::move(attrs));
    else
      withdrawn.push_back(prefix);
  }
  return encode_routes(p, true, held, withdrawn);
}

std::vector<BmpStation::Message> BmpExporter::encode_routes(
    const PeerRuntime& p, bool post, std::span<const std::pair<base::Prefix, rib::AttrRef>> held,
    std::span<const base::Prefix> withdrawn) const {
  // Group the prefixes by attribute set (pointer identity: interned) and family.
  std::map<std::pair<const rib::AttrSet*, bool>, std::vector<base::Prefix>> groups;
  std::map<const rib::AttrSet*, const rib::AttrRef*> refs;
  for (const auto& [prefix, attrs] : held) {
    groups[{attrs.get(), prefix.is_v4()}].push_back(prefix);
    refs[attrs.get()] = &attrs;
  }
  std::vector<std::uint8_t> buf;
  for (const auto& [key, prefixes] : groups) {
    const wire::PathAttributes a = rib::AttrStore::materialize(**refs[key.first]);
    auto r = wire::pack_announcements(a, prefixes, kParams, buf);
    if (!r) spdlog::debug("bmp: cannot encode routes of {}: {}", p.cfg.name, r.error());
  }
  std::vector<base::Prefix> v4, v6;
  for (const auto& x : withdrawn) (x.is_v4() ? v4 : v6).push_back(x);
  if (!v4.empty()) wire::pack_withdrawals(v4, kParams, buf);
  if (!v6.empty()) wire::pack_withdrawals(v6, kParams, buf);
  std::vector<BmpStation::Message> out;
  const bmp::PeerHeader h = header(p, post);
  each_message(buf, [&](std::span<const std::uint8_t> m) {
    out.push_back(share(bmp::route_monitoring(h, m)));
  });
  return out;
}

void BmpExporter::peer_up(const PeerRuntime& p, const session::PeerUp&) {
  for (auto& s : stations_)
    if (s->conn->connected()) send_peer_up(*s->conn, p);
}

void BmpExporter::peer_down(const PeerRuntime& p, const session::PeerDown& down) {
  std::vector<std::uint8_t> data;
  bmp::PeerDownReason reason = bmp::PeerDownReason::RemoteNoNotification;
  if (down.sent) {
    reason = bmp::PeerDownReason::LocalNotification;
    data = wire::encode(*down.sent, kParams);
  } else if (down.received) {
    reason = bmp::PeerDownReason::RemoteNotification;
    data = wire::encode(*down.received, kParams);
  }
  send_all(share(bmp::peer_down(header(p, false), reason, data)));
}

void BmpExporter::update_received(const PeerRuntime& p, std::span<const std::uint8_t> encoded) {
  send_all(share(bmp::route_monitoring(header(p, false), encoded)));
}

void BmpExporter::update_applied(const PeerRuntime& p, const wire::Update& u) {
  if (!any_connected()) return;
  if (u.end_of_rib()) {
    // Forward the peer's End-of-RIB to the post-policy view too.
    send_all(share(bmp::route_monitoring(header(p, true), wire::encode(u, kParams))));
    return;
  }
  std::vector<base::Prefix> prefixes;
  prefixes.insert(prefixes.end(), u.withdrawn.begin(), u.withdrawn.end());
  prefixes.insert(prefixes.end(), u.nlri.begin(), u.nlri.end());
  if (u.mp_reach) prefixes.insert(prefixes.end(), u.mp_reach->nlri.begin(), u.mp_reach->nlri.end());
  if (u.mp_unreach)
    prefixes.insert(prefixes.end(), u.mp_unreach->withdrawn.begin(), u.mp_unreach->withdrawn.end());
  if (prefixes.empty()) return;
  for (auto& m : post_policy(p, prefixes)) send_all(m);
}

void BmpExporter::arm_stats() {
  if (stats_interval_ == 0) return;
  stats_timer_.expires_after(std::chrono::seconds(stats_interval_));
  stats_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    send_stats();
    arm_stats();
  });
}

void BmpExporter::send_stats() {
  for (const auto& p : d_.peers()) {
    if (!p.up) continue;
    const auto c = d_.rib().counters(p.id);
    if (!c) continue;
    const bmp::Stat stats[] = {{bmp::stat::kRejectedByPolicy, c->filtered, false},
                               {bmp::stat::kAsPathLoop, c->loops, false},
                               {bmp::stat::kAdjRibIn, c->accepted, true}};
    send_all(share(bmp::statistics(header(p, false), stats)));
  }
}

void BmpExporter::shutdown(std::function<void()> done) {
  stats_timer_.cancel();
  auto left = std::make_shared<std::size_t>(stations_.size());
  if (*left == 0) {
    done();
    return;
  }
  auto last = share(
      bmp::termination(bmp::TerminationReason::AdministrativelyClosed, "nvabgpd shutting down"));
  for (auto& s : stations_) {
    if (s->walk) s->walk->cancel();
    if (s->replay) s->replay->cancel();
    s->conn->stop(last, std::chrono::milliseconds(1000), [left, done] {
      if (--*left == 0) done();
    });
  }
}

}  // namespace nvabgpd::daemon
