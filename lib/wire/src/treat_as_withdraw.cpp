// RFC 7606 section 2, "treat-as-withdraw": an UPDATE whose attributes are malformed in a way
// that does not reset the session withdraws every prefix it carries.
#include <iterator>

#include "nvabgpd/wire/messages.hpp"

namespace nvabgpd::wire {
namespace {

void append(std::vector<base::Prefix>& to, std::vector<base::Prefix>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

}  // namespace

bool Update::treat_as_withdraw() {
  // IPv4 unicast has two homes: the withdrawn routes field and an IPv4 MP_UNREACH. Using the
  // former for IPv4 leaves the single MP_UNREACH free for the other family, so no prefix is
  // lost when MP_REACH and MP_UNREACH name different families.
  append(withdrawn, std::move(nlri));
  if (mp_reach) {
    MpReach reach = std::move(*mp_reach);
    mp_reach.reset();
    if (reach.af == kIpv4Unicast) {
      append(withdrawn, std::move(reach.nlri));
    } else {
      if (mp_unreach && mp_unreach->af != reach.af) {
        // Only two families exist (attributes.hpp), so this one is IPv4 unicast.
        append(withdrawn, std::move(mp_unreach->withdrawn));
        mp_unreach.reset();
      }
      if (!mp_unreach) mp_unreach = MpUnreach{reach.af, {}};
      append(mp_unreach->withdrawn, std::move(reach.nlri));
    }
  }
  has_attributes = false;
  attrs = PathAttributes{};
  return !withdrawn.empty() || (mp_unreach && !mp_unreach->withdrawn.empty());
}

}  // namespace nvabgpd::wire
