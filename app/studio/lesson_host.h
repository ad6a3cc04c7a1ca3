// app/studio/lesson_host.h — the lesson Host (engine/lesson/host.h) over the
// studio's own Session, so a lesson's Runner drives the engine the learner
// is looking at: the same serve and load children, the same gate, the same
// collector. The runner keeps its own Recording; update() hands it the events
// the studio's collector already brought into the studio's Recording (no
// second collector), and log() the serve log lines the Session keeps.
//
// Restarting is the studio's business (its Controls, its Recording, its
// gate driver), so restart() calls back into the studio; so does the client
// (the Traffic panel shows the lesson's client settings).
//
// Thread affinity: the studio's main thread (the runner ticks once a frame).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/studio/session.h"
#include "engine/lesson/host.h"

namespace minicorn::studio {

class StudioHost final : public lesson::Host {
public:
    using RestartFn = std::function<bool(const std::vector<std::string>& serve_args, std::string* error)>;
    // The client the lesson started (its flags), or stopped (nullptr): the Traffic panel shows it.
    using LoadFn = std::function<void(const std::vector<std::string>* load_args)>;
    struct Hooks {
        RestartFn restart;
        LoadFn load;
    };
    // `studio_rec`: the studio's Recording, which the Session fills each frame.
    StudioHost(Session& session, const trace::Recording& studio_rec, Hooks hooks);

    // The studio replaced its Recording (a restart): forward from its start.
    void rebind(const trace::Recording& studio_rec);

    int port() const override { return session_.port(); }
    void update(trace::Recording& rec) override;
    std::string log() const override { return log_; }
    trace::GateControl* gate() override { return session_.gate(); }
    bool signal_arbiter(int signo) override { return session_.signal_arbiter(signo); }
    bool signal_worker(pid_t pid, int signo) override { return session_.signal_worker(pid, signo); }
    bool start_load(const std::vector<std::string>& args, std::string* error) override;
    void stop_load() override;
    bool restart(const std::vector<std::string>& serve_args, std::string* error) override;

private:
    Session& session_;
    const trace::Recording* source_;
    std::size_t forwarded_ = 0;       // events of *source_ already handed on
    Hooks hooks_;
    std::string log_;                 // the serve log since the last restart
    std::uint64_t log_seq_ = 0;
};

}  // namespace minicorn::studio
