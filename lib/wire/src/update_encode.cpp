// UPDATE encoding: withdrawn routes, path attributes (attribute_table.cpp), NLRI.
#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nlri.hpp"

namespace nvabgpd::wire::detail {

void encode_update(const Update& m, const SessionParams& params, std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::Update);
  const std::size_t withdrawn_len_at = out.size();
  out.push_back(0);
  out.push_back(0);
  for (const auto& p : m.withdrawn) encode_prefix(p, out);
  const std::size_t withdrawn_len = out.size() - withdrawn_len_at - 2;
  out[withdrawn_len_at] = static_cast<std::uint8_t>(withdrawn_len >> 8);
  out[withdrawn_len_at + 1] = static_cast<std::uint8_t>(withdrawn_len);

  const std::size_t attrs_len_at = out.size();
  out.push_back(0);
  out.push_back(0);
  encode_path_attributes(m, params, out);
  const std::size_t attrs_len = out.size() - attrs_len_at - 2;
  out[attrs_len_at] = static_cast<std::uint8_t>(attrs_len >> 8);
  out[attrs_len_at + 1] = static_cast<std::uint8_t>(attrs_len);

  for (const auto& p : m.nlri) encode_prefix(p, out);
  finish_message(out, start);
}

}  // namespace nvabgpd::wire::detail
