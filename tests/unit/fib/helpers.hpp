#pragma once
// Literals for the fib unit tests.
#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::fib::test {

inline base::IpAddress ip(const char* s) { return *base::IpAddress::parse(s); }
inline base::Prefix pfx(const char* s) { return *base::Prefix::parse(s); }

}  // namespace nvabgpd::fib::test
