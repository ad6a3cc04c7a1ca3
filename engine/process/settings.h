// engine/process/settings.h — every setting, declared once, as data.
//
// One row per setting (as gunicorn's config.py declares a Setting class each):
// its name, command-line flags, section, default, help text and a function
// that parses, validates and stores a value. The same table drives
// `minicorn serve` argument parsing, the error for a bad value, `--help`,
// and (later) the studio's settings panel.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/process/config.h"

namespace minicorn::process {

enum class SettingKind {
    Int,     // a non-negative integer
    String,  // free text or a path
    Choice,  // one of a fixed set of words
    Flag,    // present or not: takes no value
    List,    // repeatable: each use adds a value
};

struct Setting {
    std::string_view name;         // gunicorn's setting name: "worker_connections"
    std::string_view section;      // "Worker processes"
    std::string_view short_flag;   // "-w", or empty
    std::string_view long_flag;    // "--workers"
    SettingKind kind;
    std::string_view metavar;      // "INT", "ADDRESS", ...
    std::string_view help;         // one or two sentences
    std::span<const std::string_view> choices;  // for Choice
    // Parses `value`, validates it and stores it in `config`. Returns an error
    // message (without the flag name) or nullopt. For Flag settings value is "".
    std::optional<std::string> (*apply)(Config& config, std::string_view value);
    // The current value in `config`, as text (for --help defaults and the studio).
    std::string (*show)(const Config& config);
};

const std::vector<Setting>& settings_table();

// Finds the setting for a command-line flag ("-w", "--workers").
const Setting* find_setting_by_flag(std::string_view flag);

struct ParseOutcome {
    enum class Status { Ok, Help, Error } status = Status::Ok;
    std::string message;  // for Error: names the flag
};

// One setting named on a command line, not yet applied ("" for a Flag).
struct SettingUse {
    const Setting* setting = nullptr;
    std::string value;
};

// Splits `serve` arguments into the settings they name, in order, without
// applying them (engine/config layers them: command line over
// GUNICORN_CMD_ARGS over a config file). Errors as parse_serve_args.
ParseOutcome split_serve_args(std::span<const std::string> args, std::vector<SettingUse>& uses);

// Parses `serve` arguments into `config`. Accepts "--flag value",
// "--flag=value", "-w 2" and "-w2", as argparse does.
ParseOutcome parse_serve_args(std::span<const std::string> args, Config& config);

// The text of `minicorn serve --help`, grouped by section.
std::string serve_help();

}  // namespace minicorn::process
