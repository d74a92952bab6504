#pragma once
// A walk over the Loc-RIB in slices: at most `slice` prefixes per io_context turn, so a full
// table walk (BMP station sync, MRT snapshot) never holds the BGP thread for longer than one
// slice. The table may change between slices: a prefix added behind the cursor is not visited
// (its change reaches the consumer as a live event), one removed ahead of it is skipped.
// Thread: the io_context thread that owns the Rib.
#include <chrono>
#include <functional>
#include <memory>
#include <span>

#include <boost/asio/io_context.hpp>

#include "nvabgpd/rib/rib.hpp"

namespace nvabgpd::daemon {

class TableWalk : public std::enable_shared_from_this<TableWalk> {
 public:
  static constexpr std::size_t kDefaultSlice = 1024;
  using Visit = std::function<void(const base::Prefix&, std::span<const rib::PathView>)>;
  // `ready` (optional), checked before each prefix: false pauses the walk until resume() (a
  // consumer's buffer is full).
  static std::shared_ptr<TableWalk> start(boost::asio::io_context& io, const rib::Rib& rib,
                                          Visit visit, std::function<void()> done,
                                          std::function<bool()> ready = {},
                                          std::size_t slice = kDefaultSlice);
  void cancel() { cancelled_ = true; }
  void resume();
  bool finished() const { return finished_; }
  std::size_t visited() const { return visited_; }
  // The longest time one slice held the thread (what a full walk costs other work at most).
  std::chrono::microseconds longest_slice() const { return longest_; }

  TableWalk(boost::asio::io_context& io, const rib::Rib& rib, Visit visit,
            std::function<void()> done, std::function<bool()> ready, std::size_t slice)
      : io_(io),
        rib_(rib),
        visit_(std::move(visit)),
        done_(std::move(done)),
        ready_(std::move(ready)),
        slice_(slice) {}

 private:
  void schedule();
  void step();

  boost::asio::io_context& io_;
  const rib::Rib& rib_;
  Visit visit_;
  std::function<void()> done_;
  std::function<bool()> ready_;
  std::size_t slice_;
  rib::EntryId next_ = 0;
  std::size_t visited_ = 0;
  std::chrono::microseconds longest_{0};
  bool scheduled_ = false;
  bool paused_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
};

}  // namespace nvabgpd::daemon
