// engine/config/gunicorn_config.h — "bring your own configuration": reads a
// gunicorn config file (-c), GUNICORN_CMD_ARGS and the command line into
// minicorn's settings, with gunicorn 20.1's precedence:
//
//     command line  >  GUNICORN_CMD_ARGS  >  the config file  >  defaults
//
// (app/base.py, Application.load_config). The config file is -c FILE, else
// -c in GUNICORN_CMD_ARGS, else ./gunicorn.conf.py if there is one. Settings
// are found generically in minicorn's settings table (gunicorn_names.h), so a
// row added there is read from config files without a change here.
//
// Called by `minicorn serve`; meant for `minicorn compare` and the studio
// too. Reads the config file; otherwise pure (the environment comes in Host).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/py_eval.h"
#include "engine/process/config.h"
#include "engine/process/settings.h"

namespace minicorn::config {

enum class Source {
    Default,      // gunicorn's default
    Environment,  // a default taken from the environment: workers from $WEB_CONCURRENCY
    File,         // the config file
    CmdArgs,      // GUNICORN_CMD_ARGS
    CommandLine,  // the command line
};

// Where one setting's value came from.
struct SettingOrigin {
    const process::Setting* setting = nullptr;
    Source source = Source::Default;
    std::string where;    // "gunicorn.conf.py:7", "GUNICORN_CMD_ARGS", "command line", "default"
    std::string written;  // as the user wrote it: "workers = multiprocessing.cpu_count() * 2 + 1", "-w 4"
};

// Something the configuration asks for that minicorn does not honour.
struct ConfigWarning {
    std::string where;  // "gunicorn.conf.py:12" or "gunicorn.conf.py:12-15" or "GUNICORN_CMD_ARGS"
    std::string text;
};

struct LoadedConfig {
    enum class Status { Ok, Help, Error } status = Status::Ok;
    int exit_code = 0;    // for Error: 2 for a bad flag (as argparse), 1 for a bad config file (as gunicorn)
    std::string error;    // for Error: starts with file:line where there is one
    process::Config config;
    std::vector<ConfigWarning> warnings;
    std::vector<SettingOrigin> origins;  // one per settings_table() row, in its order
    std::string config_file;             // the file that was read ("" for none)
    bool print_config = false;           // --print-config was given
    bool check_config = false;           // --check-config was given
};

// `path`: a config file to read as if given by -c ("" to look in argv, then
// GUNICORN_CMD_ARGS, then ./gunicorn.conf.py). `host.env` is the environment
// (GUNICORN_CMD_ARGS, WEB_CONCURRENCY, what os.environ reads).
LoadedConfig load_gunicorn_config(std::string_view path, const Host& host, std::span<const std::string> argv);

// --print-config: every setting, its value and where it came from.
std::string format_effective_config(const LoadedConfig& loaded);

// "gunicorn.conf.py:12: def post_fork(…): …", one per line.
std::string format_warnings(const LoadedConfig& loaded, std::string_view prefix);

// The part of `minicorn serve --help` about -c, --print-config, --check-config and GUNICORN_CMD_ARGS.
std::string config_help();

// shlex.split (POSIX mode), as gunicorn splits GUNICORN_CMD_ARGS. False on an
// unclosed quote or a trailing backslash.
bool shell_split(std::string_view text, std::vector<std::string>& out);

}  // namespace minicorn::config
