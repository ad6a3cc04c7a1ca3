// `minicorn serve -c FILE`, GUNICORN_CMD_ARGS, --print-config and
// --check-config, run as the real binary; and a server started from a
// config file, over loopback.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"
#include "tests/test_gconf_data.h"

using namespace minicorn::testing;

namespace {

std::string data(const std::string& name) { return minicorn::testing::gconf_data(name); }

struct Shell {
    int status = -1;
    std::string output;  // stdout and stderr
};

// Runs `ENV minicorn ARGS` through the shell, in a directory with no gunicorn.conf.py.
Shell minicorn_with_env(const std::string& env, const std::string& args) {
    std::string cmd = "cd /tmp && env -u GUNICORN_CMD_ARGS -u WEB_CONCURRENCY -u PORT " + env + " " +
                      std::string(MINICORN_BIN) + " " + args + " 2>&1";
    Shell r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = ::pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

bool has(const Shell& r, std::string_view needle) { return r.output.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("serve --help mentions -c, --print-config and GUNICORN_CMD_ARGS", "[gconf][cli]") {
    Shell help = minicorn_with_env("", "serve --help");
    CHECK(help.status == 0);
    CHECK(has(help, "-c, --config FILE"));
    CHECK(has(help, "--print-config"));
    CHECK(has(help, "--check-config"));
    CHECK(has(help, "GUNICORN_CMD_ARGS"));
}

TEST_CASE("--print-config shows each setting's value and where it came from", "[gconf][cli]") {
    Shell r = minicorn_with_env("PORT=5999 GUNICORN_CMD_ARGS='-k gevent --timeout=45'",
                                "serve -c " + data("heroku.conf.py") + " -w 3 --print-config");
    INFO(r.output);
    CHECK(r.status == 0);
    CHECK(has(r, "0.0.0.0:5999"));
    CHECK(has(r, "heroku.conf.py:7  bind = \"0.0.0.0:\" + os.environ.get(\"PORT\", \"8000\")"));
    CHECK(has(r, "GUNICORN_CMD_ARGS  -k gevent"));
    CHECK(has(r, "command line  -w 3"));
    CHECK(has(r, "warning: " + data("heroku.conf.py") + ":22: forwarded_allow_ips"));
}

TEST_CASE("--check-config reports a syntax error with file:line and exits 1", "[gconf][cli]") {
    Shell bad = minicorn_with_env("", "serve --check-config -c " + data("syntax_error.conf.py"));
    CHECK(bad.status == 1);
    CHECK(has(bad, "minicorn serve: error: " + data("syntax_error.conf.py") + ":5: SyntaxError: '(' was never closed"));
    Shell good = minicorn_with_env("", "serve --check-config -c " + data("hooks.conf.py"));
    CHECK(good.status == 0);
    CHECK(has(good, "server hook post_fork"));
    CHECK(has(good, "the configuration can be used"));
    Shell env = minicorn_with_env("GUNICORN_CMD_ARGS='--workers=x'", "serve --check-config");
    CHECK(env.status == 2);
    CHECK(has(env, "GUNICORN_CMD_ARGS: argument -w/--workers: 'x' is not an integer"));
}

TEST_CASE("a server started from a config file runs what the file says, the command line still winning",
          "[gconf][process]") {
    std::string path = "/tmp/minicorn-gconf-" + std::to_string(::getpid()) + ".conf.py";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs("import multiprocessing\n"
                   "bind = '127.0.0.1:1'  # the command line's -b wins\n"
                   "workers = multiprocessing.cpu_count() // multiprocessing.cpu_count() + 1\n"
                   "worker_class = 'gunicorn.workers.ggevent.GeventWorker'\n"
                   "graceful_timeout = 3\n"
                   "def post_fork(server, worker):\n"
                   "    pass\n",
                   f);
        std::fclose(f);
    }
    LeakCheck leaks;
    {
        auto server = ServerProcess::start({"-c", path});
        REQUIRE(server->wait_for_workers(2, 10s));
        CHECK(server->count_in_log("[INFO] Using worker: gevent") == 1);
        CHECK(server->count_in_log(":6-7: def post_fork") == 1);
        HttpReply r = http_get(server->port(), "/");
        CHECK(r.status == 200);
        server->signal(SIGTERM);
        REQUIRE(server->wait_exit(20s) == 0);  // workers get graceful_timeout = 3 s from the file
    }
    std::remove(path.c_str());
}
