// The access-log line, against lines gunicorn 20.1's Logger.atoms/SafeAtoms
// produced for the same request (FIDELITY.md §10).
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "engine/http/access_log.h"

using namespace minicorn::http;

namespace {

// %(t)s is local time: pin the zone to UTC for the duration of a test.
class UtcZone {
public:
    UtcZone() {
        if (const char* tz = std::getenv("TZ")) saved_ = tz;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    ~UtcZone() {
        if (saved_) setenv("TZ", saved_->c_str(), 1);
        else unsetenv("TZ");
        tzset();
    }
    UtcZone(const UtcZone&) = delete;
    UtcZone& operator=(const UtcZone&) = delete;

private:
    std::optional<std::string> saved_;
};

Request sleep_request() {
    Request r;
    r.method = "GET";
    r.uri = "/sleep/0.2?a=1";
    r.path = "/sleep/0.2";
    r.query = "a=1";
    r.headers = {{"HOST", "h"},
                 {"REFERER", "http://r/"},
                 {"USER-AGENT", "demo/1.0"},
                 {"AUTHORIZATION", "Basic dXNlcjpwdw=="},  // user:pw
                 {"X-DUP", "1"},
                 {"X-DUP", "2"},
                 {"X-LAT", "caf\xe9"}};
    return r;
}

AccessLogEntry entry_for(const Request& r) {
    AccessLogEntry e;
    e.request = &r;
    e.status = 200;
    e.response_headers = {{"Content-Type", "text/plain"}, {"X-Q", "say \"hi\""}};
    e.body_bytes = 26;
    // Sun, 29 Nov 2026 00:56:17 UTC, after a request of 2.345678 s.
    e.request_end = std::chrono::system_clock::time_point(std::chrono::seconds(1795913777));
    e.request_start = e.request_end - std::chrono::microseconds(2345678);
    e.pid = 4242;
    e.remote_addr = "127.0.0.1";
    return e;
}

}  // namespace

TEST_CASE("the default format gives Apache combined lines (FIDELITY §10 example)", "[http]") {
    UtcZone utc;
    const Request r = sleep_request();
    CHECK(format_access_log(kDefaultAccessLogFormat, entry_for(r)) ==
          R"(127.0.0.1 - user [29/Nov/2026:00:56:17 +0000] "GET /sleep/0.2?a=1 HTTP/1.1" 200 26 "http://r/" "demo/1.0")");
}

TEST_CASE("every atom renders as gunicorn renders it", "[http]") {
    UtcZone utc;
    const Request r = sleep_request();
    const auto line = format_access_log(
        "%(m)s|%(U)s|%(q)s|%(H)s|%(B)s|%(T)s|%(M)s|%(D)s|%(L)s|%({x-dup}i)s|%({X-LAT}i)s|%({content-type}o)s|"
        "%({x-q}o)s|%({remote_addr}e)s|%({server}o)s|%(T)05d|%(h)-12s|%(m)r|%(U).4s|%(p)s|%%",
        entry_for(r));
    // From gunicorn: last duplicate header wins in {…}i; '"' becomes '\"';
    // latin-1 header bytes come out as UTF-8; Server is not an app header.
    CHECK(line == "GET|/sleep/0.2|a=1|HTTP/1.1|26|2|2345|2345678|2.345678|2|caf\xc3\xa9|text/plain|say \\\"hi\\\"|"
                  "127.0.0.1|-|00002|127.0.0.1   |'GET'|/sle|<4242>|%");
}

TEST_CASE("unknown values are dashes; PATH_INFO is percent-decoded", "[http]") {
    UtcZone utc;
    Request r;
    r.method = "POST";
    r.uri = r.path = "/caf%C3%A9";
    AccessLogEntry e;
    e.request = &r;
    e.status = 500;
    e.request_start = e.request_end = std::chrono::system_clock::time_point(std::chrono::seconds(0));
    CHECK(format_access_log(kDefaultAccessLogFormat, e) ==
          R"(- - - [01/Jan/1970:00:00:00 +0000] "POST /caf%C3%A9 HTTP/1.1" 500 - "-" "-")");
    CHECK(format_access_log("%(U)s %(B)s %(L)s", e) == "/caf\xc3\x83\xc2\xa9 None 0.000000");
    CHECK_FALSE(format_access_log("%(B)d", e).has_value());  // Python: TypeError, no line
}

TEST_CASE("the Basic-auth user is decoded as binascii does it", "[http]") {
    CHECK(basic_auth_user("Basic dXNlcjpwdw==") == "user");
    CHECK(basic_auth_user("basic dXNlcjpwdw==") == "user");
    CHECK(basic_auth_user("Basic d X N l c j p w d w = =") == "user");
    CHECK(basic_auth_user("BasicXYZ Zm9vOmJhcg==") == "foo");
    CHECK(basic_auth_user("Basic Zm9vOmJhcg==trailing") == "foo");
    CHECK(basic_auth_user("Basic w6k6eA==") == "\xc3\xa9");
    CHECK_FALSE(basic_auth_user("Basic dXNlcg==").has_value());  // no ':'
    CHECK_FALSE(basic_auth_user("Basic dXNlcg").has_value());    // incorrect padding
    CHECK_FALSE(basic_auth_user("Basic Zm9vOmJhcg=").has_value());
    CHECK_FALSE(basic_auth_user("Basic /w==").has_value());      // not UTF-8
    CHECK_FALSE(basic_auth_user("Bearer x").has_value());
    CHECK_FALSE(basic_auth_user("Basic").has_value());
}

TEST_CASE("a bad --access-logformat is reported clearly", "[http]") {
    CHECK_FALSE(validate_access_log_format(kDefaultAccessLogFormat).has_value());
    CHECK_FALSE(validate_access_log_format("%({X-Request-Id}i)s %(T)d %(L)s 100%%").has_value());
    CHECK(validate_access_log_format("%(h)s %(t") == "incomplete format key");
    CHECK(validate_access_log_format("%(h)") == "incomplete format");
    CHECK(validate_access_log_format("%(h)y") == "unsupported format character 'y' (0x79) at index 4");
    CHECK(validate_access_log_format("%(nope)s") == "unknown access log atom 'nope'");
    CHECK(validate_access_log_format("%(h)d").value().find("a real number is required") != std::string::npos);
    CHECK(validate_access_log_format("%s").value().find("no atom name") != std::string::npos);
    CHECK_FALSE(format_access_log("%(nope)s", AccessLogEntry{}).has_value());
}
