// engine/compare/idle_conns.h — thousands of idle keep-alive connections, as
// browsers and proxies leave them: each sends one request (GET /), reads the
// response and then sits silent, connection open. At the end: how many the
// server still holds, and how many it closed.
//
// Thread affinity: one owner thread; open() blocks until every connection is
// answered or `setup` runs out.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace minicorn::compare {

struct IdleCount {
    int wanted = 0;
    int answered = 0;  // got their response during setup
    int held = 0;      // answered, and still open at the end
    int waiting = 0;   // open but never answered (still in the accept queue, or a worker's queue)
    int closed = 0;    // closed or reset by the server (or never connected)
};

class IdleConnections {
public:
    IdleConnections() = default;
    ~IdleConnections();
    IdleConnections(const IdleConnections&) = delete;
    IdleConnections& operator=(const IdleConnections&) = delete;

    // Opens `n` connections to 127.0.0.1:port, one request each.
    void open(int port, int n, std::chrono::milliseconds setup);
    // Counts the connections the server still holds; closes them all.
    IdleCount finish();

private:
    struct Conn {
        int fd = -1;
        std::size_t got = 0;   // response bytes read
        bool answered = false;
    };
    std::vector<Conn> conns_;
    int answered_ = 0;
};

}  // namespace minicorn::compare
