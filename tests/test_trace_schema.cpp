// The event schema (engine/trace/schema.h) is complete, its names are the
// ones recordings and docs use, the typed emitters put each named field in
// its slot, and docs/trace.md lists exactly what the table says.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/trace/collector.h"
#include "engine/trace/ev.h"
#include "engine/trace/kinds.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"
#include "engine/trace/schema_doc.h"

namespace trace = minicorn::trace;
using trace::EventKind;
using namespace std::chrono_literals;

TEST_CASE("every EventKind has one row in the schema, in enum order, with a unique name", "[trace]") {
    REQUIRE(trace::kinds().size() == trace::kEventKindCount);
    std::set<std::string_view> names;
    for (std::size_t i = 1; i < trace::kEventKindCount; ++i) {
        const trace::KindInfo& k = trace::kinds()[i];
        INFO(k.name);
        CHECK(static_cast<std::size_t>(k.kind) == i);
        CHECK(names.insert(k.name).second);
        CHECK(trace::to_string(k.kind) == k.name);
        CHECK(trace::event_kind_from_string(trace::to_string(k.kind)) == k.kind);
        CHECK(k.family != trace::Family::None);
        CHECK(!k.label.empty());
        CHECK(!k.meaning.empty());
        // A span role names its span; a mark does not.
        bool spans = k.timeline == trace::TimelineRole::Begins || k.timeline == trace::TimelineRole::Ends;
        CHECK(spans == (k.span != trace::Span::None));
        // An argument is named and explained, and a0 and a1 differ.
        for (const trace::ArgInfo* a : {&k.a0, &k.a1}) {
            if (a->used()) CHECK(!a->meaning.empty());
        }
        if (k.a0.used() && k.a1.used()) CHECK(k.a0.name != k.a1.name);
    }
    CHECK(trace::event_kind_from_string("NoSuchKind") == EventKind::None);
    CHECK(trace::to_string(static_cast<EventKind>(9999)) == "?");
    CHECK(trace::info(static_cast<EventKind>(9999)).kind == EventKind::None);
}

TEST_CASE("the kinds keep the numbers recordings on disk were written with", "[trace]") {
    CHECK(static_cast<int>(EventKind::ArbiterStart) == 1);
    CHECK(static_cast<int>(EventKind::WorkerBoot) == 12);
    CHECK(static_cast<int>(EventKind::Close) == 30);
    CHECK(static_cast<int>(EventKind::GreenSpawn) == 43);
    CHECK(static_cast<int>(EventKind::LoopPhase) == 51);
    CHECK(static_cast<int>(EventKind::RequestTagged) == 66);
    CHECK(static_cast<int>(EventKind::RingDrops) == 69);
    CHECK(static_cast<int>(EventKind::GateOpen) == 71);
    CHECK(static_cast<int>(EventKind::PollReady) == 72);
    CHECK(trace::kEventKindCount == 73);
}

TEST_CASE("the decision points a learner steps through are the schema's gated kinds", "[trace]") {
    std::set<EventKind> gated;
    for (const trace::KindInfo& k : trace::kinds()) {
        CHECK(trace::is_gated(k.kind) == (k.gate == trace::Gate::Gated));
        if (trace::is_gated(k.kind)) gated.insert(k.kind);
    }
    CHECK(gated == std::set<EventKind>{EventKind::AcceptAttempt, EventKind::Close, EventKind::GreenSwitch,
                                       EventKind::HandlerStart, EventKind::KeepAlivePark, EventKind::PollWait,
                                       EventKind::PoolSubmit, EventKind::ReadStart, EventKind::SelectWait,
                                       EventKind::WriteStart,
                                       // the client, so a paused client is frozen too
                                       EventKind::ClientConnectStart, EventKind::ClientSendStart,
                                       EventKind::ClientFirstByte, EventKind::ClientError});
}

TEST_CASE("a typed emitter writes each named field into its slot, and decode reads it back", "[trace]") {
    std::string error;
    trace::Region region = trace::Region::create(&error, 4, 1u << 10);
    REQUIRE(region.valid());
    trace::attach(&region, 1);
    trace::ev::PollRegister{.conn = 11, .green = 3, .fd = 7, .events = 4}.emit();
    trace::ev::HandlerEnd{.conn = 12, .req = 13, .status = 500, .raised = true}.emit();
    trace::ev::WorkerBoot{.age = 2, .model = trace::ModelId::Tornado}.emit();
    trace::ev::ClientError{.conn = 14, .req = 15, .kind = trace::ClientErrorKind::Reset, .error = 104}.emit();
    trace::ev::WorkerBooted{}.emit();
    trace::attach(nullptr, 0);
    trace::ev::WorkerBooted{}.emit();  // detached: nothing
    trace::Recording rec;
    trace::Collector(region, 0ms).flush(rec);

    std::vector<trace::Event> mine;
    for (const trace::Event& e : rec.events()) {
        if (e.pid == ::getpid() && e.kind != EventKind::Counter) mine.push_back(e);
    }
    REQUIRE(mine.size() == 5);
    auto slots = [](const trace::Event& e) {
        return std::vector<std::int64_t>{static_cast<std::int64_t>(e.conn), static_cast<std::int64_t>(e.req),
                                         e.green, e.a0, e.a1};
    };
    CHECK(mine[0].kind == EventKind::PollRegister);
    CHECK(slots(mine[0]) == std::vector<std::int64_t>{11, 0, 3, 7, 4});
    CHECK(slots(mine[1]) == std::vector<std::int64_t>{12, 13, 0, 500, 1});
    CHECK(slots(mine[2]) == std::vector<std::int64_t>{0, 0, 0, 2, static_cast<std::int64_t>(trace::ModelId::Tornado)});
    CHECK(slots(mine[3]) == std::vector<std::int64_t>{14, 15, 0, 6, 104});
    CHECK(mine[4].kind == EventKind::WorkerBooted);

    auto reg = trace::ev::PollRegister::decode(mine[0]);
    CHECK(reg.conn == 11);
    CHECK(reg.green == 3);
    CHECK(reg.fd == 7);
    CHECK(reg.events == 4);
    auto end = trace::ev::HandlerEnd::decode(mine[1]);
    CHECK(end.status == 500);
    CHECK(end.raised == 1);
    CHECK(trace::ev::WorkerBoot::decode(mine[2]).model.as<trace::ModelId>() == trace::ModelId::Tornado);
}

TEST_CASE("a kind without a GREEN column carries the greenlet running on the thread; one with it, its own",
          "[trace][green]") {
    std::string error;
    trace::Region region = trace::Region::create(&error, 4, 1u << 10);
    REQUIRE(region.valid());
    trace::attach(&region, 1);
    trace::set_running_green(5);
    trace::ev::ReadStart{.conn = 21}.emit();                          // the running greenlet: 5
    trace::ev::PollRegister{.conn = 21, .green = 3, .fd = 7}.emit();  // its own column: 3
    trace::ev::PollRegister{.conn = 21, .fd = 7}.emit();              // its own column, left 0: 0
    trace::ev::ReadDone{.conn = 21}.emit_for(trace::now_ns(), 1);     // on behalf of another thread: 0
    trace::set_running_green(0);
    trace::ev::ReadStart{.conn = 22}.emit();  // off a greenlet: 0
    trace::attach(nullptr, 0);
    trace::Recording rec;
    trace::Collector(region, 0ms).flush(rec);
    std::vector<std::uint32_t> greens;
    for (const trace::Event& e : rec.events()) {
        if (e.pid == ::getpid() && e.kind != EventKind::Counter) greens.push_back(e.green);
    }
    CHECK(greens == std::vector<std::uint32_t>{5, 3, 0, 0, 0});
}

namespace {

std::filesystem::path docs_path() {
    // MINICORN_HTTP_CORPUS is <source>/tests/http/corpus.
    return std::filesystem::path(MINICORN_HTTP_CORPUS).parent_path().parent_path().parent_path() / "docs" /
           "trace.md";
}

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The first line where a and b differ, for the failure message.
std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream sa(a), sb(b);
    std::string la, lb;
    for (int line = 1;; ++line) {
        bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
        if (!ga && !gb) return "";
        if (la != lb || ga != gb) return "line " + std::to_string(line) + ":\n  doc:    " + la + "\n  schema: " + lb;
    }
}

}  // namespace

// To bring the doc up to date after changing schema.h:
//   MINICORN_WRITE_DOCS=1 build/bin/minicorn_tests "docs/trace.md lists every kind as the schema says"
TEST_CASE("docs/trace.md lists every kind as the schema says", "[trace]") {
    const std::filesystem::path path = docs_path();
    std::string doc = read_all(path);
    REQUIRE(!doc.empty());
    auto begin = doc.find(trace::kDocsBegin);
    auto end = doc.find(trace::kDocsEnd);
    REQUIRE(begin != std::string::npos);
    REQUIRE(end != std::string::npos);
    end = doc.find('\n', end) + 1;
    const std::string in_doc = doc.substr(begin, end - begin);
    const std::string expected = trace::kinds_markdown();
    if (in_doc != expected && std::getenv("MINICORN_WRITE_DOCS")) {
        std::ofstream(path) << doc.substr(0, begin) << expected << doc.substr(end);
        SUCCEED("rewrote " + path.string());
        return;
    }
    INFO("docs/trace.md differs from engine/trace/schema.h at " << first_difference(in_doc, expected)
                                                               << "\n(MINICORN_WRITE_DOCS=1 rewrites the doc)");
    CHECK(in_doc == expected);
    // Every kind is in the doc, by name.
    for (std::size_t i = 1; i < trace::kEventKindCount; ++i) {
        CHECK(in_doc.find("`" + std::string(trace::kinds()[i].name) + "`") != std::string::npos);
    }
}

TEST_CASE("producers emit by name: no call passes an event's fields by position", "[trace]") {
    namespace fs = std::filesystem;
    const fs::path source = docs_path().parent_path().parent_path();
    const std::regex positional(R"(emit(_event)?\(\s*(trace::)?EventKind::)");
    std::vector<std::string> offenders;
    for (const char* dir : {"engine", "models", "app"}) {
        for (const auto& entry : fs::recursive_directory_iterator(source / dir)) {
            const fs::path& p = entry.path();
            if (!entry.is_regular_file() || (p.extension() != ".cpp" && p.extension() != ".h")) continue;
            if (p.parent_path().filename() == "trace" && p.parent_path().parent_path().filename() == "engine") continue;
            std::string text = read_all(p);
            if (std::regex_search(text, positional)) offenders.push_back(fs::relative(p, source).string());
        }
    }
    INFO("use the typed emitters of engine/trace/ev.h: trace::ev::Kind{.name = value}.emit()");
    CHECK(offenders == std::vector<std::string>{});
}
