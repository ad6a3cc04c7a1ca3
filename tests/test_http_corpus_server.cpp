// The HTTP corpus again, this time over real sockets against `minicorn serve`
// with sync workers: every raw request in tests/http/corpus/ must get the
// answer gunicorn 20.1 gives it — the same error status, or no response at
// all, or (for a request that parses) an answer from the application.
//
// The corpus was answered by gunicorn running an app that reads the whole
// body (tests/http/echo_app.py); a body error surfaces only when the app
// reads. So a request whose head parses goes to /echo, the demo app's route
// that reads its body.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <tuple>

#include "engine/http/parser.h"
#include "tests/http/corpus_case.h"
#include "tests/support/server_process.h"

namespace fs = std::filesystem;
using namespace minicorn::testing;
namespace ht = minicorn::http::testing;

namespace {

// Sends `bytes`, half-closes (the client has said all it will say), reads
// until the server closes. Empty: no response at all.
std::string exchange(int port, const std::string& bytes) {
    int fd = connect_loopback(port);
    if (fd < 0) return "<connect failed>";
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[8192];
    while (true) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

// The request with its target replaced by /echo, when its head parses (and
// the new line stays within the line limit); otherwise unchanged.
std::string to_echo(const std::string& bytes, const minicorn::http::Limits& limits) {
    minicorn::http::RequestParser parser(limits);
    parser.feed(bytes);
    if (!parser.head_done()) return bytes;
    const std::size_t first = bytes.find(' ');
    const std::size_t second = bytes.find(' ', first + 1);
    const std::size_t eol = bytes.find("\r\n");
    std::string line = bytes.substr(0, first + 1) + "/echo" + bytes.substr(second, eol - second);
    if (limits.limit_request_line > 0 && line.size() > limits.limit_request_line) return bytes;
    return line + bytes.substr(eol);
}

}  // namespace

TEST_CASE("every corpus request gets gunicorn 20.1's answer from a live sync worker", "[process][http]") {
    std::size_t fds_before = open_fd_count();
    // Group the cases by the limits they need: one server per group.
    using LimitsKey = std::tuple<std::size_t, std::size_t, std::size_t>;
    std::map<LimitsKey, std::vector<fs::path>> groups;
    for (const auto& entry : fs::directory_iterator(MINICORN_HTTP_CORPUS)) {
        if (entry.path().extension() != ".http") continue;
        fs::path expect_path = entry.path();
        expect_path.replace_extension(".expect");
        ht::CorpusExpect expect = ht::parse_expect(ht::read_file(expect_path));
        minicorn::http::Limits limits = expect.limits.value_or(minicorn::http::Limits{});
        groups[{limits.limit_request_line, limits.limit_request_fields, limits.limit_request_field_size}].push_back(
            entry.path());
    }
    std::size_t checked = 0;
    for (auto& [key, cases] : groups) {
        auto [line, fields, field_size] = key;
        auto server = ServerProcess::start({"-w", "1", "--limit-request-line", std::to_string(line),
                                            "--limit-request-fields", std::to_string(fields),
                                            "--limit-request-field_size", std::to_string(field_size)});
        for (const fs::path& http_path : cases) {
            fs::path expect_path = http_path;
            expect_path.replace_extension(".expect");
            ht::CorpusExpect expect = ht::parse_expect(ht::read_file(expect_path));
            const std::string bytes = ht::read_file(http_path);
            std::string reply = exchange(server->port(), to_echo(bytes, expect.limits.value_or(minicorn::http::Limits{})));
            INFO(http_path.filename().string() << " expects " << expect.status << ", got: "
                                               << ht::escape(reply.substr(0, 200)));
            if (expect.status == "none") {
                CHECK(reply.empty());
            } else if (expect.status == "200") {
                // It parsed: the application answered (the demo app may say 404 for a path it
                // does not know), not gunicorn's HTML error page.
                CHECK(reply.starts_with("HTTP/"));
                CHECK(reply.find("Content-Type: text/html") == std::string::npos);
            } else {
                CHECK(reply.starts_with("HTTP/1.1 " + expect.status + " "));
                CHECK(reply.find("Content-Type: text/html") != std::string::npos);
            }
            ++checked;
        }
    }
    CHECK(checked >= 70);
    reap_children();
    CHECK(open_fd_count() == fds_before);
}
