#pragma once
// MRT dumps (RFC 6396) as configured by `mrt:`: files named by a strftime pattern (local
// time, like BIRD and FRR), a new one every `interval` seconds. Each file starts with a
// TABLE_DUMP_V2 snapshot (table-dump: true) and then holds BGP4MP_ET records (messages: true):
// every UPDATE received (decoded and re-encoded with 4-octet AS_PATH, MESSAGE_AS4) and every
// session state change (STATE_CHANGE_AS4). Also runs on-demand snapshots (`nvabgpctl dump mrt`).
// Thread: the io_context thread.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mrt_table_dump.hpp"
#include "nvabgpd/config/model.hpp"
#include "nvabgpd/session/fsm.hpp"

namespace nvabgpd::daemon {

class Daemon;
struct PeerRuntime;

class MrtExporter {
 public:
  MrtExporter(boost::asio::io_context& io, Daemon& d);
  ~MrtExporter();
  void start();  // no-op unless `mrt` is configured
  void update_received(const PeerRuntime& p, std::span<const std::uint8_t> encoded);
  void state_change(const PeerRuntime& p, session::State from, session::State to);
  void shutdown();
  bool writes_messages() const { return cfg_.enabled && cfg_.messages; }

  // On-demand snapshot into a new file (never an existing one). Returns its id, or throws
  // ControlError.
  std::uint64_t dump_to(const std::string& path);
  struct DumpStatus {
    bool done = false;
    bool ok = true;
    std::size_t prefixes = 0;
    std::size_t entries = 0;
    std::int64_t longest_slice_us = 0;  // the longest time one slice of the walk took
    std::string path;
  };
  std::optional<DumpStatus> dump_status(std::uint64_t id) const;

  // The file name for `t` from the configured pattern.
  static std::string file_name(const std::string& pattern, std::time_t t);

 private:
  void rotate();
  void arm_rotation();
  void arm_flush();
  void write(std::span<const std::uint8_t> record);

  boost::asio::io_context& io_;
  Daemon& d_;
  config::MrtConfig cfg_;  // as at start()
  boost::asio::steady_timer rotate_timer_;
  boost::asio::steady_timer flush_timer_;
  std::shared_ptr<MrtFile> file_;
  std::shared_ptr<MrtTableDump> periodic_;
  bool dirty_ = false;
  bool write_error_logged_ = false;
  struct OnDemand {
    std::shared_ptr<MrtTableDump> dump;
    DumpStatus status;
  };
  std::map<std::uint64_t, OnDemand> dumps_;
  std::uint64_t next_dump_ = 1;
};

}  // namespace nvabgpd::daemon
