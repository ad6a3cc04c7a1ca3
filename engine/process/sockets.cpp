// engine/process/sockets.cpp — see sockets.h.
#include "engine/process/sockets.h"

#include <cerrno>

#include "engine/process/log.h"
#include "engine/sys/clock.h"
#include "engine/sys/fd.h"

namespace minicorn::process {

std::vector<net::Listener> create_sockets(const std::vector<net::BindAddress>& addresses,
                                          const net::ListenOptions& options, Logger& log) {
    std::vector<net::Listener> listeners;
    for (const net::BindAddress& addr : addresses) {
        std::optional<net::Listener> listener;
        for (int attempt = 0; attempt < 5; ++attempt) {
            int err = 0;
            listener = net::bind_listener(addr, options, &err);
            if (listener) break;
            if (err == EADDRINUSE) {
                log.error("Connection in use: {}", net::python_repr(addr));
            } else if (err == EADDRNOTAVAIL) {
                log.error("Invalid address: {}", net::python_repr(addr));
            }
            log.debug("connection to {} failed: [Errno {}] {}", net::python_repr(addr), err, sys::errno_text(err));
            // As gunicorn 20.1: it waits after the fifth failure too.
            log.error("Retrying in 1 second.");
            sys::sleep_for_seconds(1.0);
        }
        if (!listener) {
            log.error("Can't connect to {}", net::python_repr(addr));
            return {};
        }
        listeners.push_back(std::move(*listener));
    }
    return listeners;
}

}  // namespace minicorn::process
