// ControlServer's request handling without a socket: nesting refused before parsing, stream
// commands run to their end by dispatch(), and the depth scan itself.
#include <catch2/catch.hpp>
#include <string>

#include "control_server.hpp"
#include "json_depth.hpp"

namespace {

using nvabgpd::daemon::ControlServer;
using nvabgpd::daemon::ControlSink;
using nvabgpd::daemon::ControlStream;
using nvabgpd::daemon::json_nesting_depth;

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// Items 0..n-1, `per_slice` at a time.
class Counter final : public ControlStream {
 public:
  Counter(int n, std::size_t* slices) : n_(n), slices_(slices) {}
  bool next(ControlSink& sink, std::size_t budget) override {
    ++*slices_;
    for (std::size_t k = 0; k < budget && i_ < n_ && !sink.full(); ++k)
      sink.item(std::to_string(i_++));
    return i_ < n_;
  }
  std::string_view items_key() const override { return "items"; }
  nlohmann::json summary() const override { return {{"count", i_}}; }

 private:
  int n_;
  int i_ = 0;
  std::size_t* slices_;
};

}  // namespace

TEST_CASE("json_nesting_depth counts brackets outside strings and stops at its limit") {
  CHECK(json_nesting_depth("42", 100) == 0);
  CHECK(json_nesting_depth(R"({"a": [1, {"b": []}]})", 100) == 4);
  CHECK(json_nesting_depth(R"({"a": "[[[[{{{{"})", 100) == 1);
  CHECK(json_nesting_depth(R"({"a": "\"[[[["})", 100) == 1);  // escaped quote stays in the string
  CHECK(json_nesting_depth(R"(["\\", [[]]])", 100) == 3);     // escaped backslash ends
  CHECK(json_nesting_depth(nested(100000), 33) == 33);
  CHECK(json_nesting_depth("]]]]{", 100) == 1);  // stray closers do not go negative
}

TEST_CASE("requests nested deeper than the limit are refused before parsing") {
  boost::asio::io_context io;
  ControlServer server(io, "/nonexistent/ctl.sock");
  server.on("echo", [](const nlohmann::json& args) { return args; });
  const std::string limit = std::to_string(server.limits().max_depth);

  // Depth 32 in all: the request object, "args" and 30 arrays.
  auto ok = server.dispatch(R"({"command": "echo", "args": {"x": )" + nested(30) + "}}");
  CHECK(ok["ok"] == true);
  auto deep = server.dispatch(R"({"command": "echo", "args": {"x": )" + nested(31) + "}}");
  CHECK(deep["ok"] == false);
  CHECK(deep["error"] == "request nested deeper than " + limit + " levels");
  // A nesting that would exhaust the stack of a recursive copy costs one linear scan.
  auto hostile = server.dispatch(R"({"command": "echo", "args": {"x": )" + nested(1000000) + "}}");
  CHECK(hostile["ok"] == false);
}

TEST_CASE("a stream command is run in slices to its end") {
  boost::asio::io_context io;
  ControlServer server(io, "/nonexistent/ctl.sock");
  std::size_t slices = 0;
  server.on_stream("count", [&slices](const nlohmann::json&) {
    return std::make_unique<Counter>(1000, &slices);
  });
  auto r = server.dispatch(R"({"command": "count"})");
  REQUIRE(r["ok"] == true);
  REQUIRE(r["result"]["items"].size() == 1000);
  CHECK(r["result"]["items"][999] == 999);
  CHECK(slices == (1000 + server.limits().slice_budget - 1) / server.limits().slice_budget);
  auto unknown = server.dispatch(R"({"command": "nope"})");
  CHECK(unknown["ok"] == false);
}
