// engine/lesson/requests.h — the named requests of a lesson (`A = GET /io?ms=1000`):
// each goes out on its own connection, from its own thread, carrying an
// X-Request-Id the sender picks, and the sender keeps the table
// X-Request-Id → name, so that every figure (and, in the studio, every
// panel) can say "A" instead of an id.
//
// The timings are the sender's own (CLOCK_MONOTONIC, the clock the trace's
// t_ns use), from connect to the last byte of the response.
//
// Thread affinity: send(), records() and names() from any one thread; the
// request threads are private. The destructor cuts every open connection and
// joins its thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/lesson/vocabulary.h"

namespace minicorn::lesson {

class RequestSender {
public:
    RequestSender() = default;
    ~RequestSender();
    RequestSender(const RequestSender&) = delete;
    RequestSender& operator=(const RequestSender&) = delete;

    // Sends `method target` to 127.0.0.1:port as request `name` (Connection:
    // close, so one request per connection). Returns the X-Request-Id it carries.
    std::uint64_t send(const std::string& name, const std::string& method, const std::string& target, int port);

    // What each request has seen so far, by name.
    std::map<std::string, RequestRecord> records() const;
    // X-Request-Id → name: the table a label function takes.
    std::map<std::uint64_t, std::string> names() const;
    // Cuts the open connections and joins their threads; the records stay.
    void stop();

private:
    void run(std::string name, std::string request, int port);
    void update(const std::string& name, const RequestRecord& r);

    mutable std::mutex mu_;
    std::map<std::string, RequestRecord> records_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
};

// A fresh X-Request-Id: this process's pid in the high half (as the trace's
// ids), a process-wide sequence number in the low half, so lessons run side
// by side never share one.
std::uint64_t next_request_id();

}  // namespace minicorn::lesson
