// Decodes any bytes as one BGP message and checks the result is self-consistent.
#include "fuzz_input.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using wirefuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = wirefuzz::make_input(data, size);
  const DecodeResult r = decode(in.message, in.params);
  ErrorAction strongest = ErrorAction::None;
  for (const auto& e : r.errors) strongest = std::max(strongest, e.action);
  require(strongest == r.action);
  if (r.action == ErrorAction::SessionReset) {
    require(!r.message && r.notification.has_value());
    (void)describe(*r.notification);
  } else {
    require(r.message.has_value() && !r.notification);
    if (const auto* u = std::get_if<Update>(&*r.message)) {
      (void)u->end_of_rib();
      (void)u->attrs.as_path.to_string();
    }
    if (const auto* n = std::get_if<Notification>(&*r.message)) (void)describe(*n);
  }
  return 0;
}
