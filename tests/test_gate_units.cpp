// Unit tests of the gate's bookkeeping: GateWatcher turns the region's pause
// fields into GateClose / GateOpen events, and the World's GateClock leaves
// the closed spans out of durations (engine time).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/trace/ev.h"
#include "engine/trace/gate.h"
#include "engine/trace/model.h"
#include "engine/trace/region.h"

using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::GateClock;
using minicorn::trace::GateControl;
using minicorn::trace::GateWatcher;
using minicorn::trace::Region;

TEST_CASE("the gate's closings and openings become GateClose / GateOpen at the times they happened", "[trace][gate]") {
    std::string error;
    Region region = Region::create(&error, 4, 64);
    REQUIRE(region.valid());
    GateControl gate(region);
    GateWatcher watcher(region);
    std::vector<Event> out;
    watcher.poll(out);
    CHECK(out.empty());

    SECTION("a pause seen while closed, then its opening") {
        gate.close();
        watcher.poll(out);
        REQUIRE(out.size() == 1);
        CHECK(out[0].kind == EventKind::GateClose);
        ::usleep(20'000);
        gate.open();
        watcher.poll(out);
        REQUIRE(out.size() == 2);
        CHECK(out[1].kind == EventKind::GateOpen);
        CHECK(out[1].t_ns - out[0].t_ns >= 20'000'000);
        CHECK(out[1].a0 == static_cast<std::int64_t>(out[1].t_ns - out[0].t_ns));  // paused in total
    }
    SECTION("a whole pause between two polls is still reported, its length exact") {
        gate.close();
        ::usleep(10'000);
        gate.open();
        watcher.poll(out);
        REQUIRE(out.size() == 2);
        CHECK(out[0].kind == EventKind::GateClose);
        CHECK(out[1].kind == EventKind::GateOpen);
        CHECK(out[1].t_ns - out[0].t_ns == static_cast<std::uint64_t>(out[1].a0));
        CHECK(out[1].a0 >= 10'000'000);
    }
}

TEST_CASE("durations leave out the spans the gate was closed", "[trace][gate]") {
    const std::vector<Event> evs = {
        minicorn::trace::ev::GateClose{}.event(1'000, 0, 0),
        minicorn::trace::ev::GateOpen{}.event(5'000, 0, 0),
        minicorn::trace::ev::GateClose{}.event(9'000, 0, 0),  // still closed at the end
    };
    const minicorn::trace::World w = minicorn::trace::TraceModel::fold(evs);
    const GateClock& g = w.gate;
    REQUIRE(g.spans.size() == 2);
    CHECK(g.closed());
    CHECK(g.engine_span(0, 1'000) == 1'000);      // before the pause
    CHECK(g.engine_span(0, 6'000) == 2'000);      // 4'000 of 6'000 were paused
    CHECK(g.engine_span(2'000, 4'000) == 0);      // inside the pause
    CHECK(g.engine_span(6'000, 20'000) == 3'000); // closed again from 9'000 on
    CHECK(g.engine_span(7'000, 3'000) == 0);
}
