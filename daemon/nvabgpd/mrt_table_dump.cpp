#include "mrt_table_dump.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "daemon.hpp"
#include "nvabgpd/mrt/records.hpp"

namespace nvabgpd::daemon {

namespace {

mrt::Timestamp now_ts() {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return {static_cast<std::uint32_t>(us / 1000000), static_cast<std::uint32_t>(us % 1000000)};
}

std::uint32_t epoch(std::chrono::system_clock::time_point t) {
  return static_cast<std::uint32_t>(std::chrono::system_clock::to_time_t(t));
}

}  // namespace

std::shared_ptr<MrtFile> MrtFile::open(const std::string& path, bool exclusive,
                                       std::string& error) {
  // Exclusive (on-demand dumps): never follow or replace an existing file.
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_APPEND);
  const int fd = ::open(path.c_str(), flags, 0640);
  if (fd < 0) {
    error = std::strerror(errno);
    return nullptr;
  }
  std::FILE* f = ::fdopen(fd, "ab");
  if (!f) {
    error = std::strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::shared_ptr<MrtFile>(new MrtFile(f, path));
}

MrtFile::~MrtFile() { std::fclose(f_); }

bool MrtFile::write(std::span<const std::uint8_t> bytes) {
  if (failed_) return false;
  if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) failed_ = true;
  return !failed_;
}

void MrtFile::flush() {
  if (!failed_ && std::fflush(f_) != 0) failed_ = true;
}

std::shared_ptr<MrtTableDump> MrtTableDump::start(boost::asio::io_context& io, Daemon& d,
                                                  std::shared_ptr<MrtFile> file,
                                                  std::function<void(const Result&)> done) {
  auto dump = std::make_shared<MrtTableDump>();
  const config::Config& cfg = d.config();
  // Peer index 0: our own, locally originated routes; then the configured peers.
  std::vector<mrt::IndexedPeer> index;
  index.push_back({cfg.router_id.v4_value(), base::IpAddress::v4(0), cfg.asn});
  std::vector<std::uint32_t> originated{epoch(d.started())};
  std::unordered_map<rib::PeerId, std::uint16_t> index_of{{rib::kLocalPeer, 0}};
  for (const auto& p : d.peers()) {
    index_of[p.id] = static_cast<std::uint16_t>(index.size());
    index.push_back({p.negotiated ? p.negotiated->peer_id : 0, p.cfg.address, p.cfg.asn});
    originated.push_back(epoch(p.since));
  }
  const auto ts = now_ts();
  file->write(mrt::peer_index_table(ts, cfg.router_id.v4_value(), "nvabgpd", index));
  std::weak_ptr<MrtTableDump> weak = dump;
  auto sequence = std::make_shared<std::uint32_t>(0);
  dump->walk_ = TableWalk::start(
      io, d.rib(),
      [weak, file, ts, index_of, originated, sequence](const base::Prefix& prefix,
                                                       std::span<const rib::PathView> paths) {
        auto self = weak.lock();
        if (!self) return;
        std::vector<mrt::RibEntry> entries;
        for (const auto& v : paths) {
          auto at = index_of.find(v.peer);
          if (at == index_of.end()) continue;  // a peer added after the index was written
          entries.push_back({at->second, originated[at->second],
                             mrt::rib_attributes(rib::AttrStore::materialize(*v.attrs))});
        }
        if (entries.empty()) return;
        self->result_.ok =
            file->write(mrt::rib(ts, (*sequence)++, prefix, entries)) && self->result_.ok;
        ++self->result_.prefixes;
        self->result_.entries += entries.size();
      },
      [weak, file, done] {
        auto self = weak.lock();
        if (!self) return;
        file->flush();
        self->result_.ok = self->result_.ok && !file->failed();
        if (self->walk_) self->result_.longest_slice = self->walk_->longest_slice();
        if (done) done(self->result_);
      });
  return dump;
}

void MrtTableDump::cancel() {
  if (walk_) walk_->cancel();
}

}  // namespace nvabgpd::daemon
