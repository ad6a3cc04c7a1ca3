// engine/client/load_config.h — what `minicorn load` is asked to do: the
// target URL, the traffic (closed or open loop, duration or count, the
// request mix) and the bad actors; parsed from the command line.
//
// Plain data and pure functions; no threads, no sockets (resolve_target
// calls getaddrinfo for a host name).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace minicorn::client {

// http://HOST[:PORT][/PATH][?QUERY] — the only scheme the client speaks.
struct Url {
    std::string host;         // "127.0.0.1", "localhost", "::1" (no brackets)
    std::uint16_t port = 80;
    std::string target = "/";  // path and query, as sent in the request line
    std::string host_header;   // "127.0.0.1:8000" (brackets kept for IPv6)
    std::string text() const;  // "http://127.0.0.1:8000/"
};

// An error message, or the URL.
std::variant<Url, std::string> parse_url(std::string_view text);

// True for names that are this machine's loopback: localhost, 127.0.0.0/8, ::1.
bool is_loopback_host(std::string_view host);

// One path of the request mix and its weight (--mix "/io?ms=50:70,/cpu?ms=10:30").
struct MixEntry {
    std::string path;
    std::uint32_t weight = 1;
    bool operator==(const MixEntry&) const = default;
};

// "PATH[:WEIGHT],…": each path starts with '/'; a weight is a decimal integer
// after the last ':' (1 when absent); at least one weight must be > 0.
std::variant<std::vector<MixEntry>, std::string> parse_mix(std::string_view text);

// "5", "2.5", "5s", "500ms", "2m" → seconds; nullopt if malformed or negative.
std::optional<double> parse_seconds(std::string_view text);

enum class KeepAlive { On, Off };

struct LoadConfig {
    Url url;
    std::string url_text;
    // Traffic: closed loop (virtual_users > 0) or open loop (rate > 0).
    int virtual_users = 10;        // -c: each on its own connection, one request at a time
    double rate = 0;               // --rate: requests a second, Poisson arrivals
    double duration_s = 10;        // -d (used when requests == 0)
    std::uint64_t requests = 0;    // -n: stop after this many requests (0: use the duration)
    KeepAlive keep_alive = KeepAlive::On;
    std::vector<MixEntry> mix;     // --mix, else the URL's path with weight 1
    double timeout_s = 10;         // --timeout: per request (connect included)
    int threads = 1;               // -t: engine threads (each its own epoll)
    int max_connections = 10000;   // open loop: at most this many connections at once
    // Bad actors, each a connection of its own beside the virtual users.
    int slowloris = 0;             // --slowloris: dribble the head, one byte a tick
    int slowloris_ms = 500;        // --slowloris-ms: the tick of every bad actor
    int silent = 0;                // --silent: connect, send nothing
    int slow_readers = 0;          // --slow-readers: read the response a little at a time
    int aborters = 0;              // --aborters: send half the head, then reset
    // Output and tracing.
    bool json = false;
    bool quiet = false;
    bool allow_remote = false;
    int trace_fd = 0;              // --trace-fd: attach to an observer's region
    int seed = 0;                  // --seed: the random numbers (arrivals, mix picks); 0: a fresh seed each run
    std::string trace_file;        // --trace FILE: record into FILE (a .json name writes Chrome JSON)

    bool open_loop() const { return rate > 0; }
    int bad_actors() const { return slowloris + silent + slow_readers + aborters; }
};

struct LoadParse {
    enum class Status { Ok, Help, Error };
    Status status = Status::Ok;
    std::string message;  // for Error
};

// Parses the arguments after `minicorn load`. Refuses a non-loopback host
// unless --allow-remote is given.
LoadParse parse_load_args(const std::vector<std::string>& args, LoadConfig& out);

std::string load_help();

// The address to connect to (IPv4 or IPv6); an error message if the host
// does not resolve.
struct Target {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = AF_INET;
};
std::variant<Target, std::string> resolve_target(const Url& url);

}  // namespace minicorn::client
