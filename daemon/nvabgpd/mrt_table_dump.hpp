#pragma once
// One TABLE_DUMP_V2 snapshot (RFC 6396 4.3) of the Loc-RIB candidates (every peer's
// post-policy path, and the locally originated routes as peer index 0): a PEER_INDEX_TABLE,
// then one RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record per prefix, written from a sliced
// TableWalk so the BGP thread is never held for more than one slice.
// Thread: the io_context thread.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "table_walk.hpp"

namespace nvabgpd::daemon {

class Daemon;

// An open MRT file, shared by the writer and the dumps still writing into it (a rotation
// closes the file when the last of them lets go).
class MrtFile {
 public:
  static std::shared_ptr<MrtFile> open(const std::string& path, bool exclusive, std::string& error);
  ~MrtFile();
  MrtFile(const MrtFile&) = delete;
  MrtFile& operator=(const MrtFile&) = delete;
  bool write(std::span<const std::uint8_t> bytes);
  void flush();
  bool failed() const { return failed_; }
  const std::string& path() const { return path_; }

 private:
  MrtFile(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  std::FILE* f_;
  std::string path_;
  bool failed_ = false;
};

class MrtTableDump {
 public:
  struct Result {
    std::size_t prefixes = 0;
    std::size_t entries = 0;
    bool ok = true;
    std::chrono::microseconds longest_slice{0};
  };
  // Starts the dump into `file`; `done` runs on completion (after the records are flushed).
  static std::shared_ptr<MrtTableDump> start(boost::asio::io_context& io, Daemon& d,
                                             std::shared_ptr<MrtFile> file,
                                             std::function<void(const Result&)> done);
  void cancel();
  const Result& progress() const { return result_; }

 private:
  std::shared_ptr<TableWalk> walk_;
  Result result_;
};

}  // namespace nvabgpd::daemon
