#pragma once
// The compiled form: typed evaluation nodes built by the parser. Expressions return Values;
// statements return a Flow. Runtime errors and accept/reject inside functions set
// Ctx::halt, which every statement checks after evaluating its expressions.
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/policy/filter.hpp"
#include "value.hpp"

namespace nvabgpd::policy {

struct Loc {
  std::uint32_t file = 0;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
};

enum class Flow : std::uint8_t { Next, Return, Accept, Reject, Error };

enum class Attr : std::uint8_t {
  Net,
  From,
  Gw,
  Proto,
  Source,
  Dest,
  Ifname,
  Ifindex,
  Preference,
  BgpOrigin,
  BgpPath,
  BgpNextHop,
  BgpMed,
  BgpLocalPref,
  BgpAtomicAggr,
  BgpCommunity,
  BgpExtCommunity,
  BgpLargeCommunity,
  BgpOriginatorId,
  BgpClusterList,
};
struct AttrInfo {
  const char* name;
  Attr id;
  Type type;
  bool writable;
};
const AttrInfo* find_attr(std::string_view name);
const AttrInfo& attr_info(Attr a);

// Function calls plus loop iterations one route may take (see "Limits" in policy/README.md):
// nesting is bounded at load, but calls can fan out (f calling g twice, g calling h twice
// ...) and loops can nest, so a small filter could otherwise run for ever on the BGP thread.
inline constexpr std::uint32_t kMaxSteps = 1000000;

struct Ctx {
  const RouteView* route = nullptr;             // null while folding constants at load
  const wire::PathAttributes* attrs = nullptr;  // current attributes (original or copy)
  std::optional<wire::PathAttributes> copy;
  std::optional<std::uint32_t> preference;
  bool med_assigned = false;  // a statement assigned bgp_med (even its old value)
  std::vector<Value>* stack = nullptr;
  std::size_t base = 0;
  Flow halt = Flow::Next;
  Loc where;
  std::string error;
  Value ret;
  const PrintSink* sink = nullptr;
  std::string print_buf;    // printn output waits here for the next print (or the filter's end)
  std::uint32_t steps = 0;  // calls and loop iterations so far, against kMaxSteps
  // bgp_path, bgp_community, bgp_ext_community, bgp_large_community once the filter set or
  // unset them: 1 when empty means "no attribute" (kNullList), 0 an emptied but present list,
  // -1 not set here (as received: an empty community list is no attribute, a path is present).
  std::int8_t list_null[4] = {-1, -1, -1, -1};

  wire::PathAttributes& mut() {
    if (!copy) {
      copy.emplace(*attrs);
      attrs = &*copy;
    }
    return *copy;
  }
  Value& slot(std::size_t i) { return (*stack)[base + i]; }
  // Records the first runtime error; returns an empty value for convenience.
  Value fail(const Loc& at, std::string msg) {
    if (halt == Flow::Next) {
      halt = Flow::Error;
      where = at;
      error = std::move(msg);
    }
    return {};
  }
  bool halted() const { return halt != Flow::Next; }
  // Counts one call or loop iteration; false (and a runtime error) past kMaxSteps.
  bool step(const Loc& at) { return ++steps <= kMaxSteps || too_many_steps(at); }
  bool too_many_steps(const Loc& at);  // records the error, returns false
};

struct Expr {
  Type type = Type::Any;
  Loc loc;
  Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;
  virtual ~Expr() = default;
  virtual Value eval(Ctx& c) const = 0;
  // True when the value depends only on the node's children (constant-foldable).
  virtual bool pure() const { return false; }
  virtual bool is_const() const { return false; }
  virtual void children(std::vector<const Expr*>& out) const { (void)out; }
};
using ExprP = std::unique_ptr<Expr>;

struct Stmt {
  Loc loc;
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  virtual ~Stmt() = default;
  virtual Flow exec(Ctx& c) const = 0;
};
using StmtP = std::unique_ptr<Stmt>;

struct Function {
  std::string name;
  Loc loc;
  std::vector<Type> params;
  Type ret = Type::Any;
  std::size_t frame = 0;
  int depth = 0;  // deepest nesting level of the body, the functions it calls included
  StmtP body;
};

// The opaque handle declared in filter.hpp.
class Filter {
 public:
  std::string name;
  Loc loc;
  Loc end;  // the closing brace: "fell off the end"
  std::size_t frame = 0;
  std::uint64_t fingerprint = 0;  // Program::fingerprint
  // Program::prefix_signature: whether the result depends on the prefix only through these
  // yes/no tests (prefix_tests.hpp), found at load.
  bool prefix_only = false;
  std::vector<const Expr*> prefix_tests;
  StmtP body;
};

struct Program::Impl {
  std::deque<std::string> files;  // names, for SourceLoc
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<std::unique_ptr<Filter>> filters;
  std::vector<std::shared_ptr<const void>> pool;  // constants referenced by borrowed Values
  SourceLoc loc(const Loc& l) const { return SourceLoc{files[l.file], l.line, l.col}; }
};

// ---- node kinds (eval in eval.cpp, built by the parser) ----

struct ConstExpr : Expr {
  Value v;
  Value eval(Ctx&) const override { return v.borrow(); }  // the program keeps v alive
  bool is_const() const override { return true; }
};

struct VarExpr : Expr {
  std::size_t slot = 0;
  Value eval(Ctx& c) const override { return c.slot(slot); }
};

struct AttrExpr : Expr {
  Attr attr{};
  Value eval(Ctx& c) const override;
};

enum class Op : std::uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Eq,
  Ne,
  Lt,
  Gt,
  Le,
  Ge,
  Match,
  NotMatch,
  And,
  Or,
  Not,
};

struct BinaryExpr : Expr {
  Op op{};
  ExprP a, b;
  Value eval(Ctx& c) const override;
  bool pure() const override { return true; }
  void children(std::vector<const Expr*>& out) const override {
    out.push_back(a.get());
    if (b) out.push_back(b.get());
  }
};

// A run of one precedence level evaluated left to right: `a && b || c ...` (logical: each
// operand must be bool; && skips its operand when the value so far is false, || when it is
// true, exactly as the left-deep tree of BinaryExprs would) or `a + b - c ...` / `a * b / c`.
// The parser builds this for three or more operands so that evaluating and destroying a
// 50,000-term chain takes a loop instead of 50,000 nested calls.
struct ChainExpr : Expr {
  struct Step {
    Op op{};
    Loc loc;  // the operator, where BinaryExpr would report its errors
    ExprP e;
  };
  ExprP first;
  std::vector<Step> rest;
  bool logical = false;
  Value eval(Ctx& c) const override;
  bool pure() const override { return true; }
  void children(std::vector<const Expr*>& out) const override {
    out.push_back(first.get());
    for (const auto& s : rest) out.push_back(s.e.get());
  }
};

// net ~ [prefix set] against a constant set: the hot path of most export filters.
struct NetInSetExpr : Expr {
  ExprP a;
  const PrefixSet* set = nullptr;
  bool negate = false;
  Value eval(Ctx& c) const override;
};

// (a, b), (a, b, c), (rt, a, b) ...
struct TupleExpr : Expr {
  std::vector<ExprP> parts;
  std::uint16_t ec_kind = 0;  // Ec: the subtype (2 = rt, 3 = ro) or 0xFFFF generic
  Value eval(Ctx& c) const override;
  bool pure() const override { return true; }
  void children(std::vector<const Expr*>& out) const override {
    for (const auto& p : parts) out.push_back(p.get());
  }
};

struct MaskExpr : Expr {
  struct Item {
    MaskItem item;
    ExprP expr;  // (expr) items
  };
  std::vector<Item> items;
  Value eval(Ctx& c) const override;
  bool pure() const override { return true; }
  void children(std::vector<const Expr*>& out) const override {
    for (const auto& i : items) {
      if (i.expr) out.push_back(i.expr.get());
    }
  }
};

enum class Method : std::uint8_t {
  Len,
  Ip,
  First,
  Last,
  LastNonAggregated,
  Min,
  Max,
  Mask,
  Type,
  Asn,
  Data,
  Data1,
  Data2,
  Prepend,
  Add,
  Delete,
  Filter,
  Empty,
  IsV4,
};

struct MethodExpr : Expr {
  Method m{};
  ExprP obj;
  ExprP arg;
  Value eval(Ctx& c) const override;
  bool pure() const override { return true; }
  void children(std::vector<const Expr*>& out) const override {
    out.push_back(obj.get());
    if (arg) out.push_back(arg.get());
  }
};

struct DefinedExpr : Expr {
  ExprP e;
  Value eval(Ctx& c) const override;
};

struct CallExpr : Expr {
  const Function* fn = nullptr;
  std::vector<ExprP> args;
  Value eval(Ctx& c) const override;
};

// ---- statements ----

struct BlockStmt : Stmt {
  std::vector<StmtP> body;
  Flow exec(Ctx& c) const override;
};
struct AssignVarStmt : Stmt {
  std::size_t slot = 0;
  Type type = Type::Any;
  ExprP e;
  Flow exec(Ctx& c) const override;
};
struct AssignAttrStmt : Stmt {
  Attr attr{};
  ExprP e;  // null: unset
  Flow exec(Ctx& c) const override;
};
// bgp_community.add(x) as a statement: appends in place on the copy.
struct ClistAddStmt : Stmt {
  Attr attr{};
  ExprP e;
  Flow exec(Ctx& c) const override;
};
struct IfStmt : Stmt {
  ExprP cond;
  StmtP then_s, else_s;
  Flow exec(Ctx& c) const override;
};
struct TerminalStmt : Stmt {
  Flow what = Flow::Accept;  // Accept, Reject or Return
  ExprP e;                   // return: the value
  std::vector<ExprP> msg;    // accept/reject: the message items, printed as one line
  bool in_filter = false;    // return in a filter body: true accepts, false rejects
  Flow exec(Ctx& c) const override;
};
struct PrintStmt : Stmt {
  std::vector<ExprP> args;
  bool newline = true;
  Flow exec(Ctx& c) const override;
};
struct ExprStmt : Stmt {
  ExprP e;
  Flow exec(Ctx& c) const override;
};
// BIRD 2.14+: for [type] x in <bgppath|clist|eclist|lclist> do cmd
struct ForStmt : Stmt {
  std::size_t slot = 0;
  ExprP e;
  StmtP body;
  Flow exec(Ctx& c) const override;
};
struct CaseStmt : Stmt {
  struct Label {
    Value lo, hi;  // both void: an else arm, as bird2 stores it
    int arm = 0;   // index into arms
  };
  ExprP e;
  std::vector<std::unique_ptr<BlockStmt>> arms;
  bool has_else = false;
  // Every label, in bird2's tree order (bird_tree.hpp): repeated or overlapping labels pick
  // the arm bird2 picks.
  std::vector<Label> labels;
  // Sorts the labels once parsing is done.
  void finish();
  Flow exec(Ctx& c) const override;
};

// Evaluates a node with no route (constant folding). Returns the error message on failure.
std::optional<std::string> fold(const Expr& e, Value& out);

// The runtime checks shared with the parser's static checks.
Value binary_op(Ctx& c, const Loc& loc, Op op, const Value& a, const Value& b);
// Converts a value for storage into an attribute / variable of type t (Ip -> Quad etc.).
bool coerce(Value& v, Type t);

}  // namespace nvabgpd::policy
