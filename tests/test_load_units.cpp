// [load] unit tests of the load client's pieces: the URL, the request mix,
// the command line (and its refusal of remote hosts), the HDR histogram and
// the response reader.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <variant>
#include <vector>

#include "engine/client/histogram.h"
#include "engine/client/load_config.h"
#include "engine/client/response_reader.h"
#include "engine/client/vuser.h"

using namespace minicorn::client;

namespace {

Url url_of(std::string_view text) {
    auto r = parse_url(text);
    INFO((std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string()));
    REQUIRE(std::holds_alternative<Url>(r));
    return std::get<Url>(r);
}

std::string url_error(std::string_view text) {
    auto r = parse_url(text);
    REQUIRE(std::holds_alternative<std::string>(r));
    return std::get<std::string>(r);
}

LoadParse parse(std::vector<std::string> args, LoadConfig& cfg) { return parse_load_args(args, cfg); }

}  // namespace

TEST_CASE("a URL gives the host, the port, the request target and the Host header", "[load]") {
    Url u = url_of("http://127.0.0.1:8000/io?ms=50");
    CHECK(u.host == "127.0.0.1");
    CHECK(u.port == 8000);
    CHECK(u.target == "/io?ms=50");
    CHECK(u.host_header == "127.0.0.1:8000");
    CHECK(u.text() == "http://127.0.0.1:8000/io?ms=50");

    Url bare = url_of("http://localhost");
    CHECK(bare.port == 80);
    CHECK(bare.target == "/");

    Url v6 = url_of("http://[::1]:9000/x");
    CHECK(v6.host == "::1");
    CHECK(v6.port == 9000);
    CHECK(v6.host_header == "[::1]:9000");

    CHECK(url_of("http://127.0.0.1:81?a=1").target == "/?a=1");
}

TEST_CASE("a URL the client cannot use is refused with the reason", "[load]") {
    CHECK(url_error("https://127.0.0.1/").find("https is not supported") != std::string::npos);
    CHECK(url_error("ftp://127.0.0.1/").find("only http://") != std::string::npos);
    CHECK(url_error("127.0.0.1:8000").find("not a URL") != std::string::npos);
    CHECK(url_error("http://127.0.0.1:0/").find("1-65535") != std::string::npos);
    CHECK(url_error("http://127.0.0.1:99999/").find("1-65535") != std::string::npos);
    CHECK(url_error("http://:80/").find("no host") != std::string::npos);
    CHECK(url_error("http://[::1/").find("unclosed") != std::string::npos);
}

TEST_CASE("loopback is 127.0.0.0/8, ::1 and localhost, nothing else", "[load]") {
    CHECK(is_loopback_host("127.0.0.1"));
    CHECK(is_loopback_host("127.1.2.3"));
    CHECK(is_loopback_host("::1"));
    CHECK(is_loopback_host("localhost"));
    CHECK_FALSE(is_loopback_host("10.0.0.1"));
    CHECK_FALSE(is_loopback_host("128.0.0.1"));
    CHECK_FALSE(is_loopback_host("example.com"));
    CHECK_FALSE(is_loopback_host("::2"));
    CHECK_FALSE(is_loopback_host("0.0.0.0"));
}

TEST_CASE("a remote host is refused unless --allow-remote says so", "[load]") {
    LoadConfig cfg;
    LoadParse r = parse({"http://192.0.2.10:8000/"}, cfg);
    CHECK(r.status == LoadParse::Status::Error);
    CHECK(r.message.find("--allow-remote") != std::string::npos);

    LoadConfig allowed;
    CHECK(parse({"http://192.0.2.10:8000/", "--allow-remote"}, allowed).status == LoadParse::Status::Ok);
    CHECK(allowed.allow_remote);
}

TEST_CASE("the request mix is PATH:WEIGHT pairs; the weight is optional", "[load]") {
    auto r = parse_mix("/io?ms=50:70,/cpu?ms=10:30");
    REQUIRE(std::holds_alternative<std::vector<MixEntry>>(r));
    auto mix = std::get<std::vector<MixEntry>>(r);
    REQUIRE(mix.size() == 2);
    CHECK(mix[0] == MixEntry{"/io?ms=50", 70});
    CHECK(mix[1] == MixEntry{"/cpu?ms=10", 30});

    auto plain = std::get<std::vector<MixEntry>>(parse_mix("/,/hello"));
    CHECK(plain == std::vector<MixEntry>{{"/", 1}, {"/hello", 1}});

    // A colon that is not followed by a number belongs to the path.
    auto colon = std::get<std::vector<MixEntry>>(parse_mix("/t?at=10:30x"));
    CHECK(colon == std::vector<MixEntry>{{"/t?at=10:30x", 1}});
    auto zero = std::get<std::vector<MixEntry>>(parse_mix("/a:0,/b:5"));
    CHECK(zero[0].weight == 0);
}

TEST_CASE("a malformed mix says what is wrong", "[load]") {
    auto error = [](std::string_view spec) {
        auto r = parse_mix(spec);
        REQUIRE(std::holds_alternative<std::string>(r));
        return std::get<std::string>(r);
    };
    CHECK(error("io:5").find("starts with '/'") != std::string::npos);
    CHECK(error("/a:1,,/b:2").find("empty entry") != std::string::npos);
    CHECK(error("").find("empty entry") != std::string::npos);
    CHECK(error("/a:0").find("every weight is 0") != std::string::npos);
    CHECK(error("/a:99999999").find("weight") != std::string::npos);
}

TEST_CASE("the command line: closed or open loop, duration or count, and the studio's flags", "[load]") {
    LoadConfig cfg;
    REQUIRE(parse({"http://127.0.0.1:8000/", "-c", "100", "-d", "5", "--keep-alive", "off", "--mix", "/:1,/io?ms=5:3",
                   "--slowloris", "2", "--slowloris-ms", "250", "--silent", "1", "--slow-readers", "3", "--aborters", "4",
                   "--timeout", "1.5", "--json", "--trace-fd", "7", "--quiet"},
                  cfg)
                .status == LoadParse::Status::Ok);
    CHECK(cfg.virtual_users == 100);
    CHECK(cfg.duration_s == 5);
    CHECK(cfg.keep_alive == KeepAlive::Off);
    CHECK(cfg.mix.size() == 2);
    CHECK(cfg.slowloris == 2);
    CHECK(cfg.slowloris_ms == 250);
    CHECK(cfg.silent == 1);
    CHECK(cfg.slow_readers == 3);
    CHECK(cfg.aborters == 4);
    CHECK(cfg.timeout_s == 1.5);
    CHECK(cfg.json);
    CHECK(cfg.quiet);
    CHECK(cfg.trace_fd == 7);
    CHECK_FALSE(cfg.open_loop());

    LoadConfig open;
    REQUIRE(parse({"--rate=200", "-n", "1000", "http://localhost:1/x"}, open).status == LoadParse::Status::Ok);
    CHECK(open.open_loop());
    CHECK(open.rate == 200);
    CHECK(open.requests == 1000);
    CHECK(open.mix == std::vector<MixEntry>{{"/x", 1}});

    LoadConfig bad;
    CHECK(parse({"http://127.0.0.1:1/", "-c", "2", "--rate", "5"}, bad).message.find("exclude") != std::string::npos);
    CHECK(parse({"http://127.0.0.1:1/", "-d", "2", "-n", "5"}, bad).message.find("exclude") != std::string::npos);
    CHECK(parse({"http://127.0.0.1:1/", "-c", "0"}, bad).status == LoadParse::Status::Error);
    CHECK(parse({"http://127.0.0.1:1/", "--keep-alive", "maybe"}, bad).message.find("on or off") != std::string::npos);
    CHECK(parse({"-c", "3"}, bad).message.find("URL is required") != std::string::npos);
    CHECK(parse({"http://127.0.0.1:1/", "--frobnicate"}, bad).message.find("unrecognized") != std::string::npos);
    CHECK(parse({"http://127.0.0.1:1/", "-h"}, bad).status == LoadParse::Status::Help);
}

TEST_CASE("durations read as seconds, with s, ms and m suffixes", "[load]") {
    CHECK(parse_seconds("5") == 5.0);
    CHECK(parse_seconds("2.5s") == 2.5);
    CHECK(parse_seconds("500ms") == 0.5);
    CHECK(parse_seconds("2m") == 120.0);
    CHECK_FALSE(parse_seconds("-1"));
    CHECK_FALSE(parse_seconds("soon"));
    CHECK_FALSE(parse_seconds(""));
}

TEST_CASE("every request carries its id in X-Request-Id, and Connection: close when keep-alive is off", "[load]") {
    Url u = url_of("http://127.0.0.1:8000/");
    std::string out;
    RequestTemplates on(u, {{"/io?ms=5", 1}}, KeepAlive::On);
    on.build(0, 12345678901234ULL, out);
    CHECK(out == "GET /io?ms=5 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: minicorn-load\r\n"
                 "X-Request-Id: 12345678901234\r\n\r\n");
    RequestTemplates off(u, {{"/", 1}}, KeepAlive::Off);
    off.build(0, 7, out);
    CHECK(out.ends_with("X-Request-Id: 7\r\nConnection: close\r\n\r\n"));
}

// ---------------------------------------------------------------------------

TEST_CASE("histogram buckets are exact below 256 and within 1/128 above", "[load]") {
    for (std::uint64_t v = 0; v < 256; ++v) {
        CHECK(Histogram::bucket_low(Histogram::bucket_of(v)) == v);
        CHECK(Histogram::bucket_high(Histogram::bucket_of(v)) == v);
    }
    std::mt19937_64 rng(42);
    for (int i = 0; i < 100000; ++i) {
        std::uint64_t v = rng() >> (rng() % 64);
        std::size_t b = Histogram::bucket_of(v);
        REQUIRE(b < Histogram::kBuckets);
        REQUIRE(Histogram::bucket_low(b) <= v);
        REQUIRE(v <= Histogram::bucket_high(b));
        double width = static_cast<double>(Histogram::bucket_high(b) - Histogram::bucket_low(b) + 1);
        if (v >= 256) REQUIRE(width / static_cast<double>(v) <= 1.0 / 128 + 1e-12);
        else REQUIRE(width == 1);
    }
    CHECK(Histogram::bucket_of(~std::uint64_t{0}) == Histogram::kBuckets - 1);
}

TEST_CASE("histogram percentiles agree with the exact ones within 1%", "[load]") {
    // Latencies in µs with a long tail: log-normal around 2 ms, plus outliers.
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> body(std::log(2000.0), 0.6);
    std::vector<std::uint64_t> values;
    Histogram h;
    for (int i = 0; i < 200000; ++i) {
        auto v = static_cast<std::uint64_t>(body(rng));
        if (i % 997 == 0) v *= 50;
        values.push_back(v);
        h.record(v);
    }
    std::sort(values.begin(), values.end());
    auto exact = [&](double p) {
        auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
        return values[std::max<std::size_t>(rank, 1) - 1];
    };
    for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
        double want = static_cast<double>(exact(p));
        double got = static_cast<double>(h.percentile(p));
        INFO("p" << p << " exact " << want << " histogram " << got);
        CHECK(std::abs(got - want) <= want * 0.01);
    }
    CHECK(h.max() == values.back());
    CHECK(h.min() == values.front());
    CHECK(h.count() == values.size());
    double mean = 0;
    for (auto v : values) mean += static_cast<double>(v);
    mean /= static_cast<double>(values.size());
    CHECK(h.mean() == Approx(mean).epsilon(1e-9));
}

TEST_CASE("histogram on small known data: percentiles are the values themselves", "[load]") {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
    CHECK(h.percentile(50) == 50);
    CHECK(h.percentile(90) == 90);
    CHECK(h.percentile(99) == 99);
    CHECK(h.percentile(99.9) == 100);
    CHECK(h.max() == 100);
    Histogram other;
    other.record(1000);
    h.merge(other);
    CHECK(h.count() == 101);
    CHECK(h.max() == 1000);
    CHECK(Histogram().percentile(50) == 0);
}

// ---------------------------------------------------------------------------

namespace {
ResponseReader::Result feed_all(ResponseReader& r, std::string_view bytes, std::size_t step) {
    ResponseReader::Result res = ResponseReader::Result::NeedMore;
    for (std::size_t i = 0; i < bytes.size(); i += step) {
        std::size_t used = 0;
        res = r.feed(bytes.substr(i, std::min(step, bytes.size() - i)), &used);
        if (res != ResponseReader::Result::NeedMore) return res;
    }
    return res;
}
}  // namespace

TEST_CASE("the response reader finds the end of a response however the bytes arrive", "[load]") {
    const std::string fixed = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\nHello, World!";
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "c\r\nchunk 1 of 2\r\nC;x=y\r\nchunk 2 of 2\r\n0\r\nX-T: 1\r\n\r\n";
    for (std::size_t step : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{4096}}) {
        INFO("step " << step);
        ResponseReader r;
        CHECK(feed_all(r, fixed, step) == ResponseReader::Result::Done);
        CHECK(r.status() == 200);
        CHECK(r.keep_alive());
        CHECK(r.body_bytes() == 13);
        r.reset();
        CHECK(feed_all(r, chunked, step) == ResponseReader::Result::Done);
        CHECK(r.body_bytes() == 24);
    }
}

TEST_CASE("the response reader: close-delimited bodies, Connection: close, and broken responses", "[load]") {
    ResponseReader r;
    std::size_t used = 0;
    CHECK(r.feed("HTTP/1.0 200 OK\r\n\r\nbody", &used) == ResponseReader::Result::NeedMore);
    CHECK(r.finish_eof() == ResponseReader::Result::Done);
    CHECK_FALSE(r.keep_alive());

    r.reset();
    CHECK(r.feed("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", &used) ==
          ResponseReader::Result::Done);
    CHECK(r.status() == 404);
    CHECK_FALSE(r.keep_alive());

    r.reset();
    CHECK(r.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", &used) == ResponseReader::Result::NeedMore);
    CHECK(r.finish_eof() == ResponseReader::Result::Error);

    r.reset();
    CHECK(r.finish_eof() == ResponseReader::Result::Error);
    CHECK_FALSE(r.started());

    r.reset();
    CHECK(r.feed("SSH-2.0-OpenSSH\r\n\r\n", &used) == ResponseReader::Result::Error);
    r.reset();
    CHECK(r.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &used) == ResponseReader::Result::Error);
    r.reset();
    CHECK(r.feed("HTTP/1.1 204 No Content\r\n\r\n", &used) == ResponseReader::Result::Done);
}
