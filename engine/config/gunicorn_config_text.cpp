// engine/config/gunicorn_config_text.cpp — the words around a loaded
// configuration: --print-config, warnings, --help, and shlex splitting.
#include <fmt/format.h>

#include <algorithm>

#include "engine/config/gunicorn_config.h"

namespace minicorn::config {

std::string format_effective_config(const LoadedConfig& loaded) {
    std::string file = loaded.config_file.empty() ? "no config file" : loaded.config_file;
    std::string out = fmt::format("The settings in force (command line > GUNICORN_CMD_ARGS > {} > defaults):\n\n", file);
    std::vector<std::string> values;
    std::size_t width = 5;  // "value"; a very long value (the access log format) may overflow its column
    for (const SettingOrigin& o : loaded.origins) {
        values.push_back(o.setting->show(loaded.config));
        if (values.back().size() <= 40) width = std::max(width, values.back().size());
    }
    out += fmt::format("  {:<26} {:<{}}  {}\n", "setting", "value", width, "from");
    for (std::size_t k = 0; k < loaded.origins.size(); ++k) {
        const SettingOrigin& o = loaded.origins[k];
        std::string from = o.where;
        if (!o.written.empty() && o.source != Source::Default) from += "  " + o.written;
        out += fmt::format("  {:<26} {:<{}}  {}\n", o.setting->name, values[k], width, from);
    }
    std::string model = loaded.config.effective_worker_class();
    if (model != loaded.config.worker_class)
        out += fmt::format("\nThe worker model in force is {}: {} with threads above 1 becomes {}, as in gunicorn.\n", model,
                           loaded.config.worker_class, model);
    if (!loaded.warnings.empty())
        out += loaded.warnings.size() == 1
                   ? "\n1 thing in the configuration is not honoured (see the warning on stderr).\n"
                   : fmt::format("\n{} things in the configuration are not honoured (see the warnings on stderr).\n",
                                 loaded.warnings.size());
    return out;
}

std::string format_warnings(const LoadedConfig& loaded, std::string_view prefix) {
    std::string out;
    for (const ConfigWarning& w : loaded.warnings) out += fmt::format("{}warning: {}: {}\n", prefix, w.where, w.text);
    return out;
}

std::string config_help() {
    auto row = [](std::string_view flags, std::string_view help) { return fmt::format("  {:<34} {}\n", flags, help); };
    return "\nConfiguration, read as gunicorn reads it (docs/configuration.md):\n" +
           row("-c, --config FILE",
               "Read settings from a gunicorn config file. Plain assignments (workers = 4, bind = \"0.0.0.0:8000\", "
               "workers = multiprocessing.cpu_count() * 2 + 1) are evaluated; hooks and other Python are listed "
               "with their line and ignored. [default: ./gunicorn.conf.py if there is one]") +
           row("--print-config", "Print every setting, its value and where it came from, then exit.") +
           row("--check-config", "Read the configuration, report what is not honoured, and exit (1 if it cannot be used).") +
           row("GUNICORN_CMD_ARGS",
               "Environment variable holding more flags (\"--workers=3 -k gevent\"). The command line wins over "
               "GUNICORN_CMD_ARGS, which wins over the config file, which wins over the defaults.");
}

bool shell_split(std::string_view text, std::vector<std::string>& out) {
    std::string word;
    bool in_word = false;
    for (std::size_t k = 0; k < text.size(); ++k) {
        char c = text[k];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) out.push_back(std::move(word)), word.clear(), in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\') {
            if (++k >= text.size()) return false;
            word += text[k];
        } else if (c == '\'') {
            std::size_t end = text.find('\'', k + 1);
            if (end == std::string_view::npos) return false;
            word += text.substr(k + 1, end - k - 1);
            k = end;
        } else if (c == '"') {
            for (++k; k < text.size() && text[k] != '"'; ++k) {
                if (text[k] == '\\' && k + 1 < text.size() && (text[k + 1] == '"' || text[k + 1] == '\\')) ++k;
                word += text[k];
            }
            if (k >= text.size()) return false;
        } else {
            word += c;
        }
    }
    if (in_word) out.push_back(std::move(word));
    return true;
}

}  // namespace minicorn::config
