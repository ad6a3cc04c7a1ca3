// tests/test_compare_arrivals.cpp — `minicorn compare --rate R` drives every
// model with the same schedule: the same request ids, the same paths from the
// mix, sent at the same moments (from the run's first request, within 1 ms).
// The client runs in this process (as in compare), so its events are read
// from a trace of this process.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "engine/compare/compare_config.h"
#include "engine/compare/model_run.h"
#include "engine/trace/ev.h"
#include "tests/support/leak_check.h"
#include "tests/support/local_trace.h"

using namespace minicorn;
using namespace minicorn::compare;

namespace {

struct Send {
    std::uint32_t seq;     // the request id's counter half
    std::int64_t mix;      // which path of the mix
    std::int64_t at_us;    // from the run's first send
};

std::vector<Send> sends_of(const trace::Recording& rec) {
    std::vector<Send> out;
    std::uint64_t first = 0;
    for (std::size_t i = 0; i < rec.size(); ++i) {
        const trace::Event& e = rec[i];
        if (e.kind != trace::EventKind::ClientSendStart) continue;
        if (!first) first = e.t_ns;
        out.push_back(Send{static_cast<std::uint32_t>(e.req & 0xffffffffu), e.a1,
                           static_cast<std::int64_t>((e.t_ns - first) / 1000)});
    }
    return out;
}

}  // namespace

TEST_CASE("two models driven by compare --rate get the same requests at the same times", "[process][compare]") {
    testing::LeakCheck leaks;
    CompareConfig cfg;
    REQUIRE(parse_compare_args({"-k", "sync,gevent", "--mix", "/:1,/io?ms=2:1", "--rate", "100", "-d", "1.5", "--seed",
                                "7"},
                               cfg)
                .status == CompareParse::Status::Ok);
    Scenario sc = std::get<Scenario>(resolve_scenario(cfg, ""));
    std::vector<std::vector<Send>> runs;
    for (const std::string& model : cfg.models) {
        RunPlan plan = std::get<RunPlan>(make_plan(cfg, sc, model, MINICORN_BIN));
        testing::LocalTrace trace(1u << 14);
        ModelRun run(plan);
        ModelResult result = run.run();
        REQUIRE(result.outcome == ModelResult::Outcome::Ran);
        runs.push_back(sends_of(trace.collect()));
    }
    const std::vector<Send>& a = runs[0];
    const std::vector<Send>& b = runs[1];
    INFO("sync sent " << a.size() << ", gevent " << b.size());
    REQUIRE(a.size() > 100);  // ~150 arrivals in 1.5 s at 100/s
    REQUIRE(a.size() == b.size());
    std::int64_t worst_us = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("request " << i);
        CHECK(a[i].seq == b[i].seq);
        CHECK(a[i].mix == b[i].mix);
        worst_us = std::max(worst_us, std::abs(a[i].at_us - b[i].at_us));
    }
    CHECK(worst_us < 1000);
}
