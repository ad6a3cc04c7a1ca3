// app/studio/compare_args.cpp — see compare_args.h.
#include "app/studio/compare_args.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "app/studio/panels/controls.h"
#include "engine/compare/compare_config.h"
#include "engine/config/gunicorn_config.h"
#include "engine/process/settings.h"

namespace minicorn::studio {

namespace {

bool is_worker_class_flag(const std::string& flag) { return flag == "-k" || flag == "--worker-class"; }

// The serve flags without -k (Compare picks each engine's model).
std::vector<std::string> without_worker_class(const std::vector<std::string>& flags) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (is_worker_class_flag(flags[i])) {
            ++i;  // and its value
            continue;
        }
        if (flags[i].starts_with("--worker-class=")) continue;
        out.push_back(flags[i]);
    }
    return out;
}

}  // namespace

bool is_users_count(const std::string& value) {
    return !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::string apply_compare(const std::string& list, const std::vector<std::string>& serve_given, StudioOptions& options) {
    if (auto problem = compare::parse_models(list, options.compare)) {
        // parse_models speaks of compare's -k; here the flag is --compare.
        const std::string prefix = "argument -k/--worker-class: ";
        return "argument --compare: " + (problem->starts_with(prefix) ? problem->substr(prefix.size()) : *problem);
    }
    if (options.compare.size() < 2 || options.compare.size() > 6) {
        return "argument --compare: name 2 to 6 worker models, comma-separated, e.g. sync,gthread,gevent";
    }
    options.compare_flags.clear();
    if (options.config_file.empty()) options.compare_flags = {"-w", "2"};  // the studio's default; the file's otherwise
    const std::vector<std::string> given = without_worker_class(serve_given);
    options.compare_flags.insert(options.compare_flags.end(), given.begin(), given.end());
    // Leaving Compare opens the one-engine studio on the first model, the same flags.
    options.serve_args = {"-k", options.compare.front()};
    options.serve_args.insert(options.serve_args.end(), options.compare_flags.begin(), options.compare_flags.end());
    return "";
}

ConfigOutcome apply_config_file(const std::vector<std::string>& serve_given, StudioOptions& options) {
    ConfigOutcome out;
    const config::LoadedConfig loaded =
        config::load_gunicorn_config(options.config_file, config::Host::current(""), serve_given);
    out.warnings = config::format_warnings(loaded, "minicorn-studio: ");
    if (loaded.status == config::LoadedConfig::Status::Help) {
        out.error = "--help is not a setting";
        return out;
    }
    if (loaded.status == config::LoadedConfig::Status::Error) {
        out.error = loaded.error;
        return out;
    }
    if (!options.compare.empty()) return out;  // every model's server reads the file itself
    // The settings as the file and the flags make them, written back as flags:
    // the Controls show them, and a restart from the Controls keeps them.
    ControlsState state;
    for (const process::Setting& s : process::settings_table()) state.values[std::string(s.name)] = s.show(loaded.config);
    options.serve_args = serve_args(state);
    return out;
}

std::string apply_compare_and_config(const std::string& compare_list, const std::vector<std::string>& serve_given,
                                     StudioOptions& options, std::string& error) {
    if (!error.empty()) return "";
    if (!compare_list.empty()) error = apply_compare(compare_list, serve_given, options);
    if (!error.empty() || options.config_file.empty()) return "";
    // The file's settings replace the studio's defaults (-k sync -w 2); the flags given win over the file.
    const ConfigOutcome outcome = apply_config_file(serve_given, options);
    std::fputs(outcome.warnings.c_str(), stderr);
    return outcome.error;
}

}  // namespace minicorn::studio
