// tests/support/leak_check.h — what every [process] scenario ends with: no
// child process and no descriptor left behind; and a GET that asks the
// server to close, for workers that keep connections alive.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "tests/support/server_process.h"

namespace minicorn::testing {

// Construct at the start of a scenario; destroy (end of scope) after the
// server is gone. Checks that no child and no fd outlived it.
class LeakCheck {
public:
    LeakCheck() : fds_(open_fd_count()) {}
    ~LeakCheck() noexcept(false) {
        reap_children();
        CHECK(live_children() == 0);
        CHECK(open_fd_count() == fds_);
    }
    LeakCheck(const LeakCheck&) = delete;
    LeakCheck& operator=(const LeakCheck&) = delete;

private:
    std::size_t fds_;
};

// GET with "Connection: close": the reply ends when the response does.
inline HttpReply get_close(int port, std::string_view path, Seconds timeout = 15s) {
    return send_raw(port, "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", timeout);
}

}  // namespace minicorn::testing
