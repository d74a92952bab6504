// The listening sockets and what is decided before a connection reaches a peer's FSM.
#include "listener.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>

#include "socket_options.hpp"

namespace nvabgpd::session {

namespace {
constexpr std::chrono::milliseconds kAcceptBackoffMin{10};
constexpr std::chrono::milliseconds kAcceptBackoffMax{1000};
}  // namespace

std::optional<std::string> Listeners::open() {
  for (const auto& l : ctx_.speaker.listen) {
    const tcp::endpoint ep(to_asio(l.address), l.port);
    auto lis = std::make_unique<Socket>(ctx_.io);
    lis->family = l.address.family();
    lis->name = fmt::format("[{}]:{}", l.address, l.port);
    tcp::acceptor& acc = lis->acc;
    ErrorCode ec;
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && ep.address().is_v6()) acc.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fmt::format("listen on [{}]:{}: {}", l.address, l.port, ec.message());
    spdlog::info("listening on [{}]:{}", l.address, l.port);
    sockets_.push_back(std::move(lis));
  }
  for (const auto& [id, p] : peers_) install_md5(p->config());
  update_ttl();  // before the first accept
  for (auto& lis : sockets_) accept(*lis);
  return std::nullopt;
}

void Listeners::close() {
  for (auto& l : sockets_) {
    ErrorCode ec;
    l->acc.close(ec);
    l->retry.cancel();
  }
}

void Listeners::peer_added(const PeerConfig& cfg) {
  install_md5(cfg);
  update_ttl();
}

void Listeners::accept(Socket& l) {
  auto ch = std::make_shared<Connection>(ctx_.io, ctx_.clock);
  l.acc.async_accept(ch->socket(), [this, &l, ch](const ErrorCode& err) {
    if (err == asio::error::operation_aborted) return;
    if (!err) {
      if (l.failures != 0) {
        spdlog::info("listener {}: accepting again after {} failed accept(s)", l.name, l.failures);
      }
      l.failures = 0;
      l.backoff = std::chrono::milliseconds(0);
      incoming(ch);
      accept(l);
      return;
    }
    // EMFILE/ENFILE/ENOBUFS/ENOMEM: the connection stays in the backlog and an immediate
    // retry fails again (a busy loop). Retry after 10 ms, doubling up to 1 s; log once per
    // episode.
    if (l.failures++ == 0) {
      spdlog::error("listener {}: accept: {}; retrying with a backoff up to {} ms", l.name,
                    err.message(), kAcceptBackoffMax.count());
    }
    l.backoff = std::clamp(l.backoff * 2, kAcceptBackoffMin, kAcceptBackoffMax);
    l.retry.expires_after(l.backoff);
    l.retry.async_wait([this, &l](const ErrorCode& e) {
      if (!e && l.acc.is_open()) accept(l);
    });
  });
}

void Listeners::reject(const ConnectionPtr& ch, const base::IpAddress& remote, std::uint16_t port,
                       const std::string& why, bool log) {
  if (log) spdlog::warn("refused connection from {} port {}: {}", remote, port, why);
  if (ctx_.callbacks.on_rejected) ctx_.callbacks.on_rejected(RejectedConnection{remote, port, why});
  ch->close();
}

void Listeners::incoming(const ConnectionPtr& ch) {
  ErrorCode ec;
  const auto re = ch->socket().remote_endpoint(ec);
  if (ec) {
    ch->close();
    return;
  }
  const base::IpAddress remote = to_ip(re.address());
  Peer* peer = nullptr;
  for (const auto& [id, p] : peers_) {
    if (p->config().address == remote) {
      peer = p.get();
      break;
    }
  }
  if (!peer) return reject(ch, remote, re.port(), "not a configured peer");
  if (auto refused = peer->incoming(ch, remote, re.port()))
    reject(ch, remote, re.port(), refused->reason, refused->log);
}

void Listeners::peer_removed(const PeerConfig& cfg) { install_md5(cfg, ""); }

void Listeners::install_md5(const PeerConfig& cfg, std::optional<std::string_view> key) {
  if (cfg.password.empty()) return;
  for (auto& l : sockets_) {
    if (l->family != cfg.address.family()) continue;
    const auto err = sockopt::set_md5(l->acc.native_handle(), l->family, cfg.address,
                                      key.value_or(cfg.password));
    if (!err.empty()) spdlog::error("peer {}: listener {}", cfg.name, err);
  }
}

// GTSM on the listener (RFC 5082), so a too-distant peer never gets a connection and
// nothing it sends is read. The listener is shared by every peer of its family: each GTSM
// peer's minimum goes into a BPF filter keyed by source address (other sources pass; accepted
// sockets inherit it), and when every peer of the family uses GTSM the listener also gets
// IP_MINTTL / IPV6_MINHOPCOUNT at the lowest of their minimums. Accepted sockets still get
// their own peer's minimum.
void Listeners::update_ttl() {
  for (auto& l : sockets_) {
    int min = 0;
    bool all = true;
    std::vector<sockopt::GtsmRule> rules;
    for (const auto& [id, p] : peers_) {
      const PeerConfig& cfg = p->config();
      if (cfg.address.family() != l->family) continue;
      if (!cfg.gtsm) {
        all = false;
        continue;
      }
      const int need = 256 - cfg.multihop.value_or(1);
      rules.push_back({cfg.address, need});
      min = min == 0 ? need : std::min(min, need);
    }
    if (auto err = sockopt::set_gtsm_filter(l->acc.native_handle(), l->family, rules);
        !err.empty()) {
      spdlog::error("listener {}: {}", l->name, err);
    }
    const int want = all ? min : 0;
    if (want == l->min_ttl) continue;
    const auto err = sockopt::set_min_ttl(l->acc.native_handle(), l->family, want);
    if (!err.empty()) {
      spdlog::error("listener {}: {}", l->name, err);
      continue;
    }
    l->min_ttl = want;
    spdlog::info("listener {}: minimum TTL {} (every peer uses GTSM)", l->name, want);
  }
}

}  // namespace nvabgpd::session
