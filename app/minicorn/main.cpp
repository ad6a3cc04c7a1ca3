// app/minicorn/main.cpp — the `minicorn` command: the engine and its headless tools.
//
//   minicorn serve [OPTIONS]    run the engine (gunicorn's command line)
//   minicorn load URL [OPTIONS] the built-in load client
//   minicorn export REC -o OUT  a recording as Chrome/Perfetto JSON
//   minicorn lesson list|run|check  the lessons, in a terminal, and their verification
//   minicorn compare -k MODELS --scenario NAME  the same traffic through several models
//   minicorn --help | --version
// The desktop front end is its own program, minicorn-studio (app/studio/).
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/minicorn/commands.h"

namespace {

constexpr const char* kUsage =
    "usage: minicorn <command> [OPTIONS]\n"
    "\n"
    "minicorn shows what gunicorn's worker models really do: a real master that forks\n"
    "workers, serving a demo application on loopback sockets, as gunicorn 20.1 does.\n"
    "\n"
    "commands:\n"
    "  serve     run the engine: an HTTP/1.1 server with gunicorn's flags and log lines\n"
    "            (minicorn serve --help lists every setting; --trace FILE records it all)\n"
    "  load      the built-in load client, like wrk: virtual users, open-loop rates,\n"
    "            request mixes and bad actors (slowloris, silent, slow readers, aborters)\n"
    "            (minicorn load --help)\n"
    "  export    turn a recording (serve --trace run.rec) into Chrome/Perfetto JSON\n"
    "  lesson    the lessons: list them, run one in this terminal, or check that every\n"
    "            claim they make holds on the real engine (minicorn lesson --help)\n"
    "  compare   the same traffic through several worker models, side by side: which\n"
    "            worker should I pick? (minicorn compare --help)\n"
    "\n"
    "The desktop front end that animates all of this is a separate program:\n"
    "minicorn-studio (minicorn-studio --help).\n"
    "\n"
    "options:\n"
    "  -h, --help       show this help and exit\n"
    "  -V, --version    show the version and exit\n";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    std::string_view command = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "-h" || command == "--help" || command == "help") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (command == "-V" || command == "--version") {
        std::printf("minicorn %s (reproduces gunicorn 20.1)\n", MINICORN_VERSION);
        return 0;
    }
    if (command == "serve") return minicorn::cli::serve_command(rest);
    if (command == "export") return minicorn::cli::export_command(rest);
    if (command == "load") return minicorn::cli::load_command(rest);
    if (command == "lesson") return minicorn::cli::lesson_command(rest);
    if (command == "compare") return minicorn::cli::compare_command(rest);
    std::fprintf(stderr, "minicorn: unknown command '%.*s'\n\n%s", static_cast<int>(command.size()), command.data(),
                 kUsage);
    return 2;
}
