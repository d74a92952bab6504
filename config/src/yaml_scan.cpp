#include "yaml_scan.hpp"

#include <fmt/format.h>

#include <sstream>
#include <vector>

#include <yaml-cpp/eventhandler.h>

namespace nvabgpd::config::detail {

namespace {

struct Size {
  std::uint64_t nodes = 0;
  std::uint64_t bytes = 0;
};

// Thrown out of the parser to stop at the first alias over a limit.
struct Stop {
  ScanProblem problem;
};

class Scanner : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark last_document;

  void OnDocumentStart(const YAML::Mark& m) override {
    ++documents;
    last_document = m;
    open_.assign(1, Frame{});
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t anchor) override { leaf(anchor, 0); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(anchor, value.size());
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(anchor);
  }
  void OnMapEnd() override { close(); }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    if (++aliases_ > kMaxAliases) {
      throw Stop{
          {m, fmt::format("more than {} YAML aliases (*name) in one file; refusing it (an alias "
                          "bomb?)",
                          kMaxAliases)}};
    }
    // An alias of a collection still open (a cycle) counts as one node: the loader never
    // walks a structure deeper than the configuration's own shape.
    Size s = anchor < anchors_.size() ? anchors_[anchor] : Size{1, 0};
    expanded_.nodes += s.nodes;
    expanded_.bytes += s.bytes;
    if (expanded_.nodes > kMaxAliasNodes || expanded_.bytes > kMaxAliasBytes) {
      throw Stop{
          {m, fmt::format("YAML aliases expand to more than {} nodes or {} MiB of text; refusing "
                          "the file (an alias bomb?)",
                          kMaxAliasNodes, kMaxAliasBytes / (1024 * 1024))}};
    }
    add(s);
  }

 private:
  struct Frame {
    YAML::anchor_t anchor = YAML::NullAnchor;
    Size size;
  };

  void add(const Size& s) {
    if (open_.empty()) open_.emplace_back();
    // Both stay below the limits plus one alias: no overflow.
    open_.back().size.nodes += s.nodes;
    open_.back().size.bytes += s.bytes;
  }
  void record(YAML::anchor_t anchor, const Size& s) {
    if (anchor == YAML::NullAnchor) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, Size{1, 0});
    anchors_[anchor] = s;
  }
  void leaf(YAML::anchor_t anchor, std::size_t bytes) {
    const Size s{1, bytes};
    record(anchor, s);
    add(s);
  }
  void open(YAML::anchor_t anchor) {
    record(anchor, Size{1, 0});
    open_.push_back(Frame{anchor, Size{1, 0}});
  }
  void close() {
    if (open_.size() < 2) return;
    Frame f = open_.back();
    open_.pop_back();
    record(f.anchor, f.size);
    add(f.size);
  }

  std::vector<Frame> open_;
  std::vector<Size> anchors_;  // by anchor id (yaml-cpp numbers them from 1)
  std::size_t aliases_ = 0;
  Size expanded_;
};

}  // namespace

std::optional<ScanProblem> scan_yaml(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  Scanner s;
  try {
    if (!parser.HandleNextDocument(s)) return std::nullopt;
    if (!parser.HandleNextDocument(s) || s.documents < 2) return std::nullopt;
  } catch (const Stop& stop) {
    return stop.problem;
  }
  return ScanProblem{s.last_document,
                     "the file holds more than one YAML document ('---'); use one"};
}

}  // namespace nvabgpd::config::detail
