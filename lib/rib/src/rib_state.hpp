#pragma once
// The private nouns behind the Rib facade, for the rib sources: Adj-RIB-In and the peer
// table, update groups with their Adj-RIB-Out, the export rules.
#include "adj_rib_in.hpp"
#include "export_policy.hpp"
#include "peer_table.hpp"
#include "update_group.hpp"
