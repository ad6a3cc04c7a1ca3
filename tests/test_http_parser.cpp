// RequestParser against the raw-request corpus (tests/http/corpus, format in
// its README.md), plus focused scenarios: limit clamping, keep-alive
// leftovers, EOF handling.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/http/parser.h"
#include "tests/http/corpus_case.h"

using namespace minicorn::http;
using minicorn::http::testing::CorpusOutcome;
using minicorn::http::testing::Feeding;

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus_cases() {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(MINICORN_HTTP_CORPUS)) {
        if (entry.path().extension() == ".http") cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    return cases;
}

}  // namespace

TEST_CASE("every corpus request parses as gunicorn 20.1 parses it, however it is cut", "[http]") {
    std::size_t ran = 0;
    for (const fs::path& http_file : corpus_cases()) {
        fs::path expect_file = http_file;
        expect_file.replace_extension(".expect");
        const std::string name = http_file.stem().string();
        INFO("corpus case: " << name);
        REQUIRE(fs::exists(expect_file));
        const std::string stream = testing::read_file(http_file);
        const testing::CorpusExpect expect = testing::parse_expect(testing::read_file(expect_file));
        const Limits limits = expect.limits.value_or(Limits{});

        struct Run {
            const char* how;
            CorpusOutcome outcome;
        };
        const Run runs[] = {
            {"whole", testing::run_parser(stream, limits, Feeding::Whole)},
            {"byte by byte", testing::run_parser(stream, limits, Feeding::ByteByByte)},
            {"random pieces", testing::run_parser(stream, limits, Feeding::RandomPieces,
                                                  static_cast<unsigned>(stream.size()))},
        };
        for (const Run& run : runs) {
            const auto diffs = testing::compare(expect, run.outcome, stream);
            if (!diffs.empty()) {
                std::string report = name + " (" + run.how + "):";
                for (const auto& d : diffs) report += "\n    " + d;
                FAIL_CHECK(report);
            }
        }
        ++ran;
    }
    CHECK(ran >= 70);
}

TEST_CASE("limits are clamped as gunicorn 20.1 clamps them", "[http]") {
    SECTION("defaults") {
        const Limits l;
        CHECK(l.limit_request_line == 4094);
        CHECK(l.limit_request_fields == 100);
        CHECK(l.limit_request_field_size == 8190);
        CHECK(l.max_buffer_headers() == 819204);
    }
    SECTION("request line: 8190 and above, or negative, become 8190; 0 stays unlimited") {
        CHECK(Limits::from_settings(8190, 100, 8190).limit_request_line == 8190);
        CHECK(Limits::from_settings(100000, 100, 8190).limit_request_line == 8190);
        CHECK(Limits::from_settings(-1, 100, 8190).limit_request_line == 8190);
        CHECK(Limits::from_settings(0, 100, 8190).limit_request_line == 0);
        CHECK(Limits::from_settings(8189, 100, 8190).limit_request_line == 8189);
    }
    SECTION("fields: 0, negative or above 32768 become 32768") {
        CHECK(Limits::from_settings(4094, 0, 8190).limit_request_fields == 32768);
        CHECK(Limits::from_settings(4094, -5, 8190).limit_request_fields == 32768);
        CHECK(Limits::from_settings(4094, 40000, 8190).limit_request_fields == 32768);
        CHECK(Limits::from_settings(4094, 32768, 8190).limit_request_fields == 32768);
        CHECK(Limits::from_settings(4094, 7, 8190).limit_request_fields == 7);
    }
    SECTION("field size: negative becomes 8190, 0 stays unlimited but counts as 8190 in the buffer cap") {
        CHECK(Limits::from_settings(4094, 100, -1).limit_request_field_size == 8190);
        const Limits unlimited = Limits::from_settings(4094, 100, 0);
        CHECK(unlimited.limit_request_field_size == 0);
        CHECK(unlimited.max_buffer_headers() == 100 * (8190 + 2) + 4);
        CHECK(Limits::from_settings(4094, 2, 10).max_buffer_headers() == 2 * 12 + 4);
    }
}

TEST_CASE("a keep-alive connection parses pipelined requests one after the other", "[http]") {
    const std::string stream =
        "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        "GET /b?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n";
    RequestParser parser;
    const std::size_t used = parser.feed(stream);
    REQUIRE(parser.done());
    CHECK(used == stream.find("GET /b"));
    CHECK(parser.feed("more") == 0);  // a done parser takes nothing more
    const Request first = parser.take_request();
    CHECK(first.body == "abc");
    CHECK_FALSE(first.should_close());

    parser.reset();
    CHECK_FALSE(parser.started());
    const std::string leftover = stream.substr(used);
    CHECK(parser.feed(leftover) == leftover.size());
    REQUIRE(parser.done());
    const Request second = parser.take_request();
    CHECK(second.method == "GET");
    CHECK(second.path == "/b");
    CHECK(second.query == "x=1");
    CHECK(second.body.empty());
    CHECK(second.should_close());

    parser.reset();
    parser.finish_eof();
    REQUIRE(parser.failed());
    CHECK(parser.error().kind == ParseErrorKind::NoRequest);
    CHECK_FALSE(parser.error().sends_response());
}

TEST_CASE("EOF: nothing sent is NoRequest, a partial request is NoMoreData", "[http]") {
    RequestParser parser;
    parser.finish_eof();
    REQUIRE(parser.failed());
    CHECK(parser.error().kind == ParseErrorKind::NoRequest);

    parser.reset();
    parser.feed("GET / HTTP/1.1\r\nHo");
    CHECK(parser.started());
    CHECK(parser.state() == RequestParser::State::Headers);
    parser.finish_eof();
    REQUIRE(parser.failed());
    CHECK(parser.error().kind == ParseErrorKind::NoMoreData);
    CHECK(parser.error().message == "No more data after: b'Ho'");
    CHECK(parser.error().status == kNoResponse);
}

TEST_CASE("the parser walks through its states on a chunked request", "[http]") {
    RequestParser parser;
    using S = RequestParser::State;
    parser.feed("POST / HTTP/1.1\r\n");
    CHECK(parser.state() == S::Headers);
    parser.feed("Transfer-Encoding: chunked\r\n\r\n");
    CHECK(parser.state() == S::ChunkSize);
    parser.feed("4\r\nwi");
    CHECK(parser.state() == S::ChunkData);
    parser.feed("ki");
    CHECK(parser.state() == S::ChunkDataCrlf);
    parser.feed("\r\n0\r\n");
    CHECK(parser.state() == S::Trailers);
    parser.feed("\r\n");
    REQUIRE(parser.done());
    const Request r = parser.take_request();
    CHECK(r.chunked);
    CHECK(r.body == "wiki");
    CHECK_FALSE(r.content_length.has_value());
}

TEST_CASE("parse errors carry gunicorn's page text and status", "[http]") {
    RequestParser parser;
    parser.feed("GET / HTTP/1.x\r\n\r\n");
    REQUIRE(parser.failed());
    const ParseError& e = parser.error();
    CHECK(e.kind == ParseErrorKind::InvalidHTTPVersion);
    CHECK(e.status == 400);
    CHECK(e.reason() == "Bad Request");
    CHECK(e.message == "Invalid HTTP Version: 'HTTP/1.x'");
    CHECK(e.page_message == "Invalid HTTP Version 'Invalid HTTP Version: 'HTTP/1.x''");
}

TEST_CASE("framing and body errors keep the request, for gunicorn's access-log line", "[http]") {
    RequestParser parser;
    parser.feed("POST /dup HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx");
    REQUIRE(parser.failed());
    CHECK(parser.error().has_request);
    CHECK(parser.request().path == "/dup");

    parser.reset();
    parser.feed("POST /te HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    REQUIRE(parser.failed());
    CHECK(parser.error().status == 500);
    CHECK_FALSE(parser.error().has_request);  // UnsupportedTransferCoding carries no request

    parser.reset();
    parser.feed("POST /trail HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n");
    REQUIRE(parser.failed());
    CHECK(parser.error().status == 400);
    CHECK(parser.error().has_request);

    parser.reset();
    parser.feed("GET / HTTP/1.x\r\n\r\n");
    REQUIRE(parser.failed());
    CHECK_FALSE(parser.error().has_request);
}
