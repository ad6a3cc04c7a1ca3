// Response framing and the error page, byte for byte against what gunicorn
// 20.1's Response and util.write_error produce (expected bytes taken from
// gunicorn's own classes with the Date pinned, Server renamed).
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/http/parser.h"
#include "engine/http/response.h"

using namespace minicorn::http;

namespace {

Request make_request(std::string method, int major, int minor, std::vector<Header> headers = {}) {
    Request r;
    r.method = std::move(method);
    r.uri = std::string(1, '/');
    r.path = r.uri;
    r.version_major = major;
    r.version_minor = minor;
    r.headers = std::move(headers);
    return r;
}

// Sun, 29 Nov 2026 00:56:17 GMT
const auto kDate = std::chrono::system_clock::time_point(std::chrono::seconds(1795913777));

// Runs a response the way a worker does and returns every byte written.
std::string run(Response& resp, int status, std::vector<Header> headers, std::vector<std::string> chunks) {
    REQUIRE_FALSE(resp.start(status, reason_phrase(status), headers).has_value());
    std::string wire = resp.send_headers(kDate);
    for (const std::string& c : chunks) wire += resp.write(c);
    wire += resp.close();
    return wire;
}

}  // namespace

TEST_CASE("http_date is RFC 1123 in GMT", "[http]") {
    CHECK(http_date(kDate) == "Sun, 29 Nov 2026 00:56:17 GMT");
    CHECK(http_date(std::chrono::system_clock::time_point{}) == "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST_CASE("HTTP/1.1 without Content-Length is chunked and kept alive", "[http]") {
    const Request req = make_request("GET", 1, 1);
    Response resp(req);
    const std::string wire = run(resp, 200, {{"Content-Type", "text/plain"}, {"X-Pad", "  v  "}}, {"hello", "", "world"});
    CHECK(wire ==
          "HTTP/1.1 200 OK\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\nConnection: keep-alive\r\n"
          "Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\nX-Pad: v\r\n\r\n"
          "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n");
    CHECK(resp.chunked());
    CHECK_FALSE(resp.should_close());
    CHECK(resp.sent() == 10);
}

TEST_CASE("Content-Length truncates the body; hop-by-hop app headers are dropped", "[http]") {
    const Request req = make_request("GET", 1, 1);
    Response resp(req);
    const std::string wire =
        run(resp, 200, {{"Content-Length", "5"}, {"Connection", "keep-alive"}, {"Server", "x"}}, {"hel", "lo world"});
    CHECK(wire ==
          "HTTP/1.1 200 OK\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\nConnection: keep-alive\r\n"
          "Content-Length: 5\r\n\r\nhello");
    CHECK(resp.sent() == 5);
    CHECK_FALSE(resp.chunked());
    REQUIRE(resp.headers().size() == 1);
    CHECK(resp.headers()[0].name == "Content-Length");
}

TEST_CASE("HTTP/1.0 without Content-Length is raw and closes; the status line echoes 1.0", "[http]") {
    const Request req = make_request("GET", 1, 0);
    Response resp(req);
    CHECK(run(resp, 200, {}, {"abc"}) ==
          "HTTP/1.0 200 OK\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\nConnection: close\r\n\r\nabc");
    CHECK(resp.should_close());
}

TEST_CASE("204 and 304 are never chunked and keep the connection", "[http]") {
    const Request req11 = make_request("GET", 1, 1);
    Response no_content(req11);
    CHECK(run(no_content, 204, {}, {}) ==
          "HTTP/1.1 204 No Content\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\n"
          "Connection: keep-alive\r\n\r\n");
    const Request req10 = make_request("GET", 1, 0, {{"CONNECTION", "keep-alive"}});
    Response not_modified(req10);
    CHECK(run(not_modified, 304, {}, {}) ==
          "HTTP/1.0 304 Not Modified\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\n"
          "Connection: keep-alive\r\n\r\n");
}

TEST_CASE("the sync worker's force_close makes every response Connection: close", "[http]") {
    const Request req = make_request("GET", 1, 1);
    Response resp(req);
    resp.force_close();
    CHECK(run(resp, 200, {{"Content-Length", "3"}}, {"abc"}) ==
          "HTTP/1.1 200 OK\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\nConnection: close\r\n"
          "Content-Length: 3\r\n\r\nabc");

    Response chunked(req);
    chunked.force_close();
    REQUIRE_FALSE(chunked.start(200, "OK", {}).has_value());
    CHECK(chunked.chunked());  // still chunked: the length is unknown
    CHECK(chunked.should_close());
}

TEST_CASE("a request asking to close closes", "[http]") {
    const Request req = make_request("GET", 1, 1, {{"CONNECTION", "close"}});
    Response resp(req);
    REQUIRE_FALSE(resp.start(200, "OK", std::vector<Header>{{"Content-Length", "0"}}).has_value());
    CHECK(resp.should_close());
    CHECK(resp.connection() == ConnectionHeader::Close);
}

TEST_CASE("HEAD responses carry headers but no body", "[http]") {
    const Request req = make_request("HEAD", 1, 1);
    Response resp(req);
    const std::string wire = run(resp, 200, {{"Content-Length", "5"}}, {"hello"});
    CHECK(wire ==
          "HTTP/1.1 200 OK\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\nConnection: keep-alive\r\n"
          "Content-Length: 5\r\n\r\n");
    CHECK(resp.sent() == 0);

    Response no_length(req);  // HEAD without a length is neither chunked nor closing
    REQUIRE_FALSE(no_length.start(200, "OK", {}).has_value());
    CHECK_FALSE(no_length.chunked());
    CHECK_FALSE(no_length.should_close());
}

TEST_CASE("Connection: upgrade from the app is echoed and Upgrade: websocket kept", "[http]") {
    const Request req = make_request("GET", 1, 1);
    Response resp(req);
    CHECK(run(resp, 101, {{"Connection", "Upgrade"}, {"Upgrade", "websocket"}}, {}) ==
          "HTTP/1.1 101 Switching Protocols\r\nServer: minicorn\r\nDate: Sun, 29 Nov 2026 00:56:17 GMT\r\n"
          "Connection: upgrade\r\nTransfer-Encoding: chunked\r\nUpgrade: websocket\r\n\r\n0\r\n\r\n");
}

TEST_CASE("headers gunicorn refuses from the app become the errors it raises", "[http]") {
    const Request req = make_request("GET", 1, 1);
    {
        Response resp(req);
        const auto e = resp.start(200, "OK", std::vector<Header>{{"X Bad", "v"}});
        REQUIRE(e.has_value());
        CHECK(e->kind == ParseErrorKind::InvalidHeaderName);
        CHECK(e->status == 400);
        CHECK(e->message == R"(Invalid HTTP header name: "'X Bad'")");
    }
    {
        Response resp(req);
        const auto e = resp.start(200, "OK", std::vector<Header>{{"X-Ok", "a\r\nInjected: 1"}});
        REQUIRE(e.has_value());
        CHECK(e->kind == ParseErrorKind::InvalidHeader);
        CHECK(e->message == R"(Invalid HTTP Header: "'a\\r\\nInjected: 1'")");
    }
    {
        Response resp(req);
        const auto e = resp.start(200, "OK", std::vector<Header>{{"Content-Length", "ten"}});
        REQUIRE(e.has_value());
        CHECK(e->status == 500);
        CHECK(e->message == "invalid literal for int() with base 10: 'ten'");
    }
}

TEST_CASE("error_page reproduces util.write_error byte for byte", "[http]") {
    CHECK(error_page(500, "Internal Server Error", "") ==
          "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Type: text/html\r\n"
          "Content-Length: 141\r\n\r\n<html>\n  <head>\n    <title>Internal Server Error</title>\n  </head>\n"
          "  <body>\n    <h1><p>Internal Server Error</p></h1>\n    \n  </body>\n</html>\n");
    CHECK(error_page(404, "Not Found", "<b>&\"caf\xc3\xa9\"</b>") ==
          "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 157\r\n\r\n"
          "<html>\n  <head>\n    <title>Not Found</title>\n  </head>\n  <body>\n    <h1><p>Not Found</p></h1>\n"
          "    &lt;b&gt;&amp;&quot;caf\xe9&quot;&lt;/b&gt;\n  </body>\n</html>\n");

    RequestParser parser;
    parser.feed("GET / HTTP/1.x\r\n\r\n");
    REQUIRE(parser.failed());
    CHECK(error_page(parser.error()) ==
          "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/html\r\nContent-Length: 196\r\n\r\n"
          "<html>\n  <head>\n    <title>Bad Request</title>\n  </head>\n  <body>\n    <h1><p>Bad Request</p></h1>\n"
          "    Invalid HTTP Version &#x27;Invalid HTTP Version: &#x27;HTTP/1.x&#x27;&#x27;\n  </body>\n</html>\n");
}

TEST_CASE("reason phrases for common statuses", "[http]") {
    CHECK(reason_phrase(200) == "OK");
    CHECK(reason_phrase(404) == "Not Found");
    CHECK(reason_phrase(431) == "Request Header Fields Too Large");
    CHECK(reason_phrase(503) == "Service Unavailable");
    CHECK(reason_phrase(299).empty());
}
