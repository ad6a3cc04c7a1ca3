// The demo application as a client of a worker sees it: status, headers and
// body of each route. A fake Runtime records what the app asked of it instead
// of sleeping, so these tests take no time and need no GIL.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/http/request.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/demo_app.h"
#include "engine/wsgi/query.h"

namespace wsgi = minicorn::wsgi;
namespace http = minicorn::http;
using wsgi::Millis;

namespace {

struct HangCalled {};  // how FakeRuntime::hang() gets out of a [[noreturn]] call

class FakeRuntime final : public wsgi::Runtime {
public:
    struct Call {
        std::string what;
        Millis ms{0};
        bool operator==(const Call&) const = default;
    };
    std::vector<Call> calls;

    void sleep(Millis ms) override { calls.push_back({"sleep", ms}); }
    void block(Millis ms) override { calls.push_back({"block", ms}); }
    void db(Millis ms) override { calls.push_back({"db", ms}); }
    void db_on(const wsgi::DbConnection&, Millis ms) override { calls.push_back({"db_on", ms}); }
    void cpu(Millis ms) override { calls.push_back({"cpu", ms}); }
    [[noreturn]] void hang() override {
        calls.push_back({"hang", Millis{0}});
        throw HangCalled{};
    }
    wsgi::ViewStyle view_style() const override { return wsgi::ViewStyle::Plain; }
    void spawn_all(std::span<const wsgi::Task> tasks) override {
        calls.push_back({"spawn_all", Millis{static_cast<Millis::rep>(tasks.size())}});
        for (const wsgi::Task& t : tasks) t(*this);
    }
    void thread_pool(std::span<const wsgi::Task> tasks) override {
        calls.push_back({"thread_pool", Millis{static_cast<Millis::rep>(tasks.size())}});
        for (const wsgi::Task& t : tasks) t(*this);
    }
    void check_signals() override {}
};

http::Request make_request(std::string method, const std::string& target) {
    http::Request request;
    request.method = std::move(method);
    request.uri = target;
    const auto q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    return request;
}

// What a client receives: the body is drained chunk by chunk, as a worker would.
struct Reply {
    int status = 0;
    std::string reason;
    std::vector<http::Header> headers;
    std::vector<std::string> chunks;

    std::string body() const {
        std::string all;
        for (const auto& c : chunks) all += c;
        return all;
    }
    std::optional<std::string> header(std::string_view name) const {
        for (const auto& h : headers) {
            if (h.name == name) return h.value;
        }
        return std::nullopt;
    }
};

Reply drain(wsgi::Response response) {
    Reply reply{response.status, response.reason, response.headers, {}};
    if (response.next_chunk) {
        while (auto chunk = response.next_chunk()) reply.chunks.push_back(std::move(*chunk));
    }
    return reply;
}

Reply serve(const http::Request& request, FakeRuntime& runtime) {
    auto app = wsgi::make_demo_app();
    wsgi::StringInput input(request.body);
    const wsgi::Environ env{request, "127.0.0.1", 50000, "127.0.0.1", 8000, false, false, runtime, input};
    return drain(app->call(env));
}

Reply get(const std::string& target, FakeRuntime& runtime) {
    return serve(make_request("GET", target), runtime);
}

// Every fixed-size reply must announce its size exactly, or a keep-alive
// client would read the next response as part of this one.
void require_exact_content_length(const Reply& reply) {
    const auto length = reply.header("Content-Length");
    REQUIRE(length);
    CHECK(*length == std::to_string(reply.body().size()));
}

}  // namespace

TEST_CASE("/ answers 200 Hello, World! as text/plain with its length", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/", runtime);
    CHECK(reply.status == 200);
    CHECK(reply.reason == "OK");
    CHECK(reply.body() == "Hello, World!");
    CHECK(reply.header("Content-Type").value_or("").starts_with("text/plain"));
    require_exact_content_length(reply);
    CHECK(runtime.calls.empty());
}

TEST_CASE("/ answers any method the same way", "[wsgi][demo]") {
    for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}) {
        FakeRuntime runtime;
        const Reply reply = serve(make_request(method, "/"), runtime);
        INFO(method);
        CHECK(reply.status == 200);
        CHECK(reply.body() == "Hello, World!");
    }
}

TEST_CASE("/io sleeps through the runtime (a patched sleep), then says so", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/io?ms=50", runtime);
    CHECK(reply.status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"sleep", Millis{50}}});
    CHECK_THAT(reply.body(), Catch::Contains("slept 50 ms"));
    require_exact_content_length(reply);
}

TEST_CASE("/cpu computes through the runtime, holding the GIL", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/cpu?ms=120", runtime);
    CHECK(reply.status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"cpu", Millis{120}}});
    CHECK_THAT(reply.body(), Catch::Contains("120 ms of CPU time"));
    require_exact_content_length(reply);
}

TEST_CASE("/block makes an unpatched blocking call through the runtime", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/block?ms=7", runtime);
    CHECK(reply.status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"block", Millis{7}}});
    CHECK_THAT(reply.body(), Catch::Contains("blocked 7 ms"));
    require_exact_content_length(reply);
}

TEST_CASE("/io?ms=0 and the largest allowed value are accepted", "[wsgi][demo]") {
    FakeRuntime runtime;
    CHECK(get("/io?ms=0", runtime).status == 200);
    CHECK(get("/io?ms=600000", runtime).status == 200);
    CHECK(get("/cpu?ms=000600000", runtime).status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"sleep", Millis{0}},
                                                          {"sleep", Millis{600000}},
                                                          {"cpu", Millis{600000}}});
}

TEST_CASE("/stream sends N chunks lazily, sleeping M ms before each but the first, "
          "with no Content-Length",
          "[wsgi][demo]") {
    FakeRuntime runtime;
    auto app = wsgi::make_demo_app();
    const http::Request request = make_request("GET", "/stream?chunks=3&ms=40");
    wsgi::StringInput input("");
    const wsgi::Environ env{request, "127.0.0.1", 50000, "127.0.0.1", 8000, false, false, runtime, input};
    wsgi::Response response = app->call(env);

    CHECK(response.status == 200);
    // No length, so the worker must send it chunked to an HTTP/1.1 client.
    for (const auto& h : response.headers) CHECK(h.name != "Content-Length");
    // Nothing is produced — and nobody sleeps — until the worker asks.
    CHECK(runtime.calls.empty());

    REQUIRE(response.next_chunk);
    CHECK(response.next_chunk() == "chunk 1 of 3\n");
    CHECK(runtime.calls.empty());  // the first chunk comes at once
    CHECK(response.next_chunk() == "chunk 2 of 3\n");
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"sleep", Millis{40}}});
    CHECK(response.next_chunk() == "chunk 3 of 3\n");
    CHECK(response.next_chunk() == std::nullopt);
    CHECK(runtime.calls.size() == 2);
}

TEST_CASE("/stream defaults to 5 chunks 100 ms apart", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/stream", runtime);
    CHECK(reply.chunks.size() == 5);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>(4, {"sleep", Millis{100}}));
    for (const auto& chunk : reply.chunks) CHECK_FALSE(chunk.empty());  // empty = end when chunked
}

TEST_CASE("/stream?chunks=0 is an empty body, without a sleep", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/stream?chunks=0&ms=10", runtime);
    CHECK(reply.status == 200);
    CHECK(reply.chunks.empty());
    CHECK(runtime.calls.empty());
}

TEST_CASE("/echo returns the request body byte for byte, read from wsgi.input", "[wsgi][demo]") {
    FakeRuntime runtime;
    http::Request request = make_request("POST", "/echo");
    request.body = std::string("binary\0body\r\n\xff", 15);
    const Reply reply = serve(request, runtime);
    CHECK(reply.status == 200);
    CHECK(reply.body() == request.body);
    CHECK(reply.header("Content-Type") == "application/octet-stream");
    require_exact_content_length(reply);
}

TEST_CASE("/echo of an empty body is 200 with Content-Length 0", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/echo", runtime);
    CHECK(reply.status == 200);
    CHECK(reply.header("Content-Length") == "0");
    CHECK(reply.chunks.empty());
}

TEST_CASE("/headers lists the request headers, one NAME: value per line, in order",
          "[wsgi][demo]") {
    FakeRuntime runtime;
    http::Request request = make_request("GET", "/headers");
    request.headers = {{"HOST", "127.0.0.1:8000"}, {"X-REQUEST-ID", "42"}, {"ACCEPT", "*/*"},
                       {"X-REQUEST-ID", "43"}};
    const Reply reply = serve(request, runtime);
    CHECK(reply.status == 200);
    CHECK(reply.body() == "HOST: 127.0.0.1:8000\nX-REQUEST-ID: 42\nACCEPT: */*\nX-REQUEST-ID: 43\n");
    CHECK(reply.header("Content-Type").value_or("").starts_with("text/plain"));
    require_exact_content_length(reply);
}

TEST_CASE("/hang hands the request to runtime.hang(), which never returns", "[wsgi][demo]") {
    FakeRuntime runtime;
    CHECK_THROWS_AS(get("/hang", runtime), HangCalled);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"hang", Millis{0}}});
}

TEST_CASE("an unknown path is a 404 that names the path", "[wsgi][demo]") {
    FakeRuntime runtime;
    for (const char* target : {"/nope", "/io/", "/IO?ms=1", "/hello"}) {
        const Reply reply = get(target, runtime);
        INFO(target);
        CHECK(reply.status == 404);
        CHECK(reply.reason == "Not Found");
        CHECK_THAT(reply.body(), Catch::Contains(make_request("GET", target).path));
        require_exact_content_length(reply);
    }
    CHECK(runtime.calls.empty());
}

TEST_CASE("a missing, malformed or too large parameter is a 400 naming it, and nothing runs",
          "[wsgi][demo]") {
    struct Case {
        const char* target;
        const char* parameter;
    };
    const Case cases[] = {
        {"/io", "'ms'"},                    // missing
        {"/cpu", "'ms'"},                   // missing
        {"/block?msec=5", "'ms'"},          // missing (wrong name)
        {"/io?ms=", "'ms'"},                // empty
        {"/io?ms", "'ms'"},                 // no value at all
        {"/io?ms=-5", "'ms'"},              // negative
        {"/io?ms=abc", "'ms'"},             // not a number
        {"/cpu?ms=1.5", "'ms'"},            // not an integer
        {"/cpu?ms=%2B5", "'ms'"},           // "+5": signs are not digits
        {"/block?ms=600001", "'ms'"},       // over the cap
        {"/io?ms=99999999999999999999999", "'ms'"},  // would overflow 64 bits
        {"/stream?chunks=10001", "'chunks'"},
        {"/stream?chunks=two", "'chunks'"},
        {"/stream?chunks=2&ms=x", "'ms'"},
    };
    for (const Case& c : cases) {
        FakeRuntime runtime;
        const Reply reply = get(c.target, runtime);
        INFO(c.target);
        CHECK(reply.status == 400);
        CHECK(reply.reason == "Bad Request");
        CHECK_THAT(reply.body(), Catch::Contains(c.parameter));
        CHECK(reply.header("Content-Type").value_or("").starts_with("text/plain"));
        require_exact_content_length(reply);
        CHECK(runtime.calls.empty());
    }
}

TEST_CASE("paths and parameters are percent-decoded; the last repeated parameter wins",
          "[wsgi][demo]") {
    FakeRuntime runtime;
    CHECK(get("/%69o?m%73=1%32", runtime).status == 200);  // /io?ms=12
    CHECK(get("/cpu?ms=1&ms=3", runtime).status == 200);   // Django's request.GET['ms'] is the last
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"sleep", Millis{12}}, {"cpu", Millis{3}}});
}

TEST_CASE("the route table lists every route with a usage and a description", "[wsgi][demo]") {
    const auto& routes = wsgi::demo_routes();
    std::vector<std::string> paths;
    for (const auto& route : routes) {
        paths.emplace_back(route.path);
        CHECK(route.usage.starts_with(route.path));
        CHECK_FALSE(route.description.empty());
        CHECK(route.handler != nullptr);
    }
    // /crash is listed (and routed) but never called here: it would SIGKILL the test runner.
    CHECK(paths == std::vector<std::string>{"/", "/io", "/db", "/cpu", "/block", "/stream", "/fanout",
                                            "/threads", "/echo", "/headers", "/crash", "/hang", "/version", "/deploy"});
}

TEST_CASE("/fanout: a plain view sleeps N times in a row; spawn=1 hands the N waits to the runtime at once",
          "[wsgi][demo]") {
    FakeRuntime runtime;
    CHECK(get("/fanout?n=3&ms=20", runtime).status == 200);
    CHECK(runtime.calls ==
          std::vector<FakeRuntime::Call>{{"sleep", Millis{20}}, {"sleep", Millis{20}}, {"sleep", Millis{20}}});
    runtime.calls.clear();
    CHECK(get("/fanout?n=2&ms=5&spawn=1", runtime).status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"spawn_all", Millis{2}}, {"sleep", Millis{5}}, {"sleep", Millis{5}}});
}

TEST_CASE("/threads runs N tasks on the runtime's thread pool: sleeps, or CPU work with work=cpu", "[wsgi][demo]") {
    FakeRuntime runtime;
    const Reply reply = get("/threads?n=2&ms=7&work=cpu", runtime);
    CHECK(reply.status == 200);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"thread_pool", Millis{2}}, {"cpu", Millis{7}}, {"cpu", Millis{7}}});
    CHECK(reply.body().find("ran on 1 OS thread") != std::string::npos);  // the fake runs them on the caller's
}

TEST_CASE("query strings decode as Django's QueryDict", "[wsgi][query]") {
    const auto q = wsgi::QueryParams::parse("a=1&b=x+y&&c&d=%41%zz%4&a=2&e=%2b");
    CHECK(*q.get("a") == "2");
    CHECK(*q.get("b") == "x y");
    CHECK(q.get("c")->empty());
    CHECK(*q.get("d") == "A%zz%4");  // malformed escapes stay as written
    CHECK(*q.get("e") == "+");
    CHECK(q.get("missing") == nullptr);
    CHECK(q.items().size() == 6);
    CHECK(wsgi::percent_decode("/a+b%20c", wsgi::PlusAsSpace::No) == "/a+b c");
}

// --- loading ------------------------------------------------------------------

TEST_CASE("load_app('demo') spends the import time in a blocking call, then serves",
          "[wsgi][load]") {
    FakeRuntime runtime;
    auto app = wsgi::load_app({"demo", Millis{250}}, runtime);
    REQUIRE(app);
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"block", Millis{250}}});
    const http::Request request = make_request("GET", "/");
    wsgi::StringInput input("");
    const wsgi::Environ env{request, "127.0.0.1", 1, "127.0.0.1", 8000, false, false, runtime, input};
    CHECK(drain(app->call(env)).body() == "Hello, World!");
}

TEST_CASE("load_app('broken') fails like gunicorn's AppImportError, after its import time",
          "[wsgi][load]") {
    FakeRuntime runtime;
    try {
        (void)wsgi::load_app({"broken", Millis{30}}, runtime);
        FAIL("load_app('broken') returned");
    } catch (const wsgi::AppLoadError& e) {
        CHECK(std::string(e.what()) == "Failed to find attribute 'application' in 'broken'.");
    }
    CHECK(runtime.calls == std::vector<FakeRuntime::Call>{{"block", Millis{30}}});
}

TEST_CASE("load_app of an unknown name fails at once, listing the apps there are",
          "[wsgi][load]") {
    FakeRuntime runtime;
    try {
        (void)wsgi::load_app({"djangoo", Millis{500}}, runtime);
        FAIL("load_app('djangoo') returned");
    } catch (const wsgi::AppLoadError& e) {
        const std::string message = e.what();
        CHECK_THAT(message, Catch::Contains("djangoo"));
        CHECK_THAT(message, Catch::Contains("demo"));
        CHECK_THAT(message, Catch::Contains("broken"));
    }
    CHECK(runtime.calls.empty());
    CHECK(wsgi::app_names() == std::vector<std::string_view>{"demo", "broken"});
}

TEST_CASE("load_app without a runtime sleeps the thread for the import time", "[wsgi][load]") {
    const auto start = std::chrono::steady_clock::now();
    auto app = wsgi::load_app({"demo", Millis{30}});
    CHECK(app);
    CHECK(std::chrono::steady_clock::now() - start >= Millis{30});
    CHECK_THROWS_AS(wsgi::load_app({"broken", Millis{0}}), wsgi::AppLoadError);
}
