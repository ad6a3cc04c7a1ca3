// fuzz/recording_fuzz.cpp — libFuzzer harness for the .rec reader
// (Recording::read, engine/trace/recording_load.cpp) and for what the studio
// does next with a recording it accepted: fold it (TraceModel) and restore
// the World at instants inside it from keyframes.
//
// The first byte picks how the rest is used:
//   even: the rest is a whole file, header and all (the reader's checks);
//   odd:  the rest is events, behind a correct header (the fold's robustness:
//         any recording the reader lets through must fold without a crash).
// AddressSanitizer and UBSan turn memory errors and undefined behaviour into crashes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/trace/model.h"
#include "engine/trace/recording.h"

using minicorn::trace::Event;
using minicorn::trace::Recording;
using minicorn::trace::TraceModel;

namespace {

std::vector<unsigned char> as_file(const std::uint8_t* data, std::size_t size) {
    std::vector<unsigned char> file(minicorn::trace::kRecordingMagic, minicorn::trace::kRecordingMagic + 8);
    const std::uint64_t count = size / sizeof(Event);
    const std::uint64_t dropped = 0;
    file.insert(file.end(), reinterpret_cast<const unsigned char*>(&count), reinterpret_cast<const unsigned char*>(&count) + 8);
    file.insert(file.end(), reinterpret_cast<const unsigned char*>(&dropped), reinterpret_cast<const unsigned char*>(&dropped) + 8);
    file.insert(file.end(), data, data + count * sizeof(Event));
    return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::vector<unsigned char> file = (data[0] & 1) ? as_file(data + 1, size - 1)
                                                    : std::vector<unsigned char>(data + 1, data + size);
    if (file.empty()) file.push_back(0);  // fmemopen wants a buffer
    std::FILE* f = ::fmemopen(file.data(), file.size(), "rb");
    if (!f) return 0;
    std::string error;
    std::optional<Recording> rec = Recording::read(f, "fuzz.rec", &error);
    std::fclose(f);
    if (!rec) {
        if (error.empty()) __builtin_trap();  // a refusal always says why
        return 0;
    }
    TraceModel model(*rec, 8);  // a keyframe every 8 events: restoring them is exercised too
    model.update();
    if (!rec->empty()) {
        const std::uint64_t mid = rec->first_time() + (rec->last_time() - rec->first_time()) / 2;
        (void)model.world_at(mid);
    }
    return 0;
}
