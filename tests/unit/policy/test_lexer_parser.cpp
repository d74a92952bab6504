// Loading: syntax and type errors with positions, both BIRD 2.0 and 2.14+ syntax, comments.
#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

TEST_CASE("syntax errors carry file:line:col and what was expected") {
  CHECK(load_error("filter f {\n  accept\n}\n") == "t.conf:3:1: error: expected ';', found '}'");
  CHECK(load_error("filter f { if net = 1.2.3.0/24 accept; }") ==
        "t.conf:1:32: error: expected 'then', found 'accept'");
  CHECK(load_error("protocol bgp x {}") ==
        "t.conf:1:1: error: expected 'filter', 'function' or 'define', found 'protocol'");
  CHECK(load_error("filter f { accept; ") == "t.conf:1:20: error: expected '}', found end of file");
  CHECK(load_error("filter f { /* never closed ") == "t.conf:1:12: error: unterminated comment");
  CHECK(load_error("filter f { x = 1; accept; }") ==
        "t.conf:1:12: error: unknown variable or attribute 'x'");
  CHECK(load_error("filter f { print \"a; }") == "t.conf:1:18: error: unterminated string");
}

TEST_CASE("type errors are found at load") {
  CHECK(load_error("filter f { int x; x = 1.2.3.4; accept; }") ==
        "t.conf:1:23: error: cannot assign ip to 'x' of type int");
  CHECK(load_error("filter f { if bgp_med then accept; }") ==
        "t.conf:1:15: error: if condition must be bool, not int");
  CHECK(load_error("filter f { bgp_med = 1 + (1,2); accept; }") ==
        "t.conf:1:24: error: arithmetic needs int operands, found int and pair");
  CHECK(load_error("filter f { net = 1.0.0.0/8; accept; }") ==
        "t.conf:1:12: error: attribute 'net' is read-only");
  CHECK(load_error("filter f { bgp_path.prepend(1.2.3.4); accept; }") ==
        "t.conf:1:29: error: prepend needs an int, found ip");
  CHECK(load_error("function g(int a) { return a; } filter f { if g(1, 2) = 1 then accept; }") ==
        "t.conf:1:47: error: function g takes 1 argument(s), 2 given");
  CHECK(load_error("filter f { if bgp_path.len < (1,2) then accept; }") ==
        "t.conf:1:28: error: cannot compare int with pair");
}

TEST_CASE("like BIRD, some type errors surface only per route") {
  wire::PathAttributes a;
  Run r(R"(filter f { if bgp_path ~ [ 1.0.0.0/8 ] then accept; reject; }
           filter g { bgp_community.add([(1,2)]); accept; }
           filter h { bgp_med = bgp_med.len; accept; })");
  auto o = r("10.0.0.0/8", a);
  CHECK(o.why == Outcome::Why::RuntimeError);
  CHECK(o.error == "~ applied on unknown type pair (bgppath and prefix set)");
  auto g = r("10.0.0.0/8", a, "g");
  CHECK(g.why == Outcome::Why::RuntimeError);
  CHECK(g.error == "Can't add set");
  CHECK(r("10.0.0.0/8", a, "h").why == Outcome::Why::RuntimeError);
}

TEST_CASE("constant errors surface at load, with positions") {
  CHECK(load_error("define X = 10 / 0;") == "t.conf:1:15: error: Division by zero");
  CHECK(load_error("filter f { if net ~ [ 10.0.0.0/8{4,40} ] then accept; }") ==
        "t.conf:1:33: error: invalid prefix pattern range {4, 40}");
  CHECK(load_error("filter f { if net = 10.1.2.0/8 then accept; }") ==
        "t.conf:1:21: error: invalid network prefix 10.1.2.0/8, maybe you wanted 10.0.0.0/8");
  CHECK(load_error("filter f { bgp_community.add((65536,1)); accept; }") ==
        "t.conf:1:30: error: Can't operate with value out of bounds in pair constructor");
  CHECK(load_error("filter f { bgp_med = -1; accept; }") ==
        "t.conf:1:22: error: negative numbers are not literals (integers are unsigned)");
  CHECK(load_error("define X = 4294967296;") == "t.conf:1:12: error: number out of range");
}

TEST_CASE("never half a program: one bad file fails the whole load") {
  std::vector<SourceFile> files{{"a.conf", "filter ok { accept; }"},
                                {"b.conf", "filter bad { accept }"}};
  auto r = load(files);
  REQUIRE_FALSE(r);
  REQUIRE(r.error().size() == 1);
  CHECK(r.error()[0].file == "b.conf");
}

TEST_CASE("later files see earlier definitions") {
  std::vector<SourceFile> files{
      {"a.conf", "define LIMIT = 24; function long_net() { return net.len > LIMIT; }"},
      {"b.conf", "filter f { if long_net() then reject; accept; }"}};
  auto r = load(files);
  REQUIRE(r);
  CHECK(r->filter_names() == std::vector<std::string>{"f"});
  CHECK(load_error("filter f { accept; } filter f { accept; }") ==
        "t.conf:1:29: error: symbol 'f' already defined");
}

TEST_CASE("BIRD 2.0 and 2.14+ function and variable syntax both load") {
  wire::PathAttributes a;
  a.as_path = seq({65001, 65002});
  // 2.0: parameters separated by ';', locals declared before the body, untyped return.
  Run old(R"(
    function is_long(int lim; prefix p)
    int l;
    {
      l = p.len;
      return l > lim;
    }
    filter f
    bool b;
    {
      b = is_long(24, net);
      if b then reject; else accept;
    })");
  CHECK(old("10.0.0.0/25", a).why == Outcome::Why::Reject);
  CHECK(old("10.0.0.0/24", a).why == Outcome::Why::Accept);
  // 2.14+: typed return, declarations with initialisers inside blocks.
  Run neu(R"(
    function is_long(int lim; prefix p) -> bool {
      int l = p.len;
      return l > lim;
    }
    filter f {
      bool b = is_long(24, net);
      if b then { reject; } else { accept; }
    })");
  CHECK(neu("10.0.0.0/25", a).why == Outcome::Why::Reject);
  CHECK(neu("10.0.0.0/24", a).why == Outcome::Why::Accept);
  CHECK(load_error("function g() -> int { return true; }") ==
        "t.conf:1:30: error: function g returns int, not bool");
}

TEST_CASE("comments of both kinds and IPv6 literals lex") {
  Run r(R"(
    # hash comment
    /* block
       comment */
    filter f {
      if net ~ [ 2001:db8::/32+ ] then accept;   # trailing
      if net = ::/0 then accept;
      reject;
    })");
  wire::PathAttributes a;
  CHECK(r("2001:db8:1::/48", a).accepted());
  CHECK(r("::/0", a).accepted());
  CHECK_FALSE(r("2001:db9::/48", a).accepted());
}

TEST_CASE("deep nesting and garbage do not crash the loader") {
  std::string deep = "filter f { if " + std::string(5000, '(') + "true" + std::string(5000, ')') +
                     " then accept; }";
  CHECK(load_error(deep).find("nesting too deep") != std::string::npos);
  std::string bytes("filter \x01\xff\x00 {", 12);
  CHECK(load_error(bytes).find("error") != std::string::npos);
}
