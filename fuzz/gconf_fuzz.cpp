// fuzz/gconf_fuzz.cpp — libFuzzer harness for the config file reader
// (engine/config: tokenizer, parser, evaluator). Any input must end in a
// result or an error with a line inside the input, never a crash, a hang, an
// unbounded allocation or undefined behaviour; and reading is deterministic.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/config/config_file.h"

namespace {

int count_lines(std::string_view s) {
    int n = 1;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace minicorn::config;
    std::string_view source(reinterpret_cast<const char*>(data), size);
    Host host;
    host.env = {{"PORT", "8000"}, {"WEB_CONCURRENCY", "3"}, {"EMPTY", ""}};
    host.cpu_count = 4;
    host.usable_cpus = 2;
    host.file = "/srv/gunicorn.conf.py";
    FileResult a = read_config_source(source, host);
    if (a.error && (a.error->line < 1 || a.error->line > count_lines(source))) std::abort();
    for (const auto& [name, assignment] : a.values) {
        if (assignment.line < 1 || assignment.line > count_lines(source)) std::abort();
        (void)repr(assignment.value);
    }
    FileResult b = read_config_source(source, host);
    if (a.values.size() != b.values.size() || a.notes.size() != b.notes.size() || a.error.has_value() != b.error.has_value())
        std::abort();
    return 0;
}
