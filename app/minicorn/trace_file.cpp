// app/minicorn/trace_file.cpp — see trace_file.h.
#include "app/minicorn/trace_file.h"

#include <cerrno>
#include <cstdio>

#include "engine/sys/fd.h"
#include "engine/trace/export.h"

namespace minicorn::cli {

bool trace_file_writable(std::string_view command, const std::string& path) {
    if (FILE* probe = std::fopen(path.c_str(), "ab")) {
        std::fclose(probe);
        return true;
    }
    std::fprintf(stderr, "%.*s: error: argument --trace: cannot write '%s': %s\n", static_cast<int>(command.size()),
                 command.data(), path.c_str(), sys::errno_text(errno).c_str());
    return false;
}

bool write_trace_file(const trace::Recording& rec, const std::string& path, std::string* error) {
    return path.ends_with(".json") ? trace::write_chrome_json(rec, path, error) : rec.save(path, error);
}

}  // namespace minicorn::cli
