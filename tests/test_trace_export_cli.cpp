// [trace][cli] `minicorn export`: a recording on disk becomes a checked
// Perfetto trace; bad input and bad usage are refused with the right exit code.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/recording.h"
#include "tests/support/export_fixture.h"
#include "tests/support/run_minicorn.h"

using namespace minicorn::trace;
using namespace minicorn::testing::export_fixture;

// ============================================================================
// minicorn export, the command
// ============================================================================
namespace {

using minicorn::testing::Run;
using minicorn::testing::run_minicorn;

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/minicorn-export-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string operator/(const char* name) const { return (path / name).string(); }
};

std::string trace_of(const std::string& events) { return "{\"traceEvents\":[" + events + "]}"; }

void write_text(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("minicorn export writes a checked Perfetto trace from a recording", "[trace][cli]") {
    TempDir dir;
    std::string rec = dir / "run.mcrec";
    std::string out = dir / "run.json";
    std::string error;
    REQUIRE(recording(boot(), one_request()).save(rec, &error));

    Run r = run_minicorn("export " + rec + " -o " + out);
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(r.output.find("Perfetto import rules: ok") != std::string::npos);
    CHECK(r.output.find("3 processes") != std::string::npos);
    std::ifstream in(out, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(check_trace_json(ss.str()).empty());

    Run check = run_minicorn("export --check " + out);
    CHECK(check.status == 0);
}

TEST_CASE("minicorn export refuses bad input with exit 1 and bad usage with exit 2", "[trace][cli]") {
    TempDir dir;
    std::string out = dir / "out.json";
    std::string error;

    Run missing = run_minicorn("export " + (dir / "nope.mcrec") + " -o " + out);
    CHECK(missing.status == 1);
    CHECK(missing.output.find("cannot open") != std::string::npos);

    write_text(dir / "notes.txt", "these are not events\n");
    Run garbage = run_minicorn("export " + (dir / "notes.txt") + " -o " + out);
    CHECK(garbage.status == 1);
    CHECK(garbage.output.find("not a minicorn recording") != std::string::npos);

    std::string cut = dir / "cut.mcrec";
    REQUIRE(recording(boot()).save(cut, &error));
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) - 10);
    Run truncated = run_minicorn("export " + cut + " -o " + out);
    CHECK(truncated.status == 1);
    CHECK(truncated.output.find("truncated") != std::string::npos);

    std::string huge = dir / "huge.mcrec";  // a damaged count must not turn into a huge allocation
    std::string count_2_to_60("\x00\x00\x00\x00\x00\x00\x00\x10", 8);  // little-endian u64
    write_text(huge, std::string("MCREC001") + count_2_to_60 + std::string(8, '\0'));
    Run damaged = run_minicorn("export " + huge + " -o " + out);
    CHECK(damaged.status == 1);
    CHECK(damaged.output.find("truncated") != std::string::npos);

    std::string kept = dir / "kept.mcrec";
    REQUIRE(recording(boot()).save(kept, &error));
    auto kept_size = std::filesystem::file_size(kept);
    Run same = run_minicorn("export " + kept + " -o " + kept);
    CHECK(same.status == 1);
    CHECK(std::filesystem::file_size(kept) == kept_size);  // the recording survives

    std::string bad_json = dir / "bad.json";
    write_text(bad_json, trace_of(R"({"name":"a","ph":"B","pid":1,"tid":1,"ts":0})"));
    Run violated = run_minicorn("export --check " + bad_json);
    CHECK(violated.status == 1);
    CHECK(violated.output.find("[nesting]") != std::string::npos);

    for (const std::string& args : {std::string("export"), "export " + cut, "export -o " + out,
                                    "export --frobnicate " + cut + " -o " + out, "export a b -o " + out}) {
        INFO(args);
        Run usage = run_minicorn(args);
        CHECK(usage.status == 2);
        CHECK(usage.output.find("usage: minicorn export") != std::string::npos);
    }
    Run help = run_minicorn("export --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("ui.perfetto.dev") != std::string::npos);
}
