// Fuzzes the multiplex decoder: feeding the input in arbitrary pieces gives exactly the same
// DATA stream, messages and verdict as feeding it at once.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "protocol/mux_frame.h"

using namespace ursync::protocol;

namespace {

struct Outcome {
    std::vector<std::byte> data;
    std::vector<MuxEvent> messages;
    bool ok = true;
};

Outcome run(Bytes input, const std::vector<size_t>& cuts, bool internal) {
    MuxDecoder decoder{internal};
    Outcome out;
    size_t pos = 0;
    for (size_t i = 0; i <= cuts.size() && out.ok; ++i) {
        const size_t end = i < cuts.size() ? cuts[i] : input.size();
        std::vector<MuxEvent> events;
        auto r = decoder.feed(input.subspan(pos, end - pos), events);
        for (auto& e : events) {
            if (e.code == MsgCode::data) {
                URSYNC_FUZZ_CHECK(!e.data.empty());
                out.data.insert(out.data.end(), e.data.begin(), e.data.end());
            } else {
                URSYNC_FUZZ_CHECK(e.payload.size() <= k_message_len_max);
                out.messages.push_back(std::move(e));
            }
        }
        out.ok = r.has_value();
        pos = end;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const bool internal = (data[0] & 1) != 0;
    const size_t step = 1 + data[1] % 16;
    const Bytes input{reinterpret_cast<const std::byte*>(data) + 2, size - 2};
    std::vector<size_t> cuts;
    for (size_t c = step; c < input.size(); c += step + (c % 7)) cuts.push_back(c);
    const Outcome whole = run(input, {}, internal);
    const Outcome split = run(input, cuts, internal);
    URSYNC_FUZZ_CHECK(whole.ok == split.ok);
    if (whole.ok) {
        URSYNC_FUZZ_CHECK(whole.data == split.data);
        URSYNC_FUZZ_CHECK(whole.messages.size() == split.messages.size());
        for (size_t i = 0; i < whole.messages.size(); ++i) {
            URSYNC_FUZZ_CHECK(whole.messages[i].code == split.messages[i].code);
            URSYNC_FUZZ_CHECK(whole.messages[i].payload == split.messages[i].payload);
            (void)message_int(whole.messages[i]);
        }
    }
    return 0;
}
