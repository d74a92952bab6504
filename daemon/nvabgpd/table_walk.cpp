#include "table_walk.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace nvabgpd::daemon {

std::shared_ptr<TableWalk> TableWalk::start(boost::asio::io_context& io, const rib::Rib& rib,
                                            Visit visit, std::function<void()> done,
                                            std::function<bool()> ready, std::size_t slice) {
  auto w = std::make_shared<TableWalk>(io, rib, std::move(visit), std::move(done), std::move(ready),
                                       slice == 0 ? 1 : slice);
  w->schedule();
  return w;
}

void TableWalk::schedule() {
  if (scheduled_ || cancelled_ || finished_) return;
  scheduled_ = true;
  boost::asio::post(io_, [self = shared_from_this()] {
    self->scheduled_ = false;
    self->step();
  });
}

void TableWalk::resume() {
  if (!paused_) return;
  paused_ = false;
  schedule();
}

void TableWalk::step() {
  if (cancelled_ || finished_) return;
  const auto began = std::chrono::steady_clock::now();
  struct Timer {
    std::chrono::steady_clock::time_point began;
    std::chrono::microseconds& longest;
    ~Timer() {
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - began);
      longest = std::max(longest, took);
    }
  } timer{began, longest_};
  const rib::PrefixTable& t = rib_.table();
  std::size_t n = 0;
  while (n < slice_ && next_ < t.id_limit()) {
    // Checked per prefix: one slice can be larger than a consumer's whole buffer.
    if (ready_ && !ready_()) {
      paused_ = true;
      return;
    }
    const rib::EntryId id = next_++;
    if (!t.live(id)) continue;
    const base::Prefix prefix = t.prefix(id);
    const std::vector<rib::PathView> paths = rib_.routes(prefix);
    ++n;
    ++visited_;
    if (!paths.empty()) visit_(prefix, paths);
    if (cancelled_) return;
  }
  if (next_ >= t.id_limit()) {
    finished_ = true;
    if (done_) done_();
    return;
  }
  schedule();
}

}  // namespace nvabgpd::daemon
