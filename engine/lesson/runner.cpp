// engine/lesson/runner.cpp — a step's phases (runner.h): boot, actions, the
// frozen instant of pause_when, the wait, and the judgement at its end.
#include "engine/lesson/runner.h"

#include <fmt/format.h>
#include <signal.h>

#include "engine/trace/ev.h"
#include "engine/trace/region.h"

namespace minicorn::lesson {

namespace {
using Clock = std::chrono::steady_clock;
constexpr double kBootLimitS = 15;
// After the gate closes, events already on their way still arrive: the
// frozen instant is judged once they are in.
constexpr double kSettleS = 0.15;
// Judge "now" a little behind the clock: events younger than the collector's
// holdback are not in the Recording yet.
constexpr std::uint64_t kJudgeLagNs = 50'000'000;
// How long the end of a step waits for a measure that is not known yet.
constexpr double kJudgeGraceS = 1.0;
// The collector commits events 20 ms after they happen; the runner drains
// every 10 ms: 0.1 s covers both.
constexpr double kTraceCatchUpS = 0.1;

std::int64_t booted_workers(const trace::World& w) {
    std::int64_t n = 0;
    for (const trace::Process* p : w.workers()) {
        if (p->booted_ns != 0 && p->state != trace::ProcessState::TimedOut) ++n;
    }
    return n;
}
}  // namespace

std::string_view to_string(StepPhase p) {
    switch (p) {
        case StepPhase::Booting: return "booting";
        case StepPhase::Acting: return "acting";
        case StepPhase::Pausing: return "pausing";
        case StepPhase::Paused: return "paused";
        case StepPhase::Waiting: return "waiting";
        case StepPhase::Judging: return "judging";
        case StepPhase::Done: return "done";
        case StepPhase::Failed: return "failed";
    }
    return "?";
}

std::string choice_letter(int i) { return i < 0 ? "none" : std::string(1, static_cast<char>('a' + i)); }

Runner::Runner(const Lesson& lesson, Host& host) : lesson_(lesson), host_(host), model_(rec_) {
    phase_start_ = Clock::now();
}

Runner::~Runner() { sender_.stop(); }

void Runner::enter(StepPhase p) {
    phase_ = p;
    phase_start_ = Clock::now();
    nearest_terms_ = 0;
    nearest_figure_.clear();
}

double Runner::seconds_in_phase() const {
    return std::chrono::duration<double>(Clock::now() - phase_start_).count();
}

void Runner::claim(std::string kind, std::string text, bool held, std::string figure, const Where& where) {
    claims_.push_back(Claim{std::move(kind), std::move(text), held, std::move(figure), where});
    if (!held) enter(StepPhase::Failed);
}

const Claim* Runner::failure() const {
    for (const Claim& c : claims_) {
        if (!c.held) return &c;
    }
    return nullptr;
}

void Runner::start_step(std::size_t i) {
    step_ = i;
    next_action_ = 0;
    ask_.reset();
    gate_closing_ = false;
    // A first step that acts waits for the workers to boot, so that no request
    // is timed against a boot (a step that only watches — a boot that never
    // ends, lesson 18 — starts at once).
    const bool acts = !lesson_.steps[i].actions.empty();
    enter(i == 0 && acts && booted_workers(model_.latest()) == 0 ? StepPhase::Booting : StepPhase::Acting);
}

void Runner::refresh() {
    host_.update(rec_);
    model_.update();
    for (; scanned_ < rec_.size(); ++scanned_) {
        const trace::Event& e = rec_[scanned_];
        if (e.kind != trace::EventKind::RequestTagged) continue;
        auto tag = trace::ev::RequestTagged::decode(e);
        server_[static_cast<std::uint64_t>(tag.client_req.v)] = ServerSide{e.conn, e.req, e.pid};
    }
    records_ = sender_.records();
    log_ = host_.log();
}

Context Runner::context() const {
    return Context{model_.latest(), rec_, records_, server_, log_, trace::now_ns() - kJudgeLagNs};
}

// Performs one action; false while it holds the step (a sleep not over).
bool Runner::perform(const Action& a) {
    trace::GateControl* gate = host_.gate();
    auto worker_pid = [&](std::int64_t n) -> pid_t {
        for (const trace::Process* p : model_.latest().workers()) {
            if (p->worker_age == n) return p->pid;
        }
        return 0;
    };
    switch (a.kind) {
        case Action::Kind::Send: sender_.send(a.name, a.method, a.target, host_.port()); break;
        case Action::Kind::Sleep:
            if (sleep_until_ == Clock::time_point{}) {
                sleep_until_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(a.seconds));
            }
            if (Clock::now() < sleep_until_) return false;
            sleep_until_ = {};
            break;
        case Action::Kind::Signal:
            if (!host_.signal_arbiter(a.signo)) claim("action", a.text, false, "the master is not running", a.where);
            break;
        case Action::Kind::KillWorker:
        case Action::Kind::StopWorker:
        case Action::Kind::ContWorker: {
            const int signo = a.kind == Action::Kind::KillWorker   ? SIGKILL
                              : a.kind == Action::Kind::StopWorker ? SIGSTOP
                                                                   : SIGCONT;
            pid_t pid = worker_pid(a.n);
            if (pid == 0 || !host_.signal_worker(pid, signo)) {
                claim("action", a.text, false, fmt::format("worker {} is not alive", a.n), a.where);
            }
            break;
        }
        case Action::Kind::LoadStart: {
            std::string error;
            if (!host_.start_load(a.load_args, &error)) claim("action", a.text, false, error, a.where);
            break;
        }
        case Action::Kind::LoadStop: host_.stop_load(); break;
        case Action::Kind::Pause:
            if (gate) {
                gate->set_gated_mode(true);
                gate->close();
            }
            break;
        case Action::Kind::Step:
            if (gate) gate->step(a.n);
            break;
        case Action::Kind::Restart: return restart(a);
        case Action::Kind::Play:
            if (gate) {
                gate->open();
                gate->set_gated_mode(false);
            }
            break;
    }
    return true;
}

// Restarts the engine once, then holds the step until the new workers booted.
bool Runner::restart(const Action& a) {
    if (!restarting_) {
        std::string error;
        sender_.stop();  // the old engine's connections end with it
        if (!host_.restart(a.load_args, &error)) {
            claim("action", a.text, false, error, a.where);
            return true;
        }
        rec_ = trace::Recording{};
        model_.update();  // a recording that shrank: the model starts over
        server_.clear();
        scanned_ = 0;
        restarting_ = true;
        sleep_until_ = Clock::now() + std::chrono::seconds(static_cast<int>(kBootLimitS));
        return false;
    }
    const std::int64_t wanted = model_.latest().arbiter.workers_wanted;
    if (wanted > 0 && booted_workers(model_.latest()) >= wanted) {
        restarting_ = false;
        sleep_until_ = {};
        return true;
    }
    if (Clock::now() > sleep_until_) {
        restarting_ = false;
        sleep_until_ = {};
        claim("action", a.text, false, "the new engine's workers did not boot", a.where);
        return true;
    }
    return false;
}

void Runner::act() {
    const Step& s = lesson_.steps[step_];
    while (next_action_ < s.actions.size() && phase_ == StepPhase::Acting) {
        if (!perform(s.actions[next_action_])) return;
        ++next_action_;
    }
    if (phase_ != StepPhase::Acting) return;
    if (s.has_pause) enter(StepPhase::Pausing);
    else if (s.has_wait) enter(StepPhase::Waiting);
    else enter(StepPhase::Judging);
}

bool Runner::all_known() const {
    const Step& s = lesson_.steps[step_];
    const Context ctx = context();
    if (s.ask.present() && !evaluate(s.ask.measure, ctx).known) return false;
    for (const Condition& c : s.expects) {
        if (!evaluate(c, ctx).known) return false;
    }
    return true;
}

void Runner::judge_end() {
    const Step& s = lesson_.steps[step_];
    const Context ctx = context();
    if (s.ask.present()) {
        AskResult r;
        r.expected = s.ask.expected;
        r.figure = evaluate(s.ask.measure, ctx).figure;
        int holding = 0;
        for (std::size_t i = 0; i < s.ask.choices.size(); ++i) {
            Verdict v = evaluate(s.ask.choices[i].when, ctx);
            if (v.known && v.holds) {
                ++holding;
                r.measured = static_cast<int>(i);
            }
        }
        if (holding != 1) r.measured = -1;
        ask_ = r;
        std::string figure = fmt::format("{}: measured {}, expected {}", r.figure, choice_letter(r.measured),
                                         choice_letter(r.expected));
        if (holding > 1) figure += " (more than one choice matched)";
        claim("ask", s.ask.question, r.measured == r.expected, figure, s.ask.where);
    }
    for (const Condition& c : s.expects) {
        if (phase_ == StepPhase::Failed) return;
        Verdict v = evaluate(c, ctx);
        claim("expect", c.text, v.holds, v.figure, c.where);
    }
    if (phase_ != StepPhase::Failed) enter(StepPhase::Done);
}

// A condition that never held is reported with its figures at the end and
// at the moment it came nearest (the most of its terms holding at once).
void Runner::note_nearest(const Condition& cond, const Context& ctx, const Verdict& v) {
    int n = 0;
    for (const Term& t : cond.all) {
        Verdict tv = evaluate(t, ctx);
        n += tv.known && tv.holds ? 1 : 0;
    }
    if (n > nearest_terms_) {
        nearest_terms_ = n;
        nearest_figure_ = fmt::format("{} (after {:.1f} s)", v.figure, seconds_in_phase());
    }
}

std::string Runner::not_within(const TimedCondition& tc, const Verdict& v) const {
    std::string s = fmt::format("did not hold within {} s: at the end {}", tc.limit_s, v.figure);
    if (nearest_terms_ > 0) s += fmt::format("; nearest: {}", nearest_figure_);
    return s;
}

// pause_when: close the gate the moment the condition holds, judge it again
// once the events still on their way are in, then stay Paused.
void Runner::pausing(const TimedCondition& tc, const Context& ctx) {
    Verdict v = evaluate(tc.cond, ctx);
    trace::GateControl* gate = host_.gate();
    if (!gate_closing_) note_nearest(tc.cond, ctx, v);
    if (!gate_closing_ && v.holds && gate) {
        gate->set_gated_mode(true);
        gate->close();
        gate_closing_ = true;
        paused_at_ = Clock::now();
    } else if (gate_closing_ && std::chrono::duration<double>(Clock::now() - paused_at_).count() >= kSettleS) {
        claim("pause_when", tc.cond.text, v.holds, v.figure, tc.cond.where);
        if (phase_ != StepPhase::Failed) enter(StepPhase::Paused);
    } else if (!gate_closing_ && seconds_in_phase() > tc.limit_s) {
        claim("pause_when", tc.cond.text, false, not_within(tc, v), tc.cond.where);
    }
}

StepPhase Runner::tick() {
    refresh();
    const Step& s = lesson_.steps[step_];
    const Context ctx = context();
    switch (phase_) {
        case StepPhase::Booting: {
            const std::int64_t wanted = model_.latest().arbiter.workers_wanted;
            const std::int64_t booted = booted_workers(model_.latest());
            if (wanted > 0 && booted >= wanted) enter(StepPhase::Acting);
            else if (seconds_in_phase() > kBootLimitS)
                claim("boot", "the workers boot", false, fmt::format("{} of {} booted in {} s", booted, wanted, kBootLimitS),
                      s.where);
            break;
        }
        case StepPhase::Acting: act(); break;
        case StepPhase::Pausing: pausing(s.pause_when, ctx); break;
        case StepPhase::Paused: break;
        case StepPhase::Waiting: {
            Verdict v = evaluate(s.wait.cond, ctx);
            note_nearest(s.wait.cond, ctx, v);
            if (v.holds) {
                claims_.push_back(Claim{"wait", s.wait.cond.text, true, v.figure, s.wait.cond.where});
                enter(StepPhase::Judging);
            } else if (seconds_in_phase() > s.wait.limit_s) {
                claim("wait", s.wait.cond.text, false, not_within(s.wait, v), s.wait.cond.where);
            }
            break;
        }
        case StepPhase::Judging:
            // What the client saw may be ahead of the trace by the collector's
            // holdback: a measure not known yet gets a moment to become known.
            // The trace also lags by that much behind what the client saw: a
            // count that is known may not be complete yet, so judge no sooner.
            if (seconds_in_phase() >= kTraceCatchUpS && (all_known() || seconds_in_phase() > kJudgeGraceS)) judge_end();
            break;
        case StepPhase::Done:
        case StepPhase::Failed: break;
    }
    return phase_;
}

void Runner::resume() {
    if (phase_ != StepPhase::Paused) return;
    if (trace::GateControl* gate = host_.gate()) {
        gate->open();
        gate->set_gated_mode(false);
    }
    gate_closing_ = false;
    const Step& s = lesson_.steps[step_];
    enter(s.has_wait ? StepPhase::Waiting : StepPhase::Judging);
}

}  // namespace minicorn::lesson
