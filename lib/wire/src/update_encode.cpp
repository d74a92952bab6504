// UPDATE encoding: withdrawn routes, path attributes (attribute_table.cpp), NLRI.
#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nlri.hpp"
#include "nvabgpd/base/byte_writer.hpp"

namespace nvabgpd::wire::detail {

void encode_update(const Update& m, const SessionParams& params, std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::Update);
  base::ByteWriter w(out);
  const std::size_t withdrawn_len_at = w.size();
  w.put_u16(0);
  for (const auto& p : m.withdrawn) encode_prefix(p, out);
  w.patch_u16(withdrawn_len_at, static_cast<std::uint16_t>(w.size() - withdrawn_len_at - 2));

  const std::size_t attrs_len_at = w.size();
  w.put_u16(0);
  encode_path_attributes(m, params, out);
  w.patch_u16(attrs_len_at, static_cast<std::uint16_t>(w.size() - attrs_len_at - 2));

  for (const auto& p : m.nlri) encode_prefix(p, out);
  finish_message(out, start);
}

}  // namespace nvabgpd::wire::detail
