// The `minicorn` command line: help, version, and bad input that must exit 2
// with a message naming the flag. These run the real binary.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "engine/wsgi/demo_app.h"
#include "models/registry.h"
#include "tests/support/run_minicorn.h"

using minicorn::testing::Run;
using minicorn::testing::run_minicorn;

TEST_CASE("minicorn --help lists the subcommands and --version prints the version", "[cli]") {
    Run help = run_minicorn("--help");
    CHECK(help.status == 0);
    CHECK(help.output.find("serve") != std::string::npos);
    Run version = run_minicorn("--version");
    CHECK(version.status == 0);
    CHECK(version.output.find("minicorn 0.1.0") != std::string::npos);
    Run none = run_minicorn("");
    CHECK(none.status == 2);
    Run bogus = run_minicorn("frobnicate");
    CHECK(bogus.status == 2);
    CHECK(bogus.output.find("unknown command 'frobnicate'") != std::string::npos);
}

TEST_CASE("minicorn --help names what exists and promises nothing", "[cli]") {
    Run help = run_minicorn("--help");
    for (const char* command : {"serve", "load", "export", "minicorn-studio"}) {
        INFO(command);
        CHECK(help.output.find(command) != std::string::npos);
    }
    CHECK(help.output.find("not built") == std::string::npos);
    CHECK(help.output.find("planned") == std::string::npos);
}

TEST_CASE("minicorn serve --help lists every setting with its default", "[cli]") {
    Run help = run_minicorn("serve --help");
    CHECK(help.status == 0);
    for (const char* flag : {"-b, --bind", "-w, --workers", "-k, --worker-class", "--threads", "--worker-connections",
                             "-t, --timeout", "--graceful-timeout", "--keep-alive", "--backlog", "--max-requests",
                             "--max-requests-jitter", "--limit-request-line", "--limit-request-fields",
                             "--limit-request-field_size", "--reuse-port", "--access-logfile", "--access-logformat",
                             "--error-logfile", "--log-level", "--pid"}) {
        INFO(flag);
        CHECK(help.output.find(flag) != std::string::npos);
    }
    CHECK(help.output.find("[default: 2048]") != std::string::npos);
    CHECK(help.output.find("[default: 127.0.0.1:8000]") != std::string::npos);
}

TEST_CASE("minicorn serve --help names every route of the demo application", "[cli]") {
    Run help = run_minicorn("serve --help");
    for (const minicorn::wsgi::RouteInfo& route : minicorn::wsgi::demo_routes()) {
        INFO(route.path);
        const std::string listed = std::string(route.path);
        CHECK((help.output.find(listed + ",") != std::string::npos || help.output.find(listed + ")") != std::string::npos));
    }
}

TEST_CASE("a bad value exits 2 with a message that names the flag", "[cli]") {
    Run r = run_minicorn("serve -w abc");
    CHECK(r.status == 2);
    CHECK(r.output.find("-w/--workers") != std::string::npos);
    CHECK(run_minicorn("serve --timeout=-1").output.find("-t/--timeout: value must be positive") != std::string::npos);
    CHECK(run_minicorn("serve --backlog").status == 2);
    Run level = run_minicorn("serve --log-level loud");
    CHECK(level.status == 2);
    CHECK(level.output.find("--log-level") != std::string::npos);
    Run bind = run_minicorn("serve -b 127.0.0.1:99999");
    CHECK(bind.status == 2);
    CHECK(bind.output.find("-b/--bind") != std::string::npos);
    Run unknown = run_minicorn("serve --no-such-flag");
    CHECK(unknown.status == 2);
    CHECK(unknown.output.find("--no-such-flag") != std::string::npos);
}

TEST_CASE("-k takes exactly the worker classes minicorn has, and names them when refused", "[cli]") {
    for (const minicorn::models::WorkerModel& model : minicorn::models::worker_models()) {
        INFO(model.name);
        CHECK(run_minicorn("serve -k " + std::string(model.name) + " --help").status == 0);
    }
    Run pywsgi = run_minicorn("serve -k gevent_pywsgi");  // a gunicorn class minicorn does not model
    CHECK(pywsgi.status == 2);
    CHECK(pywsgi.output.find("invalid choice: 'gevent_pywsgi'") != std::string::npos);
    CHECK(pywsgi.output.find("sync, gthread, eventlet, gevent, tornado, asyncio, uvicorn") != std::string::npos);
    Run bogus = run_minicorn("serve -k fibers");
    CHECK(bogus.status == 2);
    CHECK(bogus.output.find("invalid choice: 'fibers'") != std::string::npos);
}

TEST_CASE("trace options refuse what cannot work before the server starts", "[cli]") {
    Run unwritable = run_minicorn("serve --trace /nonexistent-dir/run.rec");
    CHECK(unwritable.status == 2);
    CHECK(unwritable.output.find("argument --trace: cannot write") != std::string::npos);
    Run bad_fd = run_minicorn("serve --trace-fd 77");
    CHECK(bad_fd.status == 2);
    CHECK(bad_fd.output.find("--trace-fd 77 is not a minicorn trace region") != std::string::npos);
    Run both = run_minicorn("serve --trace /tmp/x.rec --trace-fd 5");
    CHECK(both.status == 2);
}
