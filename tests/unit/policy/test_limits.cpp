// Size and depth limits of the filter language (issue 18, item 5): operator chains of any
// length load and run without recursing per term; genuine nesting is refused at load with a
// position, never a stack overflow at load or on the first route.
#include <functional>
#include <optional>

#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {

constexpr int kTerms = 50000;

// "t1 OP t2 OP ... tn" with term(i) for i in 1..n.
std::string chain(int n, const std::string& op, const std::function<std::string(int)>& term) {
  std::string s;
  s.reserve(static_cast<std::size_t>(n) * 20);
  for (int i = 1; i <= n; ++i) {
    if (i > 1) s += op;
    s += term(i);
  }
  return s;
}

wire::PathAttributes med(std::uint32_t m) {
  wire::PathAttributes a;
  a.med = m;
  a.as_path = seq({65001});
  return a;
}

// A fresh program per route keeps each case independent of the others. Outcome::where points
// into the program, so the program stays until the next call.
Outcome run_once(const std::string& text, std::uint32_t m) {
  static std::optional<Run> r;
  r.emplace(text);
  return (*r)("10.1.0.0/16", med(m));
}

}  // namespace

TEST_CASE("a 50000-term && chain loads and evaluates: true and false outcomes and short circuit") {
  // bgp_med != 1 && bgp_med != 2 && ... : true unless the med is one of 1..50,000.
  const std::string all =
      chain(kTerms, " && ", [](int i) { return "bgp_med != " + std::to_string(i); });
  Run r(expr_filter(all));
  CHECK(r("10.1.0.0/16", med(0)).why == Outcome::Why::Accept);
  CHECK(r("10.1.0.0/16", med(kTerms + 1)).why == Outcome::Why::Accept);
  CHECK(r("10.1.0.0/16", med(kTerms)).why == Outcome::Why::Reject);  // the last term is false
  CHECK(r("10.1.0.0/16", med(25000)).why == Outcome::Why::Reject);   // one in the middle

  // Term 40,000 divides by the med: with med 0 it is a runtime error when reached.
  auto with_trap = [](int false_at) {
    return chain(kTerms, " && ", [false_at](int i) {
      if (i == false_at) return std::string("bgp_med = 7");
      if (i == 40000) return std::string("10 / bgp_med = 0");
      return "bgp_med != " + std::to_string(i);
    });
  };
  // Reached: the runtime error, reported at the && before term 40,000.
  Outcome reached = run_once(expr_filter(with_trap(0)), 0);
  CHECK(reached.why == Outcome::Why::RuntimeError);
  CHECK(reached.error == "Division by zero");
  // A false term before it stops the chain: no error, the route is rejected.
  Outcome skipped = run_once(expr_filter(with_trap(39999)), 0);
  INFO(skipped.reason());
  CHECK(skipped.why == Outcome::Why::Reject);
}

TEST_CASE("a 50000-term || chain loads and evaluates: true and false outcomes and short circuit") {
  const std::string any =
      chain(kTerms, " || ", [](int i) { return "bgp_med = " + std::to_string(i); });
  Run r(expr_filter(any));
  CHECK(r("10.1.0.0/16", med(0)).why == Outcome::Why::Reject);
  CHECK(r("10.1.0.0/16", med(1)).why == Outcome::Why::Accept);
  CHECK(r("10.1.0.0/16", med(kTerms)).why == Outcome::Why::Accept);
  CHECK(r("10.1.0.0/16", med(kTerms + 1)).why == Outcome::Why::Reject);

  auto with_trap = [](int true_at) {
    return chain(kTerms, " || ", [true_at](int i) {
      if (i == true_at) return std::string("bgp_med = 0");
      if (i == 40000) return std::string("10 / bgp_med = 3");
      return "bgp_med = " + std::to_string(i);
    });
  };
  CHECK(run_once(expr_filter(with_trap(0)), 0).why == Outcome::Why::RuntimeError);
  CHECK(run_once(expr_filter(with_trap(39999)), 0).why == Outcome::Why::Accept);
}

TEST_CASE("a long mixed && and || chain is read left to right as nested pairs would be") {
  // ((((t1 op1 t2) op2 t3) op3 t4) ...): compare with the same fold computed here.
  const int n = kTerms;
  auto op_of = [](int i) { return (i * 7919) % 3 == 0 ? " || " : " && "; };
  auto term_true = [](int i, std::uint32_t m) {
    return (static_cast<std::uint32_t>(i) * 2654435761U) % 5 != m;
  };
  std::string text;
  for (int i = 1; i <= n; ++i) {
    if (i > 1) text += op_of(i);
    text += "bgp_med != " + std::to_string((static_cast<std::uint32_t>(i) * 2654435761U) % 5);
  }
  Run r(expr_filter(text));
  for (std::uint32_t m = 0; m < 6; ++m) {
    bool v = term_true(1, m);
    for (int i = 2; i <= n; ++i) {
      if (std::string(op_of(i)) == " && ") {
        v = v && term_true(i, m);
      } else {
        v = v || term_true(i, m);
      }
    }
    INFO("med " << m);
    CHECK(r("10.1.0.0/16", med(m)).accepted() == v);
  }
}

TEST_CASE("long + and * chains evaluate without recursion") {
  const std::string sum = "bgp_med" + chain(kTerms, "", [](int) { return " + 1"; });
  Run r(expr_filter("(" + sum + " = 50003)"));
  CHECK(r("10.1.0.0/16", med(3)).accepted());
  CHECK_FALSE(r("10.1.0.0/16", med(4)).accepted());
  // Mixed + and - and a * chain inside: 5 + 1*1*...*1 - 1 - ... in one go.
  const std::string prod = "bgp_med" + chain(kTerms, "", [](int) { return " * 1"; });
  Run p(expr_filter("(" + prod + " - 2 + 10 = 13)"));
  CHECK(p("10.1.0.0/16", med(5)).accepted());
  // A constant prefix still folds, and a chain still type-checks each operand.
  CHECK(load_error(expr_filter("(bgp_med + 1 + 2 + \"x\" = 3)")) ==
        "t.conf:2:32: error: arithmetic needs int operands, found int and string");
  CHECK(load_error(expr_filter("(1 + 2 + 3 / 0 + bgp_med = 1)")) ==
        "t.conf:2:26: error: Division by zero");
}

TEST_CASE("nesting deeper than the documented limit is a load error with its position") {
  // 100,000 of each: parentheses, '!', nested blocks, nested ifs, a method chain.
  const std::size_t n = 100000;
  const std::string parens =
      "filter f { if " + std::string(n, '(') + "true" + std::string(n, ')') + " then accept; }";
  CHECK(load_error(parens) ==
        "t.conf:1:1014: error: nesting too deep: more than 1000 levels of parentheses, '!', method "
        "calls, blocks "
        "or statements");
  const std::string nots = "filter f { if " + std::string(n, '!') + "true then accept; }";
  CHECK(load_error(nots).find("t.conf:1:1014: error: nesting too deep") == 0);
  std::string blocks = "filter f { ";
  for (std::size_t i = 0; i < n; ++i) blocks += "{ ";
  CHECK(load_error(blocks).find("nesting too deep") != std::string::npos);
  std::string ifs = "filter f { ";
  for (std::size_t i = 0; i < n; ++i) ifs += "if true then ";
  CHECK(load_error(ifs).find("nesting too deep") != std::string::npos);
  std::string methods = "filter f { bgp_path = bgp_path";
  for (std::size_t i = 0; i < 50000; ++i) methods += ".prepend(1)";
  CHECK(load_error(methods + "; accept; }").find("nesting too deep") != std::string::npos);
  // Sets and path masks hold expressions: `[[[[...` and `[= ( [= ( ...` nest like parentheses.
  // (An ASan build once overflowed its stack at 1,170 '[': its frames are larger, so the parser
  // also stops at 4 MiB of stack; tests/fuzz/policy/corpus holds that input.)
  CHECK(load_error("filter f { int s = " + std::string(n, '['))
            .find("t.conf:1:1019: error: nesting too deep") == 0);
  std::string masks = "filter f { if bgp_path ~ ";
  for (std::size_t i = 0; i < 5000; ++i) masks += "[= ( ";
  CHECK(load_error(masks).find("nesting too deep") != std::string::npos);

  // Just inside the limit still loads and runs.
  const std::string ok = "filter f { if " + std::string(990, '(') + "bgp_med = 3" +
                         std::string(990, ')') + " then accept; reject; }";
  Run r(ok);
  CHECK(r("10.1.0.0/16", med(3)).accepted());
  CHECK_FALSE(r("10.1.0.0/16", med(4)).accepted());
  std::string chain990 = "filter f { bgp_path = bgp_path";
  for (int i = 0; i < 990; ++i) chain990 += ".prepend(1)";
  Run m(chain990 + "; if bgp_path.len = 991 then accept; reject; }");
  CHECK(m("10.1.0.0/16", med(0)).accepted());
}

TEST_CASE("function calls add the callee depth and a long chain of functions is refused at load") {
  // f_i returns f_{i-1}() + 1: each function is shallow, the call chain is not.
  auto functions = [](int n) {
    std::string s = "function f0() -> int { return 1; }\n";
    for (int i = 1; i < n; ++i) {
      s += "function f" + std::to_string(i) + "() -> int { return f" + std::to_string(i - 1) +
           "() + 1; }\n";
    }
    return s + "filter f { if f" + std::to_string(n - 1) + "() = " + std::to_string(n) +
           " then accept; reject; }\n";
  };
  Run ok(functions(400));
  CHECK(ok("10.1.0.0/16", med(0)).accepted());
  const std::string err = load_error(functions(5000));
  CHECK(err.find("error: nesting too deep: calling f499 here nests 1002 levels deep") !=
        std::string::npos);
}

TEST_CASE("calls that fan out and nested loops stop after one million steps with a runtime error") {
  // f_i calls f_{i-1} twice: 2^25 calls for one route, from 26 short lines.
  std::string fan = "function f0() -> int { return 1; }\n";
  for (int i = 1; i <= 25; ++i) {
    fan += "function f" + std::to_string(i) + "() -> int { return f" + std::to_string(i - 1) +
           "() + f" + std::to_string(i - 1) + "(); }\n";
  }
  Run r(fan +
        "filter f { if f25() > 0 then accept; reject; }\nfilter g { if f18() = 262144 then accept; "
        "reject; }\n");
  Outcome o = r("10.1.0.0/16", med(0));
  CHECK(o.why == Outcome::Why::RuntimeError);
  CHECK(o.error == "filter stopped after 1000000 function calls and loop iterations");
  CHECK(r("10.1.0.0/16", med(0), "g").accepted());  // 2^19 - 1 calls: within the budget

  // Three nested loops over a 200-ASN path: 8,000,000 iterations.
  wire::PathAttributes a = med(0);
  a.as_path = seq(std::vector<std::uint32_t>(200, 65001));
  Run loops(R"(filter f { int n; n = 0;
    for int x in bgp_path do for int y in bgp_path do for int z in bgp_path do n = n + 1;
    accept; })");
  Outcome l = loops("10.1.0.0/16", a);
  CHECK(l.why == Outcome::Why::RuntimeError);
  CHECK(l.error == "filter stopped after 1000000 function calls and loop iterations");
}

TEST_CASE("the lexer is linear on long runs of dotted numbers and hex with colons") {
  // Both used to rescan the rest of the run from every token: minutes for 1 MB.
  std::string dots;
  for (int i = 0; i < 500000; ++i) dots += "1.";
  CHECK(load_error("filter f { if " + dots + " then accept; }")
            .find("t.conf:1:17: error: expected method or field name") == 0);
  std::string colons;
  for (int i = 0; i < 350000; ++i) colons += "ab:";
  CHECK(load_error("filter f { if " + colons + " then accept; }").find("t.conf:1:") == 0);
  // Addresses still lex as before.
  Run r(
      "filter f { if (net ~ [ 2001:db8::/32+ ] || net ~ [ 10.0.0.0/8+ ]) && from = 10.1.3.4 then "
      "accept; reject; "
      "}");
  CHECK(r("10.1.0.0/16", med(0)).accepted());
}
