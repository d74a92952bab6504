// The prefix-test analysis (see prefix_tests.hpp). It runs once per filter at load.
#include "prefix_tests.hpp"

#include <unordered_set>

namespace nvabgpd::policy {

namespace {

constexpr unsigned kNet = 1, kOther = 2;
constexpr std::size_t kMaxTests = 64;

class Analysis {
 public:
  PrefixTests run(const Filter& f) {
    walk(f.body.get());
    if (ok_ && out_.tests.size() <= kMaxTests) out_.usable = true;
    if (!out_.usable) out_.tests.clear();
    return std::move(out_);
  }

 private:
  // Every direct sub-expression of e; false for a node kind this analysis does not know.
  static bool children(const Expr* e, std::vector<const Expr*>& out) {
    if (auto* n = dynamic_cast<const NetInSetExpr*>(e)) {
      out.push_back(n->a.get());
    } else if (auto* d = dynamic_cast<const DefinedExpr*>(e)) {
      out.push_back(d->e.get());
    } else if (auto* c = dynamic_cast<const CallExpr*>(e)) {
      for (const auto& a : c->args) out.push_back(a.get());
    } else if (dynamic_cast<const BinaryExpr*>(e) || dynamic_cast<const ChainExpr*>(e) ||
               dynamic_cast<const TupleExpr*>(e) || dynamic_cast<const MaskExpr*>(e) ||
               dynamic_cast<const MethodExpr*>(e)) {
      e->children(out);
    } else if (!dynamic_cast<const ConstExpr*>(e) && !dynamic_cast<const VarExpr*>(e) &&
               !dynamic_cast<const AttrExpr*>(e)) {
      return false;
    }
    return true;
  }

  // What e's value depends on: kNet (the prefix), kOther (anything else of the route,
  // variables, function results).
  unsigned deps(const Expr* e) {
    if (auto* a = dynamic_cast<const AttrExpr*>(e)) return a->attr == Attr::Net ? kNet : kOther;
    if (dynamic_cast<const VarExpr*>(e)) return kOther;
    if (auto* c = dynamic_cast<const CallExpr*>(e)) {
      check_function(c->fn);
      unsigned d = kOther;
      for (const auto& a : c->args) d |= deps(a.get());
      return d;
    }
    std::vector<const Expr*> kids;
    if (!children(e, kids)) {
      ok_ = false;
      return kOther;
    }
    unsigned d = 0;
    for (const Expr* k : kids) d |= deps(k);
    return d;
  }

  void walk(const Expr* e) {
    if (!ok_ || e == nullptr) return;
    const unsigned d = deps(e);
    if ((d & kNet) == 0) {
      if (auto* c = dynamic_cast<const CallExpr*>(e)) check_function(c->fn);
      return;
    }
    if (d == kNet && e->type == Type::Bool) {
      out_.tests.push_back(e);
      return;
    }
    if (auto* a = dynamic_cast<const AttrExpr*>(e)) {
      if (a->attr == Attr::Net) ok_ = false;  // the prefix used as a value
      return;
    }
    std::vector<const Expr*> kids;
    if (!children(e, kids)) {
      ok_ = false;
      return;
    }
    for (const Expr* k : kids) walk(k);
  }

  void walk(const Stmt* s) {
    if (!ok_ || s == nullptr) return;
    if (auto* b = dynamic_cast<const BlockStmt*>(s)) {
      for (const auto& x : b->body) walk(x.get());
    } else if (auto* v = dynamic_cast<const AssignVarStmt*>(s)) {
      walk(v->e.get());
    } else if (auto* a = dynamic_cast<const AssignAttrStmt*>(s)) {
      walk(a->e.get());
    } else if (auto* c = dynamic_cast<const ClistAddStmt*>(s)) {
      walk(c->e.get());
    } else if (auto* i = dynamic_cast<const IfStmt*>(s)) {
      walk(i->cond.get());
      walk(i->then_s.get());
      walk(i->else_s.get());
    } else if (auto* t = dynamic_cast<const TerminalStmt*>(s)) {
      if (!t->msg.empty()) ok_ = false;  // logged per route
      walk(t->e.get());
    } else if (auto* e = dynamic_cast<const ExprStmt*>(s)) {
      walk(e->e.get());
    } else if (auto* f = dynamic_cast<const ForStmt*>(s)) {
      walk(f->e.get());
      walk(f->body.get());
    } else if (auto* k = dynamic_cast<const CaseStmt*>(s)) {
      walk(k->e.get());
      for (const auto& arm : k->arms) walk(arm.get());
    } else {
      ok_ = false;  // print, or a statement kind this analysis does not know
    }
  }

  // A called function must not read `net` at all (its parameters hide where values come
  // from) and must not print.
  void check_function(const Function* fn) {
    if (fn == nullptr || !checked_.insert(fn).second) return;
    Analysis inner;
    inner.checked_ = checked_;
    inner.walk(fn->body.get());
    if (!inner.ok_ || !inner.out_.tests.empty()) ok_ = false;
    checked_.insert(inner.checked_.begin(), inner.checked_.end());
  }

  bool ok_ = true;
  PrefixTests out_;
  std::unordered_set<const Function*> checked_;
};

}  // namespace

PrefixTests find_prefix_tests(const Filter& f) { return Analysis().run(f); }

}  // namespace nvabgpd::policy
