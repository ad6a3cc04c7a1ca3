// tests/support/hub_thread.h — running a hub scenario on a thread of its
// own (a fresh hub: green ids from 1), and small green helpers for it.
#pragma once

#include <chrono>
#include <exception>
#include <string>
#include <thread>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "tests/support/socket_pair.h"

namespace minicorn::testing {

// Runs `scenario(hub)` on a new thread whose hub is fresh; rethrows what
// escaped it. (A REQUIRE that fails inside a greenlet is recorded, then its
// exception ends that greenlet: the hub prints it.)
template <class F>
void on_hub_thread(F&& scenario) {
    std::exception_ptr error;
    std::thread t([&] {
        try {
            hub::Hub::install();
            scenario(hub::Hub::current());
        } catch (...) {
            error = std::current_exception();
        }
    });
    t.join();
    if (error) std::rethrow_exception(error);
}

// Reads exactly n bytes with green_recv ("" on EOF, error or timeout).
inline std::string recv_exact(int fd, std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        hub::IoResult r = hub::green_recv(fd, out.data() + got, n - got);
        if (r.status != hub::IoResult::Ok) return "";
        got += r.bytes;
    }
    return out;
}

// Milliseconds of hub time (engine time) since t0.
inline double ms_since(hub::Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(hub::Clock::now() - t0).count();
}

}  // namespace minicorn::testing
