// engine/wsgi/app.h — the WSGI-like contract between a worker and the application.
//
// A worker parses a request, builds an Environ and calls Application::call()
// on the thread (or greenlet) that handles the connection. The response body is
// produced lazily, chunk by chunk, like a WSGI iterable, so an app can sleep
// between chunks (/stream) and the worker writes each chunk as it comes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/http/request.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi {

struct Environ {
    const http::Request& request;
    std::string remote_addr;   // peer IP, "127.0.0.1"
    std::uint16_t remote_port = 0;
    std::string server_name;   // listener host
    std::uint16_t server_port = 0;
    bool multithread = false;  // wsgi.multithread
    bool multiprocess = false; // wsgi.multiprocess (workers > 1)
    Runtime& runtime;          // sleep / block / cpu for this thread
};

struct Response {
    int status = 200;
    std::string reason = "OK";
    std::vector<http::Header> headers;  // names as the app wrote them ("Content-Type")
    // Next body chunk, or nullopt when the body is complete. Empty by default.
    std::function<std::optional<std::string>()> next_chunk;
};

// Thrown by an application that fails before it returned a response; the worker
// answers 500 with an empty message (gunicorn's handle_error).
class AppError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Application {
public:
    virtual ~Application() = default;
    virtual Response call(const Environ& env) = 0;
};

}  // namespace minicorn::wsgi
