// engine/lesson/highlights.cpp — the highlight names (highlights.h) and the
// check of a name against them.
#include "engine/lesson/highlights.h"

#include <algorithm>
#include <cctype>

namespace minicorn::lesson {

const std::vector<HighlightKind>& highlight_kinds() {
    static const std::vector<HighlightKind> kinds = {
        {"topology", "the Topology panel: clients, the listen socket, the master and its workers"},
        {"timeline", "the Timeline panel: a lane per process, thread and greenlet"},
        {"event log", "the Event log panel: every event, newest last"},
        {"controls", "the Controls panel: worker class, settings, signals"},
        {"traffic", "the Traffic panel: the client's settings, rates and latencies"},
        {"lesson", "the Lesson panel itself"},
        {"gate", "the Pause / Step / Play buttons"},
        {"listen socket", "the listening socket all workers share"},
        {"accept queue", "the kernel's queue of connections no worker has accepted yet"},
        {"arbiter", "the master process (gunicorn's Arbiter)"},
        {"worker N", "worker N, as a whole"},
        {"worker N heartbeat", "worker N's heartbeat age"},
        {"worker N threads", "worker N's OS threads"},
        {"worker N executor queue", "worker N's thread-pool queue (gthread)"},
        {"worker N hub", "worker N's hub (gevent, eventlet)"},
        {"worker N poll list", "the fds worker N's poller waits on"},
        {"worker N greenlets", "worker N's greenlets"},
        {"worker N loop phases", "worker N's event-loop phase strip (tornado, asyncio)"},
        {"worker N gil", "worker N's simulated GIL"},
        {"worker N lane", "worker N's lane in the Timeline"},
        {"request R", "request R's token (where it is now)"},
        {"request R greenlet", "the greenlet that serves request R"},
        {"request R lane", "request R's lane in the Timeline"},
    };
    return kinds;
}

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Word-by-word match; N must be a number, R a sent request's name.
bool matches(std::string_view pattern, std::string_view name, const std::vector<std::string>& requests,
             bool* unknown_request) {
    while (!pattern.empty() || !name.empty()) {
        if (pattern.empty() || name.empty()) return false;
        auto p_end = pattern.find(' ');
        auto n_end = name.find(' ');
        std::string_view p = pattern.substr(0, p_end);
        std::string_view n = name.substr(0, n_end);
        if (p == "N") {
            if (!all_digits(n)) return false;
        } else if (p == "R") {
            if (std::find(requests.begin(), requests.end(), n) == requests.end()) {
                *unknown_request = true;
                return false;
            }
        } else if (p != n) {
            return false;
        }
        pattern = p_end == std::string_view::npos ? std::string_view{} : pattern.substr(p_end + 1);
        name = n_end == std::string_view::npos ? std::string_view{} : name.substr(n_end + 1);
    }
    return true;
}

}  // namespace

bool valid_highlight(std::string_view name, const std::vector<std::string>& requests, std::string* error) {
    bool unknown_request = false;
    for (const HighlightKind& k : highlight_kinds()) {
        if (matches(k.pattern, name, requests, &unknown_request)) return true;
    }
    if (unknown_request) {
        *error = "unknown highlight target '" + std::string(name) +
                 "': the request it names has not been sent by an earlier `do:` line";
        return false;
    }
    *error = "unknown highlight target '" + std::string(name) +
             "'; expected one of: topology, timeline, accept queue, arbiter, worker N, worker N hub, "
             "worker N poll list, worker N executor queue, request R, … (docs/lessons.md lists them all)";
    return false;
}

}  // namespace minicorn::lesson
