// flist_options_for: which optional file-list fields this session's entries carry.
#include "roles/common/session_context.h"

namespace ursync::roles {

protocol::FlistOptions flist_options_for(const cli::Options& options,
                                         const session::SessionParams& params) {
    protocol::FlistOptions f;
    f.protocol = params.protocol;
    f.varint_flags = params.varint_flist_flags;
    f.safe_flist = params.safe_flist;
    f.preserve_uid = options.owner;
    f.preserve_gid = options.group;
    f.preserve_links = options.links;
    f.preserve_devices = options.devices;
    f.preserve_specials = options.specials;
    f.preserve_hard_links = options.hard_links;
    f.always_checksum = options.checksum;
    f.checksum_len = options.checksum ? protocol::digest_len(params.file_checksum) : 0;
    f.atimes = options.atimes > 0;
    f.crtimes = options.crtimes;
    f.numeric_ids = options.numeric_ids;
    f.inc_recurse = params.inc_recurse;
    f.id0_names = params.id0_names;
    f.delete_missing_args = options.missing_args == cli::MissingArgs::remove;
    return f;
}

}  // namespace ursync::roles
