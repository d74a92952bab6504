#pragma once
// A long control answer (a table dump) produced in slices on the io_context thread, so that one
// client's `show route` on a full table neither blocks the BGP thread nor builds the answer in
// memory: ControlServer calls next() once per io_context turn while the client keeps reading,
// and writes each slice to the socket before asking for more (docs/control-protocol.md,
// "Long answers"). Thread: io_context.
#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nvabgpd::daemon {

// Where a stream puts its items; ControlServer frames them (JSON array or one item per line).
class ControlSink {
 public:
  virtual ~ControlSink() = default;
  // One item: one JSON value as compact text (no newline).
  virtual void item(std::string_view json_text) = 0;
  // True when the output buffer reached its mark: the stream ends the slice early.
  virtual bool full() const = 0;
};

class ControlStream {
 public:
  virtual ~ControlStream() = default;
  // Does at most `budget` units of work (one unit: one table entry visited), giving its items
  // to `sink` and stopping early when sink.full(). Returns false once the walk is complete.
  virtual bool next(ControlSink& sink, std::size_t budget) = 0;
  // The key of the item list in a one-line answer (`{"routes": [...]}`). Empty: the answer is
  // summary() alone (e.g. a count) and has no items.
  virtual std::string_view items_key() const = 0;
  // After the walk: totals ({"count": N, "prefixes": M}); ends a line-mode answer.
  virtual nlohmann::json summary() const = 0;
};

}  // namespace nvabgpd::daemon
