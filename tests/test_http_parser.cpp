// RequestParser against the raw-request corpus (tests/http/corpus, format in
// its README.md), plus focused scenarios: limit clamping, keep-alive
// leftovers, EOF handling.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine/http/parser.h"
#include "engine/http/tornado_wire.h"
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

// Hidden (run with "[gunicorn]"): a differential fuzz against gunicorn 20.1's
// own parser classes, run in-process by tests/http/gunicorn_reference.py.
// Needs /usr/bin/python3 with Debian's gunicorn; takes a few seconds.
TEST_CASE("mutated requests and limit sweeps parse exactly as gunicorn's own parser does", "[.][gunicorn]") {
    if (std::system("/usr/bin/python3 -c 'import gunicorn' 2>/dev/null") != 0) {
        WARN("skipped: /usr/bin/python3 cannot import gunicorn");
        return;
    }
    std::vector<std::string> inputs;
    // Sweeps across the request-line, field-size, field-count and buffer limits.
    for (std::size_t len : std::initializer_list<std::size_t>{4093, 4094, 4095, 4096, 8189, 8190, 8191, 8192, 8193, 16383, 16384, 16385, 16386}) {
        const std::string line = "GET /" + std::string(len - 14, 'a') + " HTTP/1.1";
        for (const char* tail : {"\r\n\r\n", "", "\r", "\n\r\n"}) inputs.push_back(line + tail);
    }
    for (std::size_t size : std::initializer_list<std::size_t>{8189, 8190, 8191, 8192}) {
        inputs.push_back("GET / HTTP/1.1\r\nX: " + std::string(size - 5, 'v') + "\r\n\r\n");
        inputs.push_back("GET / HTTP/1.1\r\nX: a\r\n " + std::string(size - 10, 'c') + "\r\n\r\n");
    }
    for (int extra : {-20, -3, 0, 1, 9000}) {
        std::string block;
        const auto target = static_cast<std::size_t>(819204 + extra) - 2;
        while (block.size() + 8192 <= target) block += "X: " + std::string(8187, 'v') + "\r\n";
        if (target - block.size() >= 5) block += "Y: " + std::string(target - block.size() - 5, 'w') + "\r\n";
        inputs.push_back("GET / HTTP/1.1\r\n" + block + "\r\n");
    }
    // Random mutations of the small corpus cases, mostly after the request line.
    std::vector<std::string> seeds;
    for (const fs::path& p : corpus_cases()) {
        std::string data = testing::read_file(p);
        if (data.size() < 3000) seeds.push_back(std::move(data));
    }
    const std::vector<std::string> tokens = {
        " ", "\r", "\n", "\r\n", "\r\n\r\n", ":", "\t", std::string(1, '\0'), "\xff", "\xdf", "\xb5", "\xe9",
        "0", "9", "a", "F", "-", "+", "_", ";", "'", "\\", "[", "]", "?", "#", "/", "\x0b", "\x85", "\xa0",
        "Transfer-Encoding: chunked\r\n", "Content-Length: 3\r\n", "0\r\n\r\n", "5\r\nhello\r\n",
        "Connection: close\r\n", "X-Forwarded-Proto: https\r\n", "HTTP/1.0", "//", "http://", " chunked"};
    std::mt19937 rng(20210211);
    auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    for (int i = 0; i < 4000; ++i) {
        std::string d = seeds[pick(seeds.size())];
        for (std::size_t edits = 1 + pick(4); edits > 0; --edits) {
            const std::size_t first = d.find("\r\n");
            std::size_t pos = pick(d.size() + 1);
            if (first != std::string::npos && pick(5) != 0) pos = first + 2 + pick(d.size() - first - 1);
            const std::size_t op = pick(10);
            if (op < 4) d.insert(pos, tokens[pick(tokens.size())]);
            else if (op < 7 && pos < d.size()) d.erase(pos, 1 + pick(3));
            else if (!d.empty()) d[std::min(pos, d.size() - 1)] = " \r\n\t:0aZ-;"[pick(10)];
        }
        inputs.push_back(std::move(d));
    }

    const fs::path dir = fs::temp_directory_path() / ("minicorn-http-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream list(dir / "list");
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            const fs::path p = dir / std::to_string(i);
            std::ofstream(p, std::ios::binary) << inputs[i];
            list << p.string() << "\n";
        }
    }
    const fs::path script = fs::path(MINICORN_HTTP_CORPUS).parent_path() / "gunicorn_reference.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " < " + (dir / "list").string() + " > " +
                            (dir / "reference").string();
    const int rc = std::system(cmd.c_str());
    std::ifstream reference(dir / "reference");
    std::vector<std::string> expected;
    for (std::string line; std::getline(reference, line);) expected.push_back(line);
    fs::remove_all(dir);
    REQUIRE(rc == 0);
    REQUIRE(expected.size() == inputs.size());

    std::size_t differences = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const std::string whole = testing::describe(testing::run_parser(inputs[i], Limits{}, Feeding::Whole), inputs[i]);
        const std::string bytes =
            testing::describe(testing::run_parser(inputs[i], Limits{}, Feeding::ByteByByte), inputs[i]);
        if (whole == expected[i] && bytes == whole) continue;
        if (++differences <= 10) {
            FAIL_CHECK("input: " << testing::escape(inputs[i].substr(0, 300)) << "\n  gunicorn: "
                                 << expected[i].substr(0, 300) << "\n  minicorn: " << whole.substr(0, 300)
                                 << (bytes == whole ? "" : "\n  (byte by byte differs)"));
        }
    }
    CHECK(differences == 0);
}

TEST_CASE("a chunk-size line longer than max_chunk_line fails instead of growing (gunicorn 20.1 has no cap)",
          "[http]") {
    RequestParser p;
    p.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=");
    REQUIRE(p.head_done());
    p.feed(std::string(64 * 1024, 'e'));
    REQUIRE(p.failed());
    CHECK(p.error().kind == ParseErrorKind::LimitChunkLine);
    CHECK_FALSE(p.error().sends_response());
}

TEST_CASE("a trailer block is capped like the header block (gunicorn 20.1 buffers it whole)", "[http]") {
    RequestParser p;
    p.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: ");
    const std::string filler(1024 * 1024, 't');
    p.feed(filler);
    REQUIRE(p.failed());
    CHECK(p.error().kind == ParseErrorKind::LimitRequestHeaders);
    CHECK(p.error().status == 400);
}

TEST_CASE("streamed: take_head() hands over the head, take_body() what was decoded since", "[http]") {
    RequestParser p;
    p.feed("POST /up HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    REQUIRE(p.head_done());
    REQUIRE_FALSE(p.done());
    const Request head = p.take_head();
    CHECK(head.path == "/up");
    CHECK(head.body.empty());
    CHECK(p.take_body() == "abc");
    CHECK(p.take_body().empty());
    p.feed("defghijNEXT");
    CHECK(p.done());
    CHECK(p.take_body() == "defghij");
}

TEST_CASE("tornado's limits: a head over 64 KiB, a Content-Length over 100 MiB, a chunk line over 64 bytes",
          "[http][tornado]") {
    const Limits limits = tornado::tornado_limits();
    RequestParser head(limits);
    head.feed("GET /" + std::string(70 * 1024, 'a'));
    REQUIRE(head.failed());
    CHECK(head.error().kind == ParseErrorKind::HeadTooLarge);
    CHECK_FALSE(tornado::answers_bad_request(head.error()));

    RequestParser body(limits);
    body.feed("POST / HTTP/1.1\r\nContent-Length: 104857601\r\n\r\n");
    REQUIRE(body.failed());
    CHECK(body.error().kind == ParseErrorKind::BodyTooLarge);
    CHECK(tornado::answers_bad_request(body.error()));

    RequestParser at_limit(limits);
    at_limit.feed("POST / HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n");
    CHECK_FALSE(at_limit.failed());

    RequestParser chunk(limits);
    chunk.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(70, 'x') + "\r\n");
    REQUIRE(chunk.failed());
    CHECK(chunk.error().kind == ParseErrorKind::LimitChunkLine);
}
