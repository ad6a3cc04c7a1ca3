// engine/trace/export.cpp — Recording → Chrome trace-event JSON (see export.h).
//
// Two passes: the Cast (export_cast.h: who is the arbiter, which pid is which
// worker, which threads exist, which connections reach a handler), then the
// Exporter (export_exporter.h), which walks the events once in time order and
// writes each output event as it goes. Because it writes in time order and
// uses only B/E for slices, Perfetto's sorter keeps the file's order at equal
// timestamps: an E written before a B at the same microsecond is read in that
// order. (X events would switch Perfetto to a sort that moves every E at a
// timestamp ahead of everything else there, which breaks zero-length slices.)
//
// Argument names and how values read come from the schema (export_args.h).
#include "engine/trace/export.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/trace/export_exporter.h"

namespace minicorn::trace {

// ============================================================================
// [SECTION] Public API
// ============================================================================

std::string export_chrome_json(const Recording& rec) {
    exporter::Cast cast(rec);
    chrome::JsonOut out(rec.first_time());
    exporter::Exporter(rec, cast, out).run();
    return out.finish({
        {"generator", std::string("minicorn export")},
        {"recording_events", static_cast<std::int64_t>(rec.size())},
        {"dropped_events", static_cast<std::int64_t>(rec.dropped())},
        // ts 0 in this file is this CLOCK_MONOTONIC time (a string: too big for a double)
        {"first_event_ns", std::to_string(rec.first_time())},
    });
}

bool write_chrome_json(const Recording& rec, const std::string& path, std::string* error) {
    std::string json = export_chrome_json(rec);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        return false;
    }
    bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok && error) *error = "short write to '" + path + "'";
    return ok;
}

}  // namespace minicorn::trace
