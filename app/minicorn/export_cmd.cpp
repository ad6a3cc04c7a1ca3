// app/minicorn/export_cmd.cpp — `minicorn export`: a recording as Chrome
// trace-event JSON for ui.perfetto.dev, checked against Perfetto's import
// rules before the command returns.
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "app/minicorn/commands.h"
#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/recording.h"

namespace minicorn::cli {
namespace {

constexpr const char* kUsageLine =
    "usage: minicorn export RECORDING -o OUT.json\n"
    "       minicorn export --check TRACE.json\n";

constexpr const char* kHelp =
    "\n"
    "Writes a minicorn recording (an MCREC001 file) as Chrome trace-event JSON:\n"
    "open it at https://ui.perfetto.dev (or chrome://tracing). One track per\n"
    "process and thread, the loop's phases as nested slices, each request and\n"
    "connection as an async span, a flow arrow from accept to handler, and\n"
    "counters for the accept queue and busy workers. The written file is then\n"
    "checked against Perfetto's import rules.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   where to write the JSON (required)\n"
    "  --check FILE        only check an existing trace-event JSON file\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "exit status: 0 written and valid; 1 the recording could not be read, the\n"
    "output could not be written, or it breaks an import rule; 2 bad usage.\n";

constexpr std::size_t kViolationsShown = 20;

int usage_error(const std::string& message) {
    std::fprintf(stderr, "%sminicorn export: error: %s\n", kUsageLine, message.c_str());
    return 2;
}

int failure(const std::string& message) {
    std::fprintf(stderr, "minicorn export: error: %s\n", message.c_str());
    return 1;
}

std::string size_text(std::uintmax_t bytes) {
    char buf[32];
    if (bytes < 1024) {
        std::snprintf(buf, sizeof buf, "%ju B", bytes);
    } else if (bytes < 1024 * 1024) {
        std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
    } else {
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    }
    return buf;
}

bool read_file(const std::string& path, std::string& text, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    return true;
}

// The header's event count against the file's size, before Recording::load
// allocates that many events: a damaged count must not become a huge
// allocation. Layout (recording.h): "MCREC001", u64 count, u64 dropped, events.
bool plausible_recording(const std::string& path, std::string& error) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "'" + path + "' is a directory, not a recording";
        return false;
    }
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        error = "cannot open '" + path + "': " + std::strerror(errno);
        return false;
    }
    char magic[8] = {};
    std::uint64_t count = 0;
    bool header = std::fread(magic, 1, sizeof magic, f) == sizeof magic && std::fread(&count, sizeof count, 1, f) == 1;
    std::fclose(f);
    if (!header || std::memcmp(magic, "MCREC001", 8) != 0) return true;  // load() names the problem
    constexpr std::uint64_t kHeaderBytes = 8 + 8 + 8;
    auto size = static_cast<std::uint64_t>(st.st_size);
    std::uint64_t room = size > kHeaderBytes ? (size - kHeaderBytes) / sizeof(trace::Event) : 0;
    if (count > room) {
        error = "'" + path + "' is truncated: its header counts " + std::to_string(count) + " events, the file holds " +
                std::to_string(room);
        return false;
    }
    return true;
}

void print_violations(const trace::TraceCheck& check) {
    std::fprintf(stderr, "%zu violation%s of Perfetto's import rules:\n", check.violations.size(),
                 check.violations.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < check.violations.size() && i < kViolationsShown; ++i) {
        std::fprintf(stderr, "  %s\n", check.violations[i].c_str());
    }
    if (check.violations.size() > kViolationsShown) {
        std::fprintf(stderr, "  ... and %zu more\n", check.violations.size() - kViolationsShown);
    }
}

int check_only(const std::string& path) {
    std::string text, error;
    if (!read_file(path, text, error)) return failure(error);
    trace::TraceCheck check = trace::check_trace(text);
    std::printf("minicorn export: %s: %zu trace events, %zu processes, %zu threads, %s; Perfetto import rules: %s\n",
                path.c_str(), check.events, check.processes, check.threads, size_text(text.size()).c_str(),
                check.ok() ? "ok" : "VIOLATED");
    if (check.ok()) return 0;
    print_violations(check);
    return 1;
}

int export_recording(const std::string& input, const std::string& output) {
    std::string error;
    if (!plausible_recording(input, error)) return failure(error);
    std::error_code ec;
    if (std::filesystem::equivalent(input, output, ec)) {
        return failure("'" + output + "' is the recording itself: choose another output file");
    }
    std::optional<trace::Recording> rec;
    try {
        rec = trace::Recording::load(input, &error);
    } catch (const std::exception& e) {  // e.g. bad_alloc on a damaged header
        return failure("cannot load '" + input + "': " + e.what());
    }
    if (!rec) return failure(error);
    if (!trace::write_chrome_json(*rec, output, &error)) return failure(error);

    // Check what is on disk: the file Perfetto will open.
    std::string text;
    if (!read_file(output, text, error)) return failure(error);
    trace::TraceCheck check = trace::check_trace(text);
    std::printf(
        "minicorn export: wrote %s: %zu trace events from %zu recorded, %zu processes, %zu threads, %s; "
        "Perfetto import rules: %s\n",
        output.c_str(), check.events, rec->size(), check.processes, check.threads, size_text(text.size()).c_str(),
        check.ok() ? "ok" : "VIOLATED");
    if (rec->dropped() > 0) {
        std::printf("minicorn export: note: the recording lost %ju events to full rings\n",
                    static_cast<std::uintmax_t>(rec->dropped()));
    }
    if (check.ok()) return 0;
    print_violations(check);
    return 1;
}

}  // namespace

int export_command(const std::vector<std::string>& args) {
    std::string input, output, check;
    bool have_output = false, have_check = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        auto value_of = [&](std::string_view flag, std::string& into, bool& have) -> bool {
            if (have) return false;
            if (a == flag) {
                if (i + 1 >= args.size()) return false;
                into = args[++i];
            } else {
                into = std::string(a.substr(flag.size() + (a[flag.size()] == '=' ? 1 : 0)));
            }
            have = true;
            return !into.empty();
        };
        if (a == "-h" || a == "--help") {
            std::fputs(kUsageLine, stdout);
            std::fputs(kHelp, stdout);
            return 0;
        }
        if (a == "-o" || a == "--output" || a.rfind("--output=", 0) == 0 || (a.rfind("-o", 0) == 0 && a.size() > 2)) {
            if (!value_of(a.rfind("--", 0) == 0 ? "--output" : "-o", output, have_output)) {
                return usage_error(have_output ? "-o/--output given twice" : "-o/--output needs a file name");
            }
        } else if (a == "--check" || a.rfind("--check=", 0) == 0) {
            if (!value_of("--check", check, have_check)) {
                return usage_error(have_check ? "--check given twice" : "--check needs a file name");
            }
        } else if (a.size() > 1 && a[0] == '-') {
            return usage_error("unknown option '" + std::string(a) + "'");
        } else if (input.empty()) {
            input = std::string(a);
        } else {
            return usage_error("unexpected argument '" + std::string(a) + "' (one recording at a time)");
        }
    }
    if (have_check) {
        if (!input.empty() || have_output) return usage_error("--check takes a JSON file and nothing else");
        return check_only(check);
    }
    if (input.empty()) return usage_error("which recording? (minicorn export RECORDING -o OUT.json)");
    if (!have_output) return usage_error("-o/--output is required: where should the JSON go?");
    return export_recording(input, output);
}

}  // namespace minicorn::cli
