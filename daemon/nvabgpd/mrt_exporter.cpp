#include "mrt_exporter.hpp"

#include <ctime>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "control_server.hpp"
#include "daemon.hpp"
#include "nvabgpd/mrt/records.hpp"

namespace nvabgpd::daemon {

namespace {

constexpr std::size_t kKeptDumpStatuses = 64;

mrt::Timestamp now_ts() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return {static_cast<std::uint32_t>(us / 1000000), static_cast<std::uint32_t>(us % 1000000)};
}

mrt::BgpState mrt_state(session::State s) {
  switch (s) {
    case session::State::Idle:
      return mrt::BgpState::Idle;
    case session::State::Connect:
      return mrt::BgpState::Connect;
    case session::State::Active:
      return mrt::BgpState::Active;
    case session::State::OpenSent:
      return mrt::BgpState::OpenSent;
    case session::State::OpenConfirm:
      return mrt::BgpState::OpenConfirm;
    case session::State::Established:
      return mrt::BgpState::Established;
  }
  return mrt::BgpState::Idle;
}

mrt::Bgp4mpPeer bgp4mp_peer(const PeerRuntime& p, std::uint32_t local_asn) {
  mrt::Bgp4mpPeer b;
  b.peer_asn = p.negotiated ? p.negotiated->peer_asn : p.cfg.asn;
  b.local_asn = local_asn;
  b.peer_address = p.cfg.address;
  // The local address of the last session, when it was of the peer's family.
  b.local_address =
      p.local_address.family() == p.cfg.address.family()
          ? p.local_address
          : (p.cfg.address.is_v4() ? base::IpAddress::v4(0) : base::IpAddress::v6({}));
  return b;
}

}  // namespace

MrtExporter::MrtExporter(boost::asio::io_context& io, Daemon& d)
    : io_(io), d_(d), rotate_timer_(io), flush_timer_(io) {}

MrtExporter::~MrtExporter() {
  if (periodic_) periodic_->cancel();
  for (auto& [id, x] : dumps_)
    if (x.dump) x.dump->cancel();
}

std::string MrtExporter::file_name(const std::string& pattern, std::time_t t) {
  std::tm tm{};
  localtime_r(&t, &tm);
  std::string out(pattern.size() + 256, '\0');
  const std::size_t n = std::strftime(out.data(), out.size(), pattern.c_str(), &tm);
  if (n == 0) return pattern;  // too long or empty: the pattern as written
  out.resize(n);
  return out;
}

void MrtExporter::start() {
  cfg_ = d_.config().mrt;  // a reload's mrt changes take effect at restart
  if (!cfg_.enabled) return;
  rotate();
  arm_rotation();
  arm_flush();
}

void MrtExporter::arm_rotation() {
  const std::uint32_t interval = cfg_.interval;
  if (interval == 0) return;
  rotate_timer_.expires_after(std::chrono::seconds(interval));
  rotate_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    rotate();
    arm_rotation();
  });
}

void MrtExporter::arm_flush() {
  flush_timer_.expires_after(std::chrono::seconds(1));
  flush_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    if (dirty_ && file_) file_->flush();
    dirty_ = false;
    arm_flush();
  });
}

void MrtExporter::rotate() {
  const config::MrtConfig& c = cfg_;
  const std::string path = file_name(c.path, std::time(nullptr));
  if (file_ && file_->path() == path && !c.table_dump) return;  // same file, nothing to add
  std::error_code ec;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  std::string err;
  auto f = MrtFile::open(path, false, err);
  if (!f) {
    spdlog::error("mrt: cannot open {}: {}", path, err);
    return;
  }
  if (file_) file_->flush();
  file_ = f;
  write_error_logged_ = false;
  spdlog::info("mrt: writing {}", path);
  if (c.table_dump) {
    if (periodic_) periodic_->cancel();  // still running after a whole interval: start afresh
    periodic_ = MrtTableDump::start(io_, d_, file_, [path](const MrtTableDump::Result& r) {
      if (r.ok)
        spdlog::info("mrt: table dump of {} prefixes ({} paths) written to {}", r.prefixes,
                     r.entries, path);
      else
        spdlog::error("mrt: table dump to {} failed (write error)", path);
    });
  }
}

void MrtExporter::write(std::span<const std::uint8_t> record) {
  if (!file_) return;
  if (!file_->write(record) && !write_error_logged_) {
    write_error_logged_ = true;
    spdlog::error("mrt: write to {} failed; records are dropped until the next file",
                  file_->path());
  }
  dirty_ = true;
}

void MrtExporter::update_received(const PeerRuntime& p, std::span<const std::uint8_t> encoded) {
  if (!file_ || !cfg_.messages) return;
  write(mrt::bgp4mp_message(now_ts(), bgp4mp_peer(p, d_.config().asn), encoded, true));
}

void MrtExporter::state_change(const PeerRuntime& p, session::State from, session::State to) {
  if (!file_ || !cfg_.messages) return;
  write(mrt::bgp4mp_state_change(now_ts(), bgp4mp_peer(p, d_.config().asn), mrt_state(from),
                                 mrt_state(to), true));
}

void MrtExporter::shutdown() {
  rotate_timer_.cancel();
  flush_timer_.cancel();
  if (periodic_) periodic_->cancel();
  if (file_) file_->flush();
}

std::uint64_t MrtExporter::dump_to(const std::string& path) {
  if (path.empty() || path.front() != '/')
    throw ControlError("dump mrt: FILE must be an absolute path");
  std::string err;
  auto f = MrtFile::open(path, true, err);
  if (!f) throw ControlError("dump mrt: cannot create " + path + ": " + err);
  const std::uint64_t id = next_dump_++;
  OnDemand& od = dumps_[id];
  od.status.path = path;
  od.dump = MrtTableDump::start(io_, d_, f, [this, id](const MrtTableDump::Result& r) {
    auto it = dumps_.find(id);
    if (it == dumps_.end()) return;
    it->second.status.done = true;
    it->second.status.ok = r.ok;
    it->second.status.prefixes = r.prefixes;
    it->second.status.entries = r.entries;
    it->second.status.longest_slice_us = r.longest_slice.count();
    it->second.dump.reset();  // closes the file once the walk returns
    spdlog::info("mrt: on-demand table dump of {} prefixes written to {} (longest slice {} us)",
                 r.prefixes, it->second.status.path, r.longest_slice.count());
  });
  while (dumps_.size() > kKeptDumpStatuses && dumps_.begin()->second.status.done)
    dumps_.erase(dumps_.begin());
  return id;
}

std::optional<MrtExporter::DumpStatus> MrtExporter::dump_status(std::uint64_t id) const {
  auto it = dumps_.find(id);
  if (it == dumps_.end()) return std::nullopt;
  DumpStatus s = it->second.status;
  if (!s.done && it->second.dump) {
    s.prefixes = it->second.dump->progress().prefixes;
    s.entries = it->second.dump->progress().entries;
  }
  return s;
}

}  // namespace nvabgpd::daemon
