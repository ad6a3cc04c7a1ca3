// engine/process/sockets.h — the master's listening sockets, made as
// gunicorn's sock.create_sockets makes them: retries, with its log lines.
//
// The master's thread, before any worker exists (it sleeps between attempts).
#pragma once

#include <vector>

#include "engine/net/listener.h"

namespace minicorn::process {

class Logger;

// For each address, up to 5 attempts one second apart ("Connection in use:
// ..." / "Retrying in 1 second."). Returns an empty vector after logging
// "Can't connect to ..." when an address cannot be bound.
std::vector<net::Listener> create_sockets(const std::vector<net::BindAddress>& addresses,
                                          const net::ListenOptions& options, Logger& log);

}  // namespace minicorn::process
