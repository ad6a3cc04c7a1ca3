// The Python subset a gunicorn config file is read with: what each line
// evaluates to, what is skipped with a note, and what stops the server as
// it would stop gunicorn (engine/config/config_file.h).
#include <catch2/catch.hpp>
#include <string>

#include "engine/config/config_file.h"

using minicorn::config::FileResult;
using minicorn::config::Host;
using minicorn::config::PyError;
using minicorn::config::read_config_source;
using minicorn::config::Value;

namespace {

Host test_host() {
    Host h;
    h.env = {{"PORT", "5000"}, {"WEB_CONCURRENCY", "3"}, {"EMPTY", ""}};
    h.cpu_count = 4;
    h.usable_cpus = 2;
    h.file = "/etc/shop/gunicorn.conf.py";
    return h;
}

FileResult run(const std::string& source) { return read_config_source(source, test_host()); }

// The value `name` ends with, as Python's repr, or the error/skip that stopped it.
std::string value_of(const std::string& source, const std::string& name = "x") {
    FileResult r = run(source);
    if (r.error) return "error at " + std::to_string(r.error->line) + ": " + r.error->message;
    if (auto it = r.values.find(name); it != r.values.end()) return repr(it->second.value);
    if (auto it = r.skipped.find(name); it != r.skipped.end()) return "skipped: " + it->second.text;
    return "unbound";
}

}  // namespace

TEST_CASE("the expressions common in config files evaluate as Python would", "[gconf]") {
    CHECK(value_of("import multiprocessing\nx = multiprocessing.cpu_count() * 2 + 1") == "9");
    CHECK(value_of("import os\nx = int(os.environ.get('WEB_CONCURRENCY', 2))") == "3");
    CHECK(value_of("import os\nx = int(os.environ.get('NOPE', 2))") == "2");
    CHECK(value_of("import os\nx = '0.0.0.0:' + os.environ.get('PORT', '8000')") == "'0.0.0.0:5000'");
    CHECK(value_of("import os\nx = f\"0.0.0.0:{os.getenv('PORT', 8000)}\"") == "'0.0.0.0:5000'");
    CHECK(value_of("import os\nx = len(os.sched_getaffinity(0)) + 1") == "3");
    CHECK(value_of("from multiprocessing import cpu_count as n\nx = n() // 3") == "1");
    CHECK(value_of("import os\nx = os.cpu_count() / 8") == "0.5");
    CHECK(value_of("x = 'a' 'b' \"c\"") == "'abc'");
    CHECK(value_of("x = [\n  '127.0.0.1:8000',  # comment\n  'unix:/tmp/s.sock',\n]") ==
          "['127.0.0.1:8000', 'unix:/tmp/s.sock']");
    CHECK(value_of("x = 'a', 'b'") == "('a', 'b')");
    CHECK(value_of("x = 2 ** 10 - -3 % 5") == "1022");
    CHECK(value_of("x = -7 // 2") == "-4");
    CHECK(value_of("x = 1 if 2 > 3 else 4 if 0 else 5") == "5");
    CHECK(value_of("import os\nx = os.environ.get('EMPTY') or 'fallback'") == "'fallback'");
    CHECK(value_of("import os\nx = 'PORT' in os.environ and not 'NOPE' in os.environ") == "True");
    CHECK(value_of("x = 1 < 2 < 3 == 3.0") == "True");
    CHECK(value_of("x = '0.0.0.0:%s' % 8000") == "'0.0.0.0:8000'");
    CHECK(value_of("x = '{}:{}'.format('h', 80)") == "'h:80'");
    CHECK(value_of("x = 'A,B'.lower().split(',')") == "['a', 'b']");
    CHECK(value_of("import os.path\nx = os.path.join(os.path.dirname(__file__), 'logs', 'a.log')") ==
          "'/etc/shop/logs/a.log'");
    CHECK(value_of("x = max(int(1.9 * 2), 2)") == "3");
    CHECK(value_of("x = 4\nx += 1\nx *= 2") == "10");
    CHECK(value_of("y = x = 7", "y") == "7");
    CHECK(value_of("x = 5; y = 6", "y") == "6");
    CHECK(value_of("x = 1 + \\\n    2") == "3");
    CHECK(value_of("x = r'\\d' + '\\t'") == "'\\\\d\\t'");
    CHECK(value_of("x = True + 1") == "2");
    CHECK(value_of("\xEF\xBB\xBFimport os\r\nx = 1\r\n") == "1");  // saved on Windows: BOM and CRLF
}

TEST_CASE("Python errors a config file raises stop it with the line, as gunicorn stops", "[gconf]") {
    CHECK(value_of("x = 1\ny = 1 / 0") == "error at 2: ZeroDivisionError: division by zero");
    CHECK(value_of("x = 'port: ' + 8000") == "error at 1: TypeError: can only concatenate str (not \"int\") to str");
    CHECK(value_of("x = int('two')") == "error at 1: ValueError: invalid literal for int() with base 10: 'two'");
    CHECK(value_of("import os\n\nx = os.environ['NOPE']") ==
          "error at 3: KeyError: 'NOPE' (the environment has no such variable)");
    CHECK(value_of("x = workrs * 2") == "error at 1: NameError: name 'workrs' is not defined");
}

TEST_CASE("what is not Python at all is a syntax error with its line", "[gconf]") {
    CHECK(value_of("x = 1\nbind = \"0.0.0.0:8000\n") == "error at 2: unterminated string literal");
    CHECK(value_of("x = (1,\n  2\n") == "error at 1: '(' was never closed");
    CHECK(value_of("x = 4 +") == "error at 1: expected an expression at the end of the line");
    CHECK(value_of("timeout 30") == "error at 1: invalid syntax at '30'");
    CHECK(value_of("x = 1\n  y = 2") == "error at 2: unexpected indent");
    CHECK(value_of("def post_fork(server, worker)\n    pass") == "error at 1: expected ':'");
    CHECK(value_of("def on_exit(server):\nx = 1") == "error at 1: expected an indented block after 'def' statement on line 1");
    CHECK(value_of("x = 1 = 2").starts_with("error at 1: cannot assign to literal"));
    CHECK(value_of("x = $") == "error at 1: invalid character '$'");
    CHECK(value_of("x = " + std::string(115, '(') + "1" + std::string(115, ')')).starts_with("error at 1: too many nested"));
    CHECK(value_of("x = " + std::string(300, '-') + "1").starts_with("error at 1: too many nested"));
}

TEST_CASE("Python outside the subset is skipped with a note, never silently", "[gconf]") {
    CHECK(value_of("x = {'a': 1}") == "skipped: \"x = {'a': 1}\": cannot evaluate: dict and set literals are not evaluated");
    CHECK(value_of("x = [n for n in range(3)]").find("comprehensions are not evaluated") != std::string::npos);
    CHECK(value_of("import socket\nx = socket.gethostname()").find("'socket' comes from a line minicorn did not run") !=
          std::string::npos);
    CHECK(value_of("import os\nx = os.fork()").find("os.fork is not evaluated by minicorn") != std::string::npos);
    CHECK(value_of("x = 2 ** 100").find("too large") != std::string::npos);

    FileResult r = run("import sys\nif True:\n    x = 1\nelse:\n    x = 2\nprint('hi')\ny = x\n");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.notes.size() == 3);
    CHECK(r.notes[0].line == 1);
    CHECK(r.notes[1].line == 2);
    CHECK(r.notes[1].last_line == 5);  // the whole if/else, one note
    CHECK(r.notes[1].text.find("an if block") != std::string::npos);
    CHECK(r.notes[2].line == 6);
    CHECK(r.skipped.count("y") == 1);  // x may have been bound by the block: y cannot be known
}

TEST_CASE("a def is recorded with its lines and its body is not run", "[gconf]") {
    FileResult r = run("\"\"\"Docstring.\"\"\"\n@decorate\ndef post_fork(server, worker):\n    x = (\n        1)\n"
                       "    return x\n\nworkers = 2\n");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.defs.size() == 1);
    CHECK(r.defs[0].name == "post_fork");
    CHECK(r.defs[0].line == 3);
    CHECK(r.defs[0].last_line == 6);
    CHECK(r.notes.empty());  // the docstring is not a statement worth a note
    CHECK(repr(r.values.at("workers").value) == "2");
    CHECK(r.values.count("x") == 0);
}
