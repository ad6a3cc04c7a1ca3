// app/minicorn/trace_file.h — the FILE of `serve --trace FILE` and
// `load --trace FILE`: checked before the run, written after it.
#pragma once

#include <string>
#include <string_view>

#include "engine/trace/recording.h"

namespace minicorn::cli {

// True if `path` can be written. Otherwise says so on stderr, as
// "COMMAND: error: argument --trace: cannot write 'PATH': REASON", and
// returns false (the caller exits 2): better now than after the run.
bool trace_file_writable(std::string_view command, const std::string& path);

// Writes `rec` to `path`: Chrome/Perfetto JSON if it ends in ".json", else a
// recording (Recording::save). False with `error` set if it could not.
bool write_trace_file(const trace::Recording& rec, const std::string& path, std::string* error);

}  // namespace minicorn::cli
