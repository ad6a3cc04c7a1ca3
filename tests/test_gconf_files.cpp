// Bring your own configuration: gunicorn config files of the kinds found in
// the wild (tests/data/gconf/), GUNICORN_CMD_ARGS and the command line, read
// with gunicorn 20.1's precedence (engine/config/gunicorn_config.h).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/config/gunicorn_config.h"
#include "engine/config/gunicorn_names.h"
#include "tests/test_gconf_data.h"

using minicorn::config::ConfigWarning;
using minicorn::config::Host;
using minicorn::config::load_gunicorn_config;
using minicorn::config::LoadedConfig;
using minicorn::config::Source;

namespace {

std::string data(const std::string& name) { return minicorn::testing::gconf_data(name); }

Host host(std::map<std::string, std::string> env = {}) {
    Host h;
    h.env = std::move(env);
    h.cpu_count = 4;
    h.usable_cpus = 4;
    return h;
}

LoadedConfig load(const std::string& file, std::map<std::string, std::string> env = {},
                  std::vector<std::string> argv = {}) {
    return load_gunicorn_config(file.empty() ? "" : data(file), host(std::move(env)), argv);
}

const minicorn::config::SettingOrigin& origin(const LoadedConfig& c, std::string_view name) {
    for (const auto& o : c.origins)
        if (o.setting->name == name) return o;
    FAIL("no setting " << name);
    throw;
}

// The warning whose text contains `needle`, or nullptr.
const ConfigWarning* warning(const LoadedConfig& c, std::string_view needle) {
    for (const ConfigWarning& w : c.warnings)
        if (w.text.find(needle) != std::string::npos) return &w;
    return nullptr;
}

std::string where_line(const ConfigWarning* w) { return w ? w->where.substr(w->where.rfind(':') + 1) : "none"; }

}  // namespace

TEST_CASE("a Heroku-style config file reads PORT and WEB_CONCURRENCY from the environment", "[gconf]") {
    LoadedConfig c = load("heroku.conf.py", {{"PORT", "5000"}, {"WEB_CONCURRENCY", "5"}});
    REQUIRE(c.status == LoadedConfig::Status::Ok);
    CHECK(c.config.bind == std::vector<std::string>{"0.0.0.0:5000"});
    CHECK(c.config.workers == 5);
    CHECK(c.config.threads == 1);
    CHECK(c.config.max_requests == 1200);
    CHECK(c.config.max_requests_jitter == 50);
    CHECK(c.config.accesslog == "-");
    CHECK(origin(c, "workers").where.ends_with("heroku.conf.py:8"));
    CHECK(origin(c, "workers").written == "workers = int(os.environ.get(\"WEB_CONCURRENCY\", 2))");
    CHECK(origin(c, "graceful_timeout").source == Source::Default);
    const ConfigWarning* fwd = warning(c, "forwarded_allow_ips");
    CHECK(where_line(fwd) == "22");

    LoadedConfig bare = load("heroku.conf.py");  // no PORT, no WEB_CONCURRENCY: the file's own fallbacks
    CHECK(bare.config.bind == std::vector<std::string>{"0.0.0.0:8000"});
    CHECK(bare.config.workers == 2);
}

TEST_CASE("a Docker-style config file evaluates its env-driven arithmetic and names what it skips", "[gconf]") {
    LoadedConfig c = load("docker.conf.py", {{"WORKERS_PER_CORE", "1.5"}, {"LOG_LEVEL", "warning"}});
    REQUIRE(c.status == LoadedConfig::Status::Ok);
    CHECK(c.config.workers == 6);  // max(int(1.5 * 4 cores), 2)
    CHECK(c.config.bind == std::vector<std::string>{"0.0.0.0:80"});
    CHECK(c.config.worker_class == "gevent");  // from gunicorn.workers.ggevent.GeventWorker
    CHECK(c.config.worker_tmp_dir == "/dev/shm");
    CHECK(c.config.timeout == 120);
    CHECK(c.config.graceful_timeout == 120);
    CHECK(c.config.keepalive == 5);
    CHECK(c.config.loglevel == "warning");  // "WARNING" from .upper(), lower-cased as gunicorn does
    CHECK(where_line(warning(c, "an if block")) == "17-18");
    CHECK(where_line(warning(c, "dict and set literals")) == "37-41");
    CHECK(where_line(warning(c, "not other statements")) == "42");

    LoadedConfig bound = load("docker.conf.py", {{"BIND", "127.0.0.1:9000"}, {"WEB_CONCURRENCY", "3"}});
    CHECK(bound.config.bind == std::vector<std::string>{"127.0.0.1:9000"});
    CHECK(bound.config.workers == 3);
}

TEST_CASE("hooks and settings minicorn lacks are listed with their lines and ignored", "[gconf]") {
    LoadedConfig c = load("hooks.conf.py");
    REQUIRE(c.status == LoadedConfig::Status::Ok);
    CHECK(c.config.bind == std::vector<std::string>{"127.0.0.1:8000", "unix:/tmp/shop.sock"});
    CHECK(c.config.workers == 9);
    CHECK(c.config.effective_worker_class() == "gthread");
    CHECK(c.config.threads == 4);
    CHECK(c.config.backlog == 4096);
    CHECK(c.config.pidfile == "/tmp/shop.pid");
    CHECK(where_line(warning(c, "import logging")) == "2");
    CHECK(where_line(warning(c, "daemon: a gunicorn setting minicorn does not have")) == "15");
    CHECK(where_line(warning(c, "proc_name: a gunicorn setting")) == "16");
    CHECK(where_line(warning(c, "did you mean workers?")) == "18");
    CHECK(where_line(warning(c, "'logging' comes from a line minicorn did not run")) == "20");
    CHECK(where_line(warning(c, "server hook on_starting")) == "23-24");
    CHECK(where_line(warning(c, "server hook post_fork")) == "27-28");
    CHECK(where_line(warning(c, "server hook worker_abort")) == "31-32");
    CHECK(where_line(warning(c, "server hook child_exit")) == "35-38");
    // preload_app: honoured where minicorn's settings table has it, else listed.
    bool honoured = minicorn::config::find_setting_by_name("preload_app") != nullptr;
    CHECK((honoured ? origin(c, "preload_app").source == Source::File : warning(c, "preload_app") != nullptr));
}

TEST_CASE("a syntax error or a NameError in the file stops with file:line", "[gconf]") {
    LoadedConfig c = load("syntax_error.conf.py");
    CHECK(c.status == LoadedConfig::Status::Error);
    CHECK(c.exit_code == 1);
    CHECK(c.error == data("syntax_error.conf.py") + ":5: SyntaxError: '(' was never closed");
    LoadedConfig n = load("name_error.conf.py");
    CHECK(n.status == LoadedConfig::Status::Error);
    CHECK(n.error == data("name_error.conf.py") + ":4: NameError: name 'worker' is not defined");
    LoadedConfig missing = load("no_such.conf.py");
    CHECK(missing.error == "'" + data("no_such.conf.py") + "' doesn't exist");
}

TEST_CASE("a value gunicorn would refuse is an error naming the file, line and setting", "[gconf]") {
    // In Python 3, cpu_count() / 2 is a float: gunicorn refuses it too.
    LoadedConfig c = load_gunicorn_config("", host(), std::vector<std::string>{});
    CHECK(c.status == LoadedConfig::Status::Ok);
    std::string path = "/tmp/gconf-test-float.conf.py";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        REQUIRE(f);
        std::fputs("import multiprocessing\nworkers = multiprocessing.cpu_count() / 2\n", f);
        std::fclose(f);
    }
    LoadedConfig bad = load_gunicorn_config(path, host(), std::vector<std::string>{});
    std::remove(path.c_str());
    CHECK(bad.status == LoadedConfig::Status::Error);
    CHECK(bad.error == path + ":2: Invalid value for workers: 2.0 (an integer is needed, not float)");
}

TEST_CASE("command line over GUNICORN_CMD_ARGS over the file over the defaults", "[gconf]") {
    std::map<std::string, std::string> env = {
        {"GUNICORN_CMD_ARGS", "--workers=3 -k 'eventlet' --bind 127.0.0.1:7000 --daemon --timeout 45"},
        {"WEB_CONCURRENCY", "5"}};
    LoadedConfig c = load("heroku.conf.py", env, {"-w", "7", "--keep-alive=9"});
    REQUIRE(c.status == LoadedConfig::Status::Ok);
    CHECK(c.config.workers == 7);
    CHECK(origin(c, "workers").source == Source::CommandLine);
    CHECK(c.config.keepalive == 9);
    CHECK(c.config.worker_class == "eventlet");
    CHECK(origin(c, "worker_class").source == Source::CmdArgs);
    CHECK(c.config.timeout == 45);
    CHECK(c.config.bind == std::vector<std::string>{"127.0.0.1:7000"});  // replaces the file's, not added to it
    CHECK(c.config.max_requests == 1200);
    CHECK(origin(c, "max_requests").source == Source::File);
    CHECK(origin(c, "backlog").source == Source::Default);
    CHECK(warning(c, "'--daemon': not a minicorn flag") != nullptr);

    LoadedConfig defaults = load("", {{"WEB_CONCURRENCY", "4"}});
    CHECK(defaults.config.workers == 4);  // gunicorn's default for workers is $WEB_CONCURRENCY
    CHECK(origin(defaults, "workers").source == Source::Environment);
}

TEST_CASE("-c may come from the command line or from GUNICORN_CMD_ARGS", "[gconf]") {
    LoadedConfig from_argv = load_gunicorn_config("", host(), std::vector<std::string>{"-c", data("hooks.conf.py")});
    CHECK(from_argv.config_file == data("hooks.conf.py"));
    CHECK(from_argv.config.threads == 4);
    LoadedConfig from_env =
        load_gunicorn_config("", host({{"GUNICORN_CMD_ARGS", "--config=" + data("hooks.conf.py")}}), std::vector<std::string>{});
    CHECK(from_env.config.threads == 4);
    LoadedConfig both = load_gunicorn_config("", host({{"GUNICORN_CMD_ARGS", "-c " + data("hooks.conf.py")}}),
                                             std::vector<std::string>{"--config", data("heroku.conf.py")});
    CHECK(both.config_file == data("heroku.conf.py"));  // the command line's -c wins
    LoadedConfig flags = load_gunicorn_config("", host(), std::vector<std::string>{"--print-config", "--check-config"});
    CHECK(flags.print_config);
    CHECK(flags.check_config);
}

TEST_CASE("bad flags keep their exit status 2 and messages; GUNICORN_CMD_ARGS's say where they came from", "[gconf]") {
    LoadedConfig bad = load("", {}, {"-w", "abc"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.error == "argument -w/--workers: 'abc' is not an integer");
    LoadedConfig env = load("", {{"GUNICORN_CMD_ARGS", "--workers=abc"}});
    CHECK(env.exit_code == 2);
    CHECK(env.error == "GUNICORN_CMD_ARGS: argument -w/--workers: 'abc' is not an integer");
    LoadedConfig quote = load("", {{"GUNICORN_CMD_ARGS", "--bind '127.0.0.1"}});
    CHECK(quote.error == "GUNICORN_CMD_ARGS: no closing quotation");
    CHECK(load("", {}, {"--help"}).status == LoadedConfig::Status::Help);
}

TEST_CASE("a gunicorn name finds minicorn's setting by name or by the flag rule", "[gconf]") {
    using minicorn::config::find_setting_by_name;
    REQUIRE(find_setting_by_name("worker_connections"));
    CHECK(find_setting_by_name("worker_connections")->long_flag == "--worker-connections");
    CHECK(find_setting_by_name("keepalive")->long_flag == "--keep-alive");
    CHECK(find_setting_by_name("app_load_ms")->long_flag == "--app-load-ms");
    CHECK(find_setting_by_name("daemon") == nullptr);
    std::vector<std::string> words;
    CHECK(minicorn::config::shell_split(R"(-w 3 --bind="0.0.0.0:80" 'a b' c\ d "e\"f")", words));
    CHECK(words == std::vector<std::string>{"-w", "3", "--bind=0.0.0.0:80", "a b", "c d", "e\"f"});
}
