#pragma once
// Rate limiting for repeated log lines (a peer sending the same malformed attribute 10,000
// times gets a few lines and a summary, not 10,000 lines). One token bucket per key (for
// example peer and kind of error); time is an input (base::Clock), nothing here reads a clock.
// Not thread-safe: owned by the thread that logs.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "nvabgpd/base/clock.hpp"

namespace nvabgpd::base {

class RateLimiter {
 public:
  using Key = std::pair<std::uint32_t, std::uint32_t>;  // e.g. (peer, kind)

  struct Config {
    double burst = 5;                                                      // lines allowed at once
    std::chrono::steady_clock::duration refill{std::chrono::seconds(10)};  // one more per
  };

  // What an admitted event must also report: `count` events were suppressed since `since`.
  struct Suppressed {
    Key key;
    std::uint64_t count = 0;
    SteadyTime since{};
  };

  RateLimiter() = default;
  explicit RateLimiter(Config c) : cfg_(c) {}

  // True when the event may be logged. `pending`, when given and the event is admitted, gets
  // the suppression summary owed for this key (if any), to be logged before it.
  bool admit(Key key, SteadyTime now, std::optional<Suppressed>* pending = nullptr) {
    auto [it, fresh] = buckets_.try_emplace(key);
    Bucket& b = it->second;
    if (fresh) {
      b.tokens = cfg_.burst;
      b.last = now;
    }
    refill(b, now);
    if (b.tokens < 1.0) {
      if (b.suppressed++ == 0) b.since = now;
      return false;
    }
    b.tokens -= 1.0;
    if (b.suppressed > 0) {
      if (pending) *pending = Suppressed{key, b.suppressed, b.since};
      b.suppressed = 0;
    }
    return true;
  }

  // The summaries owed for every key with first == `first` (all keys if nullopt), cleared:
  // for a peer that went quiet or down, so no suppressed count is lost.
  std::vector<Suppressed> drain(std::optional<std::uint32_t> first = std::nullopt) {
    std::vector<Suppressed> out;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      if (first && it->first.first != *first) {
        ++it;
        continue;
      }
      if (it->second.suppressed > 0)
        out.push_back({it->first, it->second.suppressed, it->second.since});
      it = buckets_.erase(it);
    }
    return out;
  }

  std::size_t keys() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    SteadyTime last{};
    std::uint64_t suppressed = 0;
    SteadyTime since{};
  };

  void refill(Bucket& b, SteadyTime now) const {
    if (now <= b.last) return;
    const double add =
        std::chrono::duration<double>(now - b.last) / std::chrono::duration<double>(cfg_.refill);
    b.tokens = std::min(cfg_.burst, b.tokens + add);
    b.last = now;
  }

  Config cfg_;
  std::map<Key, Bucket> buckets_;
};

}  // namespace nvabgpd::base
