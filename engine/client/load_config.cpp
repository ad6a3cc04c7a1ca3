#include "engine/client/load_config.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace minicorn::client {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

template <typename T>
std::optional<T> parse_int(std::string_view s, T lo, T hi) {
    if (!all_digits(s)) return std::nullopt;
    T v{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
    return v;
}

std::optional<double> parse_double(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::string copy(s);
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

}  // namespace

std::string Url::text() const { return "http://" + host_header + target; }

std::variant<Url, std::string> parse_url(std::string_view text) {
    constexpr std::string_view kScheme = "http://";
    if (text.starts_with("https://")) return std::string("https is not supported: the client speaks plain HTTP/1.1");
    if (!text.starts_with(kScheme)) {
        if (text.find("://") != std::string_view::npos) return fmt::format("'{}': only http:// URLs are supported", text);
        return fmt::format("'{}' is not a URL (expected http://HOST[:PORT][/PATH])", text);
    }
    std::string_view rest = text.substr(kScheme.size());
    std::size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
    Url url;
    if (authority.empty()) return fmt::format("'{}': no host", text);
    if (authority.find('@') != std::string_view::npos) return fmt::format("'{}': user info is not supported", text);
    std::string_view port_text;
    if (authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return fmt::format("'{}': unclosed '[' in the host", text);
        url.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return fmt::format("'{}': unexpected text after ']'", text);
            port_text = after.substr(1);
            if (port_text.empty()) return fmt::format("'{}': empty port", text);
        }
    } else {
        std::size_t colon = authority.rfind(':');
        url.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty()) return fmt::format("'{}': empty port", text);
        }
    }
    if (url.host.empty()) return fmt::format("'{}': no host", text);
    if (!port_text.empty()) {
        auto port = parse_int<unsigned>(port_text, 1, 65535);
        if (!port) return fmt::format("'{}': the port must be 1-65535", text);
        url.port = static_cast<std::uint16_t>(*port);
    }
    if (target.front() == '?') url.target = "/" + std::string(target);
    else url.target = std::string(target);
    if (url.target.find_first_of(" \r\n\t") != std::string::npos) return fmt::format("'{}': spaces in the path", text);
    bool v6 = url.host.find(':') != std::string::npos;
    url.host_header = (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
    return url;
}

bool is_loopback_host(std::string_view host) {
    if (host == "localhost" || host == "localhost.localdomain" || host == "ip6-localhost") return true;
    std::string h(host);
    in_addr a4{};
    if (::inet_pton(AF_INET, h.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    in6_addr a6{};
    if (::inet_pton(AF_INET6, h.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

std::variant<std::vector<MixEntry>, std::string> parse_mix(std::string_view text) {
    std::vector<MixEntry> out;
    std::uint64_t total = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (item.empty()) return std::string("--mix: an empty entry (expected PATH[:WEIGHT],…)");
        MixEntry e;
        std::size_t colon = item.rfind(':');
        if (colon != std::string_view::npos && all_digits(item.substr(colon + 1))) {
            auto w = parse_int<std::uint32_t>(item.substr(colon + 1), 0, 1'000'000);
            if (!w) return fmt::format("--mix: '{}': the weight must be 0-1000000", item);
            e.weight = *w;
            item = item.substr(0, colon);
        }
        if (item.empty() || item.front() != '/') return fmt::format("--mix: '{}': a path starts with '/'", item);
        if (item.find_first_of(" \r\n\t") != std::string_view::npos) return fmt::format("--mix: '{}': spaces in the path", item);
        e.path = std::string(item);
        total += e.weight;
        out.push_back(std::move(e));
    }
    if (total == 0) return std::string("--mix: every weight is 0");
    return out;
}

std::optional<double> parse_seconds(std::string_view text) {
    double scale = 1;
    if (text.ends_with("ms")) {
        scale = 0.001;
        text.remove_suffix(2);
    } else if (text.ends_with("s")) {
        text.remove_suffix(1);
    } else if (text.ends_with("m")) {
        scale = 60;
        text.remove_suffix(1);
    }
    auto v = parse_double(text);
    if (!v || *v < 0) return std::nullopt;
    return *v * scale;
}

std::string load_help() {
    return R"(usage: minicorn load URL [-c N | --rate R] [-d SECONDS | -n N] [OPTIONS]

The built-in load client, like wrk or hey: virtual users send HTTP/1.1 requests to
URL (http://HOST:PORT/PATH, loopback only unless --allow-remote), each carrying
X-Request-Id, and the results come out as wrk prints them: requests a second,
transfer, latency percentiles and errors by kind. With a trace attached, every
connect, send, first byte and response is an event on the client's lanes, joined
to the server's by the request id and the connection's port.

traffic:
  -c, --connections N   closed loop: N virtual users, each on its own connection,
                        one request at a time (default 10)
  --rate R              open loop: R requests a second with Poisson arrivals;
                        connections are opened as needed (latency then counts
                        from the arrival, so a queue in front of the server shows)
  -d, --duration T      run for T (5, 5s, 500ms, 2m; default 10s)
  -n, --requests N      stop after N requests instead
  --keep-alive on|off   reuse connections (default on); off sends Connection: close
  --mix SPEC            a weighted request mix, PATH:WEIGHT,… e.g.
                        "/io?ms=50:70,/cpu?ms=10:30" (default: the URL's path)
  --timeout T           a request not answered within T counts as a timeout error
                        and its connection is closed (default 10s)
  -t, --threads N       engine threads, each an epoll loop (default 1)

bad actors (connections of their own, besides the virtual users; they act on a
tick of --slowloris-ms and reconnect a tick after the server cuts them):
  --slowloris N         send the request head one byte a tick
  --slowloris-ms MS     the tick (default 500)
  --silent N            connect and send nothing
  --slow-readers N      send a request, read its response 256 bytes a tick
                        (with a small receive buffer)
  --aborters N          send half the request head, reset the connection a tick
                        later, and again

output:
  --json                print the results as one JSON object on stdout
  --quiet               no progress line, no banner (the results only)
  --trace-fd N          emit events into an observer's trace region (the studio)
  --trace FILE          record the client's own trace into FILE (.json: Chrome JSON)
  --seed N              the same random numbers every run (arrivals, mix picks): two runs
                        with one seed send the same request sequence (the studio's Compare
                        view gives every engine one seed); default: a fresh seed each run
  --allow-remote        allow a host that is not this machine's loopback
  -h, --help            show this help and exit

Errors by kind: connect (refused, unreachable), read (a response that does not
parse), write (the request could not be sent), timeout (--timeout), status (a
response that is not 2xx/3xx) and reset (the server reset or closed the
connection before the whole response). SIGINT or SIGTERM stops the run and
prints the results so far.
)";
}

namespace {

// What the flags said besides the LoadConfig itself: for the checks after them.
struct FlagsSeen {
    bool c = false;
    bool d = false;
    bool n = false;
    std::optional<std::string> url;
    std::optional<std::string> mix;
};

// The argument at args[i]: a flag (`--x=V` split at the `=`) and its value,
// inline or the next argument (which advances i).
struct FlagReader {
    const std::vector<std::string>& args;
    std::size_t& i;
    std::string arg;
    std::optional<std::string> inline_value;

    FlagReader(const std::vector<std::string>& all, std::size_t& at) : args(all), i(at), arg(all[at]) {
        if (arg.starts_with("--")) {
            if (auto eq = arg.find('='); eq != std::string::npos) {
                inline_value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
            }
        }
    }
    bool value(std::string& v) {
        if (inline_value) {
            v = *inline_value;
            return true;
        }
        if (i + 1 >= args.size()) return false;
        v = args[++i];
        return true;
    }
    // A whole number in [lo, hi] into `target`; the problem, if any.
    std::string count(int& target, int lo, int hi) {
        std::string v;
        if (!value(v)) return fmt::format("argument {}: expected a number", arg);
        auto n = parse_int<int>(v, lo, hi);
        if (!n) return fmt::format("argument {}: '{}' is not a whole number in {}-{}", arg, v, lo, hi);
        target = *n;
        return {};
    }
};

// The traffic flags (how much, how fast, how long). False if `f` is none of
// them; *problem says what was wrong with its value.
bool parse_traffic_flag(FlagReader& f, LoadConfig& out, FlagsSeen& seen, std::string* problem) {
    const std::string& arg = f.arg;
    std::string v;
    if (arg == "-c" || arg == "--connections") {
        *problem = f.count(out.virtual_users, 1, 100000);
        seen.c = true;
    } else if (arg == "--rate") {
        if (!f.value(v)) {
            *problem = "argument --rate: expected requests a second";
        } else if (auto r = parse_double(v); !r || *r <= 0 || *r > 1e6) {
            *problem = fmt::format("argument --rate: '{}' is not a rate in (0, 1e6]", v);
        } else {
            out.rate = *r;
        }
    } else if (arg == "-d" || arg == "--duration") {
        if (!f.value(v)) {
            *problem = fmt::format("argument {}: expected a duration", arg);
        } else if (auto s = parse_seconds(v); !s || *s <= 0) {
            *problem = fmt::format("argument {}: '{}' is not a duration (5, 5s, 500ms, 2m)", arg, v);
        } else {
            out.duration_s = *s;
        }
        seen.d = true;
    } else if (arg == "-n" || arg == "--requests") {
        if (!f.value(v)) {
            *problem = fmt::format("argument {}: expected a count", arg);
        } else if (auto n = parse_int<std::uint64_t>(v, 1, 1'000'000'000'000ULL); !n) {
            *problem = fmt::format("argument {}: '{}' is not a positive whole number", arg, v);
        } else {
            out.requests = *n;
        }
        seen.n = true;
    } else if (arg == "--keep-alive") {
        if (!f.value(v)) {
            *problem = "argument --keep-alive: expected on or off";
        } else if (v == "on") {
            out.keep_alive = KeepAlive::On;
        } else if (v == "off") {
            out.keep_alive = KeepAlive::Off;
        } else {
            *problem = fmt::format("argument --keep-alive: '{}' (choose on or off)", v);
        }
    } else if (arg == "--mix") {
        if (!f.value(v)) {
            *problem = "argument --mix: expected PATH:WEIGHT,…";
        } else {
            seen.mix = v;
        }
    } else if (arg == "--timeout") {
        if (!f.value(v)) {
            *problem = "argument --timeout: expected a duration";
        } else if (auto s = parse_seconds(v); !s || *s <= 0) {
            *problem = fmt::format("argument --timeout: '{}' is not a duration", v);
        } else {
            out.timeout_s = *s;
        }
    } else if (arg == "-t" || arg == "--threads") {
        *problem = f.count(out.threads, 1, 64);
    } else {
        return false;
    }
    return true;
}

// The bad actors and the output flags. False if `f` is none of them.
bool parse_actor_or_output_flag(FlagReader& f, LoadConfig& out, std::string* problem) {
    const std::string& arg = f.arg;
    std::string v;
    if (arg == "--slowloris") *problem = f.count(out.slowloris, 0, 100000);
    else if (arg == "--slowloris-ms") *problem = f.count(out.slowloris_ms, 1, 3'600'000);
    else if (arg == "--silent") *problem = f.count(out.silent, 0, 100000);
    else if (arg == "--slow-readers") *problem = f.count(out.slow_readers, 0, 100000);
    else if (arg == "--aborters") *problem = f.count(out.aborters, 0, 100000);
    else if (arg == "--json") out.json = true;
    else if (arg == "--quiet" || arg == "-q") out.quiet = true;
    else if (arg == "--allow-remote") out.allow_remote = true;
    else if (arg == "--trace-fd") *problem = f.count(out.trace_fd, 0, 1 << 20);
    else if (arg == "--seed") *problem = f.count(out.seed, 1, 1 << 30);
    else if (arg == "--trace") {
        if (!f.value(v) || v.empty()) *problem = "argument --trace: expected a file name";
        else out.trace_file = v;
    } else {
        return false;
    }
    return true;
}

// After the flags: the checks that involve several of them, the URL and the mix.
LoadParse finish_load_config(LoadConfig& out, const FlagsSeen& seen) {
    auto error = [](std::string msg) { return LoadParse{LoadParse::Status::Error, std::move(msg)}; };
    if (!seen.url) return error("the URL is required (e.g. minicorn load http://127.0.0.1:8000/)");
    if (seen.c && out.rate > 0) return error("-c and --rate exclude each other (closed loop or open loop)");
    if (seen.d && seen.n) return error("-d and -n exclude each other");
    if (seen.n) out.duration_s = 0;
    if (out.rate > 0) out.virtual_users = 0;
    if (!out.trace_file.empty() && out.trace_fd != 0) return error("--trace and --trace-fd exclude each other");
    auto url = parse_url(*seen.url);
    if (auto* msg = std::get_if<std::string>(&url)) return error(*msg);
    out.url = std::get<Url>(url);
    out.url_text = *seen.url;
    if (!out.allow_remote && !is_loopback_host(out.url.host)) {
        return error(fmt::format(
            "'{}' is not this machine's loopback; the client only sends to 127.0.0.1, ::1 or localhost "
            "unless you add --allow-remote (a load test is an attack on a host that did not ask for it)",
            out.url.host));
    }
    if (seen.mix) {
        auto mix = parse_mix(*seen.mix);
        if (auto* msg = std::get_if<std::string>(&mix)) return error(*msg);
        out.mix = std::get<std::vector<MixEntry>>(mix);
    } else {
        out.mix = {MixEntry{out.url.target, 1}};
    }
    return {};
}

}  // namespace

LoadParse parse_load_args(const std::vector<std::string>& args, LoadConfig& out) {
    auto error = [](std::string msg) { return LoadParse{LoadParse::Status::Error, std::move(msg)}; };
    FlagsSeen seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        FlagReader f(args, i);
        if (f.arg == "-h" || f.arg == "--help") return LoadParse{LoadParse::Status::Help, {}};
        std::string problem;
        if (parse_traffic_flag(f, out, seen, &problem) || parse_actor_or_output_flag(f, out, &problem)) {
            if (!problem.empty()) return error(problem);
        } else if (!f.arg.empty() && f.arg.front() == '-' && f.arg != "-") {
            return error(fmt::format("unrecognized argument: {}", f.arg));
        } else if (seen.url) {
            return error(fmt::format("one URL only (got '{}' and '{}')", *seen.url, f.arg));
        } else {
            seen.url = f.arg;
        }
    }
    return finish_load_config(out, seen);
}

std::variant<Target, std::string> resolve_target(const Url& url) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(url.port);
    int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || res == nullptr) return fmt::format("cannot resolve '{}': {}", url.host, ::gai_strerror(rc));
    Target t;
    // Prefer IPv4 for "localhost" (servers here bind 127.0.0.1).
    const addrinfo* pick = res;
    for (const addrinfo* a = res; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    }
    std::memcpy(&t.addr, pick->ai_addr, pick->ai_addrlen);
    t.len = pick->ai_addrlen;
    t.family = pick->ai_family;
    ::freeaddrinfo(res);
    return t;
}

}  // namespace minicorn::client
