// app/studio/gate_driver.cpp — Pause / Step / Play / target on the gate, and
// the note that says who took the last step (see gate_driver.h).
#include "app/studio/gate_driver.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/studio/draw/explain.h"

namespace minicorn::studio {

namespace {
// A granted step nobody took for this long: say whose decision point it waits for.
constexpr double kStepUntakenS = 0.4;
}  // namespace

void GateDriver::reset() {
    paused_ = false;
    slow_playing_ = false;
    token_credit_ = 0;
    target_ = {};
    note_.clear();
}

void GateDriver::follow(const trace::GateControl* gate) {
    if (!gate || slow_playing_ || gate->closed() == paused_) return;
    paused_ = gate->closed();
}

void GateDriver::close(trace::GateControl& gate) {
    gate.set_gated_mode(true);
    gate.close();
    paused_ = true;
}

void GateDriver::play(trace::GateControl& gate, double rate) {
    rate_ = rate;
    if (rate > 0) {
        close(gate);
        slow_playing_ = true;
        token_credit_ = 0;
    } else {
        gate.open();
        gate.set_gated_mode(false);
        paused_ = false;
        slow_playing_ = false;
    }
}

void GateDriver::act(trace::GateControl* gate, const Action& a, double rate) {
    if (!gate) return;
    switch (a.kind) {
        case Action::Kind::GatePause:
            close(*gate);
            slow_playing_ = false;
            break;
        case Action::Kind::GateStep:
            if (!paused_) close(*gate);
            slow_playing_ = false;
            // A step nobody has taken yet is not doubled: pressing Step again must
            // not let the target run two decision points at once later.
            if (gate->tokens_left() <= 0) {
                gate->step(1);
                step_asked_s_ = last_pump_s_;
            }
            break;
        case Action::Kind::GatePlay: play(*gate, rate); break;
        case Action::Kind::GateTarget:
            target_ = trace::GateTarget{a.pid, a.tid, a.conn};
            gate->set_target(target_);
            break;
        default: break;
    }
}

void GateDriver::pump(trace::GateControl* gate, double rate, const trace::World& world, double now_s) {
    const double dt = last_pump_s_ > 0 ? std::min(0.25, now_s - last_pump_s_) : 0.0;
    last_pump_s_ = now_s;
    if (!gate) return;
    const bool playing = slow_playing_ || !paused_;
    if (playing && rate != rate_) play(*gate, rate);  // a new speed applies while playing, not only at the next Play
    if (slow_playing_ && rate_ > 0) {
        token_credit_ += rate_ * dt;
        auto whole = static_cast<std::int64_t>(token_credit_);
        if (whole > 0) {
            // Tokens nobody takes (everyone blocked) do not pile up into a burst later.
            const auto cap = std::max<std::int64_t>(1, static_cast<std::int64_t>(rate_ / 10));
            const std::int64_t grant = std::min(whole, cap - std::min(cap, gate->tokens_left()));
            if (grant > 0) gate->step(grant);
            token_credit_ -= static_cast<double>(whole);
        }
    }
    refresh_note(*gate, world, now_s);
}

void GateDriver::refresh_note(const trace::GateControl& gate, const trace::World& world, double now_s) {
    note_.clear();
    if (!paused_) return;
    if (gate.tokens_left() > 0 && !slow_playing_ && now_s - step_asked_s_ > kStepUntakenS) {
        note_ = target_.anyone()
                    ? std::string("the step waits: no thread is at a decision point yet (each is busy or blocked)")
                    : fmt::format("the step waits for {}: its next decision point has not come; the others stay frozen",
                                  describe_target(world, target_));
        return;
    }
    const trace::GateStepTaken last = gate.last_step();
    if (last.pid == 0) return;
    std::string who = gate_party(world, last.pid);
    if (target_.anyone()) {
        note_ = fmt::format("last step: {} ({}) \u00B7 steps go to whoever is first", who, trace::to_string(last.kind));
    } else {
        note_ = fmt::format("last step: {} ({}) \u00B7 steps go to {} only", who, trace::to_string(last.kind),
                            describe_target(world, target_));
    }
}

std::string gate_party(const trace::World& world, pid_t pid) {
    if (const trace::Process* p = world.process(pid)) {
        if (p->role == trace::ProcessRole::Client) return "the client";
        if (p->role == trace::ProcessRole::Arbiter) return "the arbiter";
        return p->worker_age ? fmt::format("worker {}", p->worker_age) : fmt::format("worker {}", p->pid);
    }
    return fmt::format("pid {}", pid);
}

std::string describe_target(const trace::World& world, const trace::GateTarget& target) {
    if (target.conn) {
        const trace::Connection* c = world.connection(target.conn);
        return c ? fmt::format("connection :{}", c->peer_port) : std::string("its connection");
    }
    if (target.tid && target.tid != target.pid) return fmt::format("thread {} of {}", target.tid, gate_party(world, target.pid));
    if (target.pid) return gate_party(world, target.pid);
    return "anyone";
}

}  // namespace minicorn::studio
