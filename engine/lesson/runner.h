// engine/lesson/runner.h — runs a Lesson on a Host, step by step, without
// blocking: the owner calls tick() every few milliseconds (the CLI in a
// loop, the studio once a frame) and reads where the step is.
//
// A step goes: Acting (its `do:` lines in order; `sleep` holds) → Pausing
// (`pause_when`: the moment it holds the gate closes; once the late events
// are in, the condition is judged again on the frozen engine) → Paused (the
// learner looks; resume() opens the gate) → Waiting (`wait`, until it holds
// or its time limit) → Judging (the question's measured answer and every
// `expect`, judged once their measures are known, or after 1 s) → Done. Every judgement becomes a Claim; a claim that did not
// hold fails the lesson, and Failed ends the step at once.
//
// Before the first step the runner waits for the server's workers to boot
// (Booting), so a lesson never times a request against a boot.
//
// Thread affinity: one thread (the owner's); the Host is called from it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/lesson/host.h"
#include "engine/lesson/lesson.h"
#include "engine/lesson/requests.h"
#include "engine/lesson/vocabulary.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"

namespace minicorn::lesson {

// One thing the lesson claimed, and how it came out.
struct Claim {
    std::string kind;     // "wait", "pause_when", "ask", "expect", "boot", "action"
    std::string text;     // the claim as written
    bool held = false;
    std::string figure;   // what was measured: "latency(B) = 2.03 s"
    Where where;
};

// The question's outcome, once its step is done.
struct AskResult {
    int measured = -1;     // the choice the trace picked (-1: none, or several)
    int expected = -1;
    std::string figure;    // the measure's value
};

enum class StepPhase { Booting, Acting, Pausing, Paused, Waiting, Judging, Done, Failed };
std::string_view to_string(StepPhase p);

class Runner {
public:
    Runner(const Lesson& lesson, Host& host);
    ~Runner();

    // Starts step `i` (the previous one must be Done). Step 0 first waits for the boot.
    void start_step(std::size_t i);
    // Advances the current step as far as it can now; returns its phase.
    StepPhase tick();
    // Paused → the gate opens and the step goes on.
    void resume();

    StepPhase phase() const { return phase_; }
    std::size_t step_index() const { return step_; }
    const std::vector<Claim>& claims() const { return claims_; }
    // The current step's question, once the step is Done.
    const std::optional<AskResult>& ask_result() const { return ask_; }
    // The first claim that did not hold, if any.
    const Claim* failure() const;

    // X-Request-Id → name, for the panels' labels.
    std::map<std::uint64_t, std::string> request_names() const { return sender_.names(); }
    // What each named request has seen so far (as of the last tick), by name.
    const std::map<std::string, RequestRecord>& requests() const { return records_; }
    const trace::Recording& recording() const { return rec_; }
    const trace::World& world() const { return model_.latest(); }
    // Cuts the named requests' connections (before the host stops the engine).
    void stop_requests() { sender_.stop(); }

private:
    void refresh();
    Context context() const;
    void act();
    bool perform(const Action& a);
    bool restart(const Action& a);
    bool all_known() const;
    void pausing(const TimedCondition& tc, const Context& ctx);
    void note_nearest(const Condition& cond, const Context& ctx, const Verdict& v);
    std::string not_within(const TimedCondition& tc, const Verdict& v) const;
    void judge_end();
    void claim(std::string kind, std::string text, bool held, std::string figure, const Where& where);
    double seconds_in_phase() const;
    void enter(StepPhase p);

    const Lesson& lesson_;
    Host& host_;
    trace::Recording rec_;
    trace::TraceModel model_;
    RequestSender sender_;
    std::map<std::string, RequestRecord> records_;
    std::map<std::uint64_t, ServerSide> server_;
    std::size_t scanned_ = 0;   // events of rec_ looked at for RequestTagged
    bool restarting_ = false;   // a Restart action waits for the new engine's workers
    std::string log_;

    std::size_t step_ = 0;
    StepPhase phase_ = StepPhase::Booting;
    std::size_t next_action_ = 0;
    std::chrono::steady_clock::time_point phase_start_;
    std::chrono::steady_clock::time_point sleep_until_;
    std::chrono::steady_clock::time_point paused_at_;
    bool gate_closing_ = false;
    int nearest_terms_ = 0;          // the most terms of the current condition seen holding at once
    std::string nearest_figure_;     // … and the figures then
    std::vector<Claim> claims_;
    std::optional<AskResult> ask_;
};

// "a", "b", … for a choice index.
std::string choice_letter(int i);

}  // namespace minicorn::lesson
