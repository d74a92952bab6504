// Adj-RIB-Out of an update group (see adj_rib_out.hpp).
#include "adj_rib_out.hpp"

namespace nvabgpd::rib {

std::size_t AdjRibOut::count_for(PeerId peer) const {
  std::size_t n = 0;
  for (std::size_t id = 0; id < out_.size(); ++id) n += (out_[id] && except_[id] != peer) ? 1 : 0;
  return n;
}

}  // namespace nvabgpd::rib
