// The uid/gid name lists that follow a non-incremental file list (rsync uidlist.c).
#include <string>

#include "protocol/flist_codec.h"
#include "protocol/varint.h"

namespace ursync::protocol {

namespace {

void put_id_name(ByteWriter& out, uint32_t id, std::string_view name) {
    put_varint(out, static_cast<int32_t>(id));
    put_byte(out, static_cast<uint8_t>(name.size()));
    out.put(name);
}

// mirrors rsync uidlist.c:send_one_list
void put_one_list(ByteWriter& out, const IdNameTable& table, bool id0_names,
                  std::string_view id0_name) {
    // rsync prepends each new id to its list, so the most recently met id goes first.
    const auto& items = table.items();
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
        if (it->id != 0 && it->name) put_id_name(out, it->id, *it->name);
    }
    if (id0_names) {
        put_id_name(out, 0, id0_name);
    } else {
        put_varint(out, 0);
    }
}

WireResult<std::string> read_name(ByteCursor& in) {
    auto len = get_byte(in);
    if (!len) return Unexpected{len.error()};
    if (!in.has(*len)) return need_more("id name");
    const Bytes b = in.take(*len);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// mirrors the loops of rsync uidlist.c:recv_id_list
WireResult<IdList> read_one_list(ByteCursor& in, bool id0_names) {
    IdList list;
    for (;;) {
        auto id = get_varint(in);
        if (!id) return Unexpected{id.error()};
        if (*id == 0) break;
        if (list.ids.size() >= k_id_list_count_max) return malformed("uid/gid list too long");
        auto name = read_name(in);
        if (!name) return Unexpected{name.error()};
        list.ids.push_back(IdName{static_cast<uint32_t>(*id), std::move(*name)});
    }
    if (id0_names) {
        auto name = read_name(in);
        if (!name) return Unexpected{name.error()};
        list.id0_name = std::move(*name);
    }
    return list;
}

}  // namespace

bool id_lists_present(const FlistOptions& options) {
    return !options.inc_recurse && !options.numeric_ids &&
           (options.preserve_uid || options.preserve_gid);
}

Expected<void, WireError> encode_id_lists(ByteWriter& out, const FlistOptions& options,
                                          const FlistCodecState& state, std::string_view uid0_name,
                                          std::string_view gid0_name) {
    if (!id_lists_present(options)) return {};
    if (uid0_name.size() > k_id_name_len_max || gid0_name.size() > k_id_name_len_max) {
        return malformed("id name too long");
    }
    if (options.preserve_uid) put_one_list(out, state.sent_uids, options.id0_names, uid0_name);
    if (options.preserve_gid) put_one_list(out, state.sent_gids, options.id0_names, gid0_name);
    return {};
}

WireResult<IdLists> decode_id_lists(ByteCursor& in_out, const FlistOptions& options) {
    IdLists lists;
    if (!id_lists_present(options)) return lists;
    ByteCursor in = in_out;
    if (options.preserve_uid) {
        auto uids = read_one_list(in, options.id0_names);
        if (!uids) return Unexpected{uids.error()};
        lists.uids = std::move(*uids);
    }
    if (options.preserve_gid) {
        auto gids = read_one_list(in, options.id0_names);
        if (!gids) return Unexpected{gids.error()};
        lists.gids = std::move(*gids);
    }
    in_out = in;
    return lists;
}

}  // namespace ursync::protocol
