#pragma once
// Appends JSON text to a string without building a document: the per-route output of
// `show route` (a million routes must not cost a million nlohmann trees). Commas are placed
// automatically; nesting up to 64 levels. Strings are escaped per RFC 8259 (bytes >= 0x80 are
// copied as they are: the daemon's strings are UTF-8).
#include <cstdint>
#include <string>
#include <string_view>

namespace nvabgpd::daemon {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(std::uint32_t n) { return value(std::uint64_t{n}); }
  JsonWriter& value(bool b);
  // key + value
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();  // a comma before the second and later elements of the current level

  std::string& out_;
  std::uint64_t has_items_ = 0;  // bit d: level d already holds an element
  unsigned depth_ = 0;
  bool after_key_ = false;
};

}  // namespace nvabgpd::daemon
