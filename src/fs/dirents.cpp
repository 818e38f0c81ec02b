// getdents64 record parser: never reads past a record or the buffer, whatever the bytes say.
#include "fs/dirents.h"

#include <cstring>
#include <string_view>

namespace ursync::fs {

namespace {

// struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
constexpr size_t k_ino_at = 0;
constexpr size_t k_reclen_at = 16;
constexpr size_t k_type_at = 18;
constexpr size_t k_name_at = 19;
constexpr size_t k_record_align = 8;

template <class T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

bool parse_dirents(std::span<const std::byte> buf, std::vector<RawDirent>& out) {
    size_t pos = 0;
    while (pos < buf.size()) {
        size_t left = buf.size() - pos;
        if (left < k_name_at + 1) return false;
        const std::byte* rec = buf.data() + pos;
        size_t reclen = load<uint16_t>(rec + k_reclen_at);
        if (reclen < k_name_at + 1 || reclen > left || reclen % k_record_align != 0) return false;
        const char* name = reinterpret_cast<const char*>(rec + k_name_at);
        size_t name_room = reclen - k_name_at;
        const void* nul = std::memchr(name, '\0', name_room);
        if (nul == nullptr) return false;
        std::string_view n(name, static_cast<size_t>(static_cast<const char*>(nul) - name));
        if (n.empty() || n.find('/') != std::string_view::npos) return false;
        if (n != "." && n != "..") {
            out.push_back(RawDirent{std::string(n), load<uint64_t>(rec + k_ino_at),
                                    load<uint8_t>(rec + k_type_at)});
        }
        pos += reclen;
    }
    return true;
}

}  // namespace ursync::fs
