// [trace] The checker of Perfetto's import rules (engine/trace/json_check.h),
// one broken rule at a time: each deliberately broken trace must be reported
// with the tag of the rule it breaks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/trace/json_check.h"

using namespace minicorn::trace;

// ============================================================================
// The checker, one rule at a time
// ============================================================================

namespace {

std::string trace_of(const std::string& events) { return "{\"traceEvents\":[" + events + "]}"; }

struct Broken {
    const char* what;
    std::string json;
    const char* rule;  // the tag its violation must carry
};

void check_each_is_caught(const std::vector<Broken>& cases) {
    for (const Broken& c : cases) {
        INFO(c.what << "\n" << c.json);
        std::vector<std::string> violations = check_trace_json(c.json);
        for (const std::string& v : violations) UNSCOPED_INFO(v);
        bool caught = std::any_of(violations.begin(), violations.end(),
                                  [&](const std::string& v) { return v.rfind(c.rule, 0) == 0; });
        CHECK(caught);
    }
}

}  // namespace

TEST_CASE("the checker accepts a trace that follows every rule", "[trace]") {
    std::string good = trace_of(R"(
        {"name":"process_name","ph":"M","pid":1,"tid":1,"args":{"name":"one"}},
        {"name":"thread_sort_index","ph":"M","pid":1,"tid":1,"args":{"sort_index":0}},
        {"name":"a","ph":"B","pid":1,"tid":1,"ts":0},
        {"name":"r","cat":"req","ph":"b","id":"0x1","pid":1,"tid":1,"ts":0},
        {"name":"q","ph":"C","pid":1,"tid":1,"ts":3,"args":{"len":4,"cap":1.5}},
        {"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":5},
        {"name":"x","ph":"X","pid":1,"tid":1,"ts":6,"dur":2},
        {"name":"now","ph":"i","s":"t","pid":1,"tid":1,"ts":9},
        {"name":"a","ph":"E","pid":1,"tid":1,"ts":10},
        {"name":"h","ph":"B","pid":2,"tid":2,"ts":11.5},
        {"name":"go","cat":"c","ph":"f","bp":"e","id":7,"pid":2,"tid":2,"ts":11.5},
        {"ph":"E","pid":2,"tid":2,"ts":12.25},
        {"name":"r","cat":"req","ph":"e","id":"0x1","pid":1,"tid":1,"ts":12.25}
    )");
    TraceCheck check = check_trace(good);
    for (const std::string& v : check.violations) UNSCOPED_INFO(v);
    CHECK(check.ok());
    CHECK(check.events == 13);
    CHECK(check.processes == 2);
    CHECK(check.threads == 2);
}

TEST_CASE("the checker names bad JSON and missing fields", "[trace]") {
    check_each_is_caught({
        {"not JSON", R"({"traceEvents":[{"ph":"B",)", "[json]"},
        {"a number out of range", trace_of(R"({"name":"a","ph":"i","pid":1,"tid":1,"ts":4e999})"), "[json]"},
        {"no traceEvents", R"({"events":[]})", "[json]"},
        {"traceEvents not an array", R"({"traceEvents":{}})", "[json]"},
        {"an event that is not an object", trace_of("42"), "[fields]"},
        {"no ph", trace_of(R"({"name":"a","pid":1,"tid":1,"ts":0})"), "[fields]"},
        {"an unknown ph", trace_of(R"({"name":"a","ph":"S","pid":1,"tid":1,"ts":0,"id":1})"), "[fields]"},
        {"no ts", trace_of(R"({"name":"a","ph":"i","pid":1,"tid":1})"), "[fields]"},
        {"a string ts", trace_of(R"({"name":"a","ph":"i","pid":1,"tid":1,"ts":"5"})"), "[fields]"},
        {"no pid", trace_of(R"({"name":"a","ph":"i","tid":1,"ts":0})"), "[fields]"},
        {"a string pid", trace_of(R"({"name":"a","ph":"i","pid":"web","tid":1,"ts":0})"), "[fields]"},
        {"a B without tid", trace_of(R"({"name":"a","ph":"B","pid":1,"ts":0},{"ph":"E","pid":1,"ts":1})"), "[fields]"},
        {"an X without dur", trace_of(R"({"name":"a","ph":"X","pid":1,"tid":1,"ts":0})"), "[fields]"},
        {"a process_name without a name",
         trace_of(R"({"name":"process_name","ph":"M","pid":1,"tid":1,"args":{}})"), "[fields]"},
    });
}

TEST_CASE("the checker finds slices that are not strictly nested per thread", "[trace]") {
    check_each_is_caught({
        {"partial overlap of B/E slices", trace_of(R"(
            {"name":"a","ph":"B","pid":1,"tid":1,"ts":0},
            {"name":"b","ph":"B","pid":1,"tid":1,"ts":1},
            {"name":"a","ph":"E","pid":1,"tid":1,"ts":2},
            {"name":"b","ph":"E","pid":1,"tid":1,"ts":3})"),
         "[nesting]"},
        {"an E without its B", trace_of(R"({"name":"a","ph":"E","pid":1,"tid":1,"ts":2})"), "[nesting]"},
        {"an E whose name matches no open B", trace_of(R"(
            {"name":"a","ph":"B","pid":1,"tid":1,"ts":0},
            {"name":"z","ph":"E","pid":1,"tid":1,"ts":1},
            {"name":"a","ph":"E","pid":1,"tid":1,"ts":2})"),
         "[nesting]"},
        {"a B never ended", trace_of(R"({"name":"a","ph":"B","pid":1,"tid":1,"ts":0})"), "[nesting]"},
        {"X slices that overlap", trace_of(R"(
            {"name":"a","ph":"X","pid":1,"tid":1,"ts":0,"dur":10},
            {"name":"b","ph":"X","pid":1,"tid":1,"ts":5,"dur":10})"),
         "[nesting]"},
        {"a B still open when the X around it ends", trace_of(R"(
            {"name":"outer","ph":"X","pid":1,"tid":1,"ts":0,"dur":10},
            {"name":"inner","ph":"B","pid":1,"tid":1,"ts":5},
            {"name":"later","ph":"i","s":"t","pid":1,"tid":1,"ts":20},
            {"name":"inner","ph":"E","pid":1,"tid":1,"ts":30})"),
         "[nesting]"},
        {"an X that outlasts the B around it", trace_of(R"(
            {"name":"a","ph":"B","pid":1,"tid":1,"ts":0},
            {"name":"x","ph":"X","pid":1,"tid":1,"ts":5,"dur":20},
            {"name":"a","ph":"E","pid":1,"tid":1,"ts":10})"),
         "[nesting]"},
        {"a zero-length B/E once the file has an X: Perfetto sorts the E first", trace_of(R"(
            {"name":"x","ph":"X","pid":1,"tid":1,"ts":0,"dur":1},
            {"name":"z","ph":"B","pid":1,"tid":1,"ts":5},
            {"name":"z","ph":"E","pid":1,"tid":1,"ts":5})"),
         "[nesting]"},
    });
}

TEST_CASE("the checker finds B/E timestamps going backwards on a thread", "[trace]") {
    std::string text = trace_of(R"(
        {"name":"a","ph":"B","pid":1,"tid":1,"ts":5},
        {"name":"a","ph":"E","pid":1,"tid":1,"ts":6},
        {"name":"b","ph":"B","pid":1,"tid":1,"ts":2},
        {"name":"b","ph":"E","pid":1,"tid":1,"ts":3})");
    std::vector<std::string> violations = check_trace_json(text);
    REQUIRE(violations.size() == 2);  // b's B and E; Perfetto's sort would repair it, the spec forbids it
    for (const std::string& v : violations) CHECK(v.rfind("[order]", 0) == 0);
}

TEST_CASE("the checker finds unmatched async spans", "[trace]") {
    check_each_is_caught({
        {"an e without a b", trace_of(R"({"name":"r","cat":"req","ph":"e","id":1,"pid":1,"tid":1,"ts":0})"),
         "[async]"},
        {"an e before its b", trace_of(R"(
            {"name":"r","cat":"req","ph":"e","id":1,"pid":1,"tid":1,"ts":1},
            {"name":"r","cat":"req","ph":"b","id":1,"pid":1,"tid":1,"ts":2})"),
         "[async]"},
        {"a b never ended", trace_of(R"({"name":"r","cat":"req","ph":"b","id":1,"pid":1,"tid":1,"ts":0})"),
         "[async]"},
        {"an e in another category", trace_of(R"(
            {"name":"r","cat":"req","ph":"b","id":1,"pid":1,"tid":1,"ts":0},
            {"name":"r","cat":"conn","ph":"e","id":1,"pid":1,"tid":1,"ts":1})"),
         "[async]"},
        {"b/e without an id", trace_of(R"(
            {"name":"r","cat":"req","ph":"b","pid":1,"tid":1,"ts":0},
            {"name":"r","cat":"req","ph":"e","pid":1,"tid":1,"ts":1})"),
         "[async]"},
    });
}

TEST_CASE("the checker finds flows that do not pair or do not bind to a slice", "[trace]") {
    const std::string slice_a = R"({"name":"a","ph":"B","pid":1,"tid":1,"ts":0},)";
    const std::string end_a = R"(,{"name":"a","ph":"E","pid":1,"tid":1,"ts":10})";
    check_each_is_caught({
        {"an f without an s",
         trace_of(slice_a + R"({"name":"go","cat":"c","ph":"f","bp":"e","id":7,"pid":1,"tid":1,"ts":1})" + end_a),
         "[flow]"},
        {"s and f with different ids", trace_of(slice_a + R"(
            {"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":1},
            {"name":"go","cat":"c","ph":"f","bp":"e","id":8,"pid":1,"tid":1,"ts":2})" + end_a),
         "[flow]"},
        {"an s outside any slice", trace_of(R"(
            {"name":"a","ph":"B","pid":1,"tid":1,"ts":0},
            {"name":"a","ph":"E","pid":1,"tid":1,"ts":10},
            {"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":20},
            {"name":"h","ph":"B","pid":2,"tid":2,"ts":21},
            {"name":"go","cat":"c","ph":"f","bp":"e","id":7,"pid":2,"tid":2,"ts":21},
            {"name":"h","ph":"E","pid":2,"tid":2,"ts":22})"),
         "[flow]"},
        {"an s after the slice it sits in has ended", trace_of(R"(
            {"name":"a","ph":"X","pid":1,"tid":1,"ts":0,"dur":2},
            {"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":5},
            {"name":"b","ph":"X","pid":1,"tid":1,"ts":6,"dur":2},
            {"name":"go","cat":"c","ph":"f","bp":"e","id":7,"pid":1,"tid":1,"ts":7})"),
         "[flow]"},
        {"an f with \"bp\":\"e\" outside any slice", trace_of(slice_a + R"(
            {"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":1})" + end_a + R"(,
            {"name":"go","cat":"c","ph":"f","bp":"e","id":7,"pid":2,"tid":2,"ts":11})"),
         "[flow]"},
        {"an s that is never finished",
         trace_of(slice_a + R"({"name":"go","cat":"c","ph":"s","id":7,"pid":1,"tid":1,"ts":1})" + end_a), "[flow]"},
        {"an id that is not hex", trace_of(slice_a + R"(
            {"name":"go","cat":"c","ph":"s","id":"conn-7","pid":1,"tid":1,"ts":1},
            {"name":"go","cat":"c","ph":"f","bp":"e","id":"conn-7","pid":1,"tid":1,"ts":2})" + end_a),
         "[flow]"},
    });
}

TEST_CASE("the checker finds counters with non-numeric values", "[trace]") {
    check_each_is_caught({
        {"a string value", trace_of(R"({"name":"q","ph":"C","pid":1,"tid":1,"ts":0,"args":{"len":"four"}})"),
         "[counter]"},
        {"no args", trace_of(R"({"name":"q","ph":"C","pid":1,"tid":1,"ts":0})"), "[counter]"},
        {"an object value", trace_of(R"({"name":"q","ph":"C","pid":1,"tid":1,"ts":0,"args":{"len":{"n":1}}})"),
         "[counter]"},
    });
}

