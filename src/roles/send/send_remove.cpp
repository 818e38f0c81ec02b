// --remove-source-files on the sending side: each file the receiver reports with MSG_SUCCESS
// is removed from the source, unless it changed since it was listed.
#include <cerrno>
#include <cstring>

#include "roles/common/errors.h"
#include "roles/send/send_messages.h"
#include "roles/send/sender.h"

namespace ursync::roles {

session::SessionResult<void> Sender::note_success(int32_t ndx) {
    // Taken now: the entry's segment may be finished by the time the removal runs.
    auto found = list_.peek(ndx);
    if (!found) return Unexpected{std::move(found).error()};
    const protocol::FileEntry& e = *found->entry;
    SentSource src;
    src.root = found->info->root;
    src.name = e.name;
    src.mode = e.mode;
    src.size = e.size;
    src.mtime_sec = e.mtime_sec;
    src.mtime_nsec = e.mtime_nsec;
    to_remove_.push_back(std::move(src));
    return {};
}

engine::Task<void> Sender::remove_sent_sources() {
    std::vector<SentSource> batch = std::move(to_remove_);
    to_remove_.clear();
    FlistBuilder& builder = list_.builder();
    for (const SentSource& src : batch) {
        fs::DirRoot& root = builder.root(src.root);
        auto st = co_await root.stat(src.name);
        const char* failed_op = nullptr;
        int err = 0;
        if (!st) {
            failed_op = "re-lstat";
            err = st.error().err;
        } else if (protocol::mode_is_regular(src.mode) &&
                   (static_cast<int64_t>(st->size) != src.size || st->mtime_sec != src.mtime_sec ||
                    (src.mtime_nsec != 0 && st->mtime_nsec != src.mtime_nsec))) {
            s_.output.error("ERROR: Skipping sender remove for changed file: " + src.name + "\n");
            s_.state.partial = true;
            continue;
        } else {
            auto gone = co_await root.unlink(src.name);
            if (gone) {
                if (s_.options.info.level(cli::InfoWord::remove) >= 1)
                    s_.output.info("sender removed " + src.name + "\n");
                continue;
            }
            failed_op = "remove";
            err = gone.error().err;
        }
        if (err != ENOENT) {
            s_.output.error(std::string(k_sender_sys_prefix) + failed_op + " failed: " + src.name +
                            ": " + errno_text(err) + "\n");
            s_.state.partial = true;
        }
    }
}

}  // namespace ursync::roles
