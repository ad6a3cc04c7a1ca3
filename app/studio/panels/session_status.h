// app/studio/panels/session_status.h — what the Controls, Traffic and status
// bar panels show about the child processes (copied from the Session each
// frame, so panels never touch the Session itself).
//
// Plain data; the main thread.
#pragma once

#include <sys/types.h>

#include <string>

namespace minicorn::studio {

struct SessionStatus {
    enum class Engine { Starting, Running, Exited, Synthetic, Replay };
    Engine engine = Engine::Starting;
    pid_t serve_pid = 0;
    int port = 0;
    std::string serve_command;
    std::string serve_exit;    // "exit 1", "killed by SIGKILL" when Exited
    std::string serve_last_line;  // its last log line (why it exited, often)
    std::string replay_name;   // Replay: the recording's file name

    enum class Client { Off, Running, Exited };
    Client client = Client::Off;
    std::string client_command;
    std::string client_exit;
    std::size_t backlog = 0;   // events collected, not yet folded (the studio is behind)
    bool gate_closed = false;
    double play_rate = 0;      // gate tokens a second while playing slowly; 0: full speed
    bool lesson_running = false;  // a lesson sends its own requests (A, B, …)
};

}  // namespace minicorn::studio
