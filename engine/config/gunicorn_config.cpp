// engine/config/gunicorn_config.cpp — the layers (defaults, file,
// GUNICORN_CMD_ARGS, command line) and how each becomes settings.
//
// Index:
//   [SECTION] Arguments — -c, --print-config, --check-config; GUNICORN_CMD_ARGS
//   [SECTION] The file  — values → setting texts, and what is not honoured
//   [SECTION] Layering  — the highest layer that names a setting wins it
#include "engine/config/gunicorn_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>

#include "engine/config/config_file.h"
#include "engine/config/gunicorn_names.h"

namespace minicorn::config {
namespace {

// One value a layer gives one setting.
struct LayerUse {
    const process::Setting* setting = nullptr;
    std::string value;
    bool flag_off = false;  // a Flag set to False in the file: wins, but applies nothing
    std::string where;
    std::string written;
};

struct Layer {
    Source source;
    std::vector<LayerUse> uses;
};

LoadedConfig failed(LoadedConfig loaded, int exit_code, std::string message) {
    loaded.status = LoadedConfig::Status::Error;
    loaded.exit_code = exit_code;
    loaded.error = std::move(message);
    return loaded;
}

std::string place(const std::string& file, int line, int last_line = 0) {
    if (last_line > line) return fmt::format("{}:{}-{}", file, line, last_line);
    return fmt::format("{}:{}", file, line);
}

// ============================================================================
// [SECTION] Arguments
// ============================================================================
struct ArgScan {
    std::vector<std::string> rest;  // what split_serve_args reads
    std::optional<std::string> config;
    bool print_config = false;
    bool check_config = false;
    std::optional<std::string> error;
};

ArgScan scan_args(std::span<const std::string> args) {
    ArgScan scan;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--print-config") scan.print_config = true;
        else if (a == "--check-config") scan.check_config = true;
        else if (a.starts_with("--config=")) scan.config = a.substr(9);
        else if (a.starts_with("-c") && a.size() > 2 && a[2] != '-') scan.config = a.substr(2);
        else if (a == "-c" || a == "--config") {
            if (i + 1 >= args.size()) {
                scan.error = "argument -c/--config: expected a value (FILE)";
                return scan;
            }
            scan.config = args[++i];
        } else {
            scan.rest.push_back(a);
        }
    }
    return scan;
}

// GUNICORN_CMD_ARGS may hold any gunicorn flag: those minicorn lacks are
// dropped with a warning (with the value after them, when one follows).
std::vector<std::string> drop_unknown_flags(const std::vector<std::string>& args, std::vector<ConfigWarning>& warnings) {
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") continue;
        if (a.size() < 2 || a[0] != '-') {
            warnings.push_back({"GUNICORN_CMD_ARGS", fmt::format("'{}': ignored (minicorn serves its own simulated "
                                                                 "application, not a module:variable)", a)});
            continue;
        }
        std::string flag = a.starts_with("--") ? a.substr(0, a.find('=')) : a.substr(0, 2);
        bool inline_value = flag.size() < a.size();
        if (const process::Setting* s = process::find_setting_by_flag(flag)) {
            kept.push_back(a);
            if (s->kind != process::SettingKind::Flag && !inline_value && i + 1 < args.size()) kept.push_back(args[++i]);
            continue;
        }
        std::string dropped = a;
        if (!inline_value && i + 1 < args.size() && !args[i + 1].starts_with("-")) dropped += " " + args[++i];
        warnings.push_back({"GUNICORN_CMD_ARGS", fmt::format("'{}': not a minicorn flag; ignored", dropped)});
    }
    return kept;
}

std::string flag_of(const process::Setting& s) { return std::string(s.short_flag.empty() ? s.long_flag : s.short_flag); }

// Validates `args` as the command line would, then lists their uses.
std::optional<std::string> args_layer(std::span<const std::string> args, Layer& layer, const std::string& where,
                                      bool* help) {
    process::Config scratch;
    process::ParseOutcome outcome = process::parse_serve_args(args, scratch);
    if (outcome.status == process::ParseOutcome::Status::Help && help) *help = true;
    if (outcome.status == process::ParseOutcome::Status::Error) return outcome.message;
    std::vector<process::SettingUse> uses;
    process::split_serve_args(args, uses);
    for (const process::SettingUse& u : uses) {
        std::string written = u.setting->kind == process::SettingKind::Flag ? flag_of(*u.setting)
                                                                            : flag_of(*u.setting) + " " + u.value;
        layer.uses.push_back(LayerUse{u.setting, u.value, false, where, written});
    }
    return std::nullopt;
}

// ============================================================================
// [SECTION] The file
// ============================================================================
// The texts a file's value stands for, as a command line would give them;
// or why gunicorn would refuse the value (its validators' rules).
std::optional<std::string> value_texts(const process::Setting& s, const Value& v, std::vector<std::string>& texts,
                                       bool& off) {
    using T = Value::Type;
    using K = process::SettingKind;
    switch (s.kind) {
        case K::Int:
            if (v.type == T::Int || v.type == T::Bool || v.type == T::Str) {
                texts.push_back(v.type == T::Str ? v.s : std::to_string(v.type == T::Bool ? v.b : v.i));
                return std::nullopt;
            }
            return fmt::format("an integer is needed, not {}", type_name(v));
        case K::Flag:
            if (v.type == T::Bool) off = !v.b;
            else if (v.type == T::Str && (v.s == "true" || v.s == "True")) off = false;
            else if (v.type == T::Str && (v.s == "false" || v.s == "False")) off = true;
            else return fmt::format("True or False is needed, not {}", type_name(v));
            texts.emplace_back();
            return std::nullopt;
        case K::List:
            if (v.type == T::Str) {
                texts.push_back(v.s);
                return std::nullopt;
            }
            if (v.type != T::List && v.type != T::Tuple) return fmt::format("a string or a list of strings is needed, not {}", type_name(v));
            for (const Value& item : v.items) {
                if (item.type != T::Str) return fmt::format("a list of strings is needed, but it holds a {}", type_name(item));
                texts.push_back(item.s);
            }
            return std::nullopt;
        case K::String:
        case K::Choice:
            if (v.type == T::None && s.kind == K::String) return std::nullopt;  // None: the default
            if (v.type != T::Str) return fmt::format("a string is needed, not {}", type_name(v));
            if (s.name == "worker_class") texts.push_back(short_worker_class(v.s));
            else if (s.name == "loglevel") {  // gunicorn lower-cases it when it sets up logging
                std::string lower = v.s;
                std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                texts.push_back(lower);
            } else texts.push_back(v.s);
            return std::nullopt;
    }
    return "unknown kind of setting";
}

std::string hook_warning(std::string_view name, std::string_view when) {
    return fmt::format("the server hook {} (gunicorn calls it {}) is not run: minicorn runs no Python code; ignored", name, when);
}

struct FileLayer {
    Layer layer{Source::File, {}};
    std::vector<std::pair<int, ConfigWarning>> warnings;  // by line, to sort
    std::optional<std::string> error;
};

void setting_from_file(FileLayer& out, const std::string& file, const std::string& name, const Assignment& a) {
    std::string where = place(file, a.line);
    const process::Setting* s = find_setting_by_name(name);
    if (!s) {
        if (auto when = hook_when(name)) out.warnings.push_back({a.line, {where, hook_warning(name, *when)}});
        else if (is_gunicorn_setting(name))
            out.warnings.push_back({a.line, {where, fmt::format("{}: a gunicorn setting minicorn does not have ({}); ignored",
                                                                name, not_simulated_reason(name))}});
        else if (auto close = did_you_mean(name); close && a.value.type != Value::Type::Object)
            out.warnings.push_back({a.line, {where, fmt::format("{} is not a gunicorn setting (did you mean {}?); ignored, as "
                                                                "gunicorn ignores it", name, *close)}});
        return;  // any other name is a variable of the file's own, which gunicorn ignores too
    }
    std::vector<std::string> texts;
    bool off = false;
    if (auto problem = value_texts(*s, a.value, texts, off)) {
        out.error = fmt::format("{}: Invalid value for {}: {} ({})", where, name, repr(a.value), *problem);
        return;
    }
    if (texts.empty()) return;  // None: leave the default
    std::string written = fmt::format("{} = {}", name, a.source);
    for (std::string& t : texts) out.layer.uses.push_back(LayerUse{s, std::move(t), off, where, written});
}

FileLayer file_layer(const std::string& file, const FileResult& r) {
    FileLayer out;
    for (const auto& [name, a] : r.values) {
        if (name.starts_with("_")) continue;
        setting_from_file(out, file, name, a);
        if (out.error) return out;
    }
    for (const FileNote& n : r.notes) out.warnings.push_back({n.line, {place(file, n.line, n.last_line), n.text + "; ignored"}});
    for (const auto& [name, n] : r.skipped) {
        std::string consequence = find_setting_by_name(name) ? fmt::format("; {} is not set by this file", name) : "; ignored";
        out.warnings.push_back({n.line, {place(file, n.line, n.last_line), n.text + consequence}});
    }
    for (const FunctionDef& d : r.defs) {
        if (auto when = hook_when(d.name))
            out.warnings.push_back({d.line, {place(file, d.line, d.last_line), "def " + d.name + "(…): " + hook_warning(d.name, *when)}});
    }
    std::stable_sort(out.warnings.begin(), out.warnings.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    return out;
}

std::optional<std::string> read_file(const std::string& path, std::string& text) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return fmt::format("'{}' doesn't exist", path);
    if (S_ISDIR(st.st_mode)) return fmt::format("'{}' is a directory, not a config file", path);
    std::ifstream in(path, std::ios::binary);
    if (!in) return fmt::format("'{}' cannot be read", path);
    std::ostringstream all;
    all << in.rdbuf();
    text = all.str();
    return std::nullopt;
}

}  // namespace

// ============================================================================
// [SECTION] Layering
// ============================================================================
namespace {

// Applies, for every row, the uses of the highest layer that names it.
std::optional<std::string> apply_layers(const std::vector<Layer>& layers, LoadedConfig& loaded) {
    for (const process::Setting& s : process::settings_table()) {
        SettingOrigin origin{&s, Source::Default, "default", ""};
        for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) {
            std::vector<const LayerUse*> mine;
            for (const LayerUse& u : layer->uses)
                if (u.setting == &s) mine.push_back(&u);
            if (mine.empty()) continue;
            origin = SettingOrigin{&s, layer->source, mine.back()->where, mine.back()->written};
            for (const LayerUse* u : mine) {
                if (u->flag_off) continue;
                if (auto problem = s.apply(loaded.config, u->value))
                    return fmt::format("{}: Invalid value for {}: {}", u->where, s.name, *problem);
            }
            break;
        }
        loaded.origins.push_back(std::move(origin));
    }
    return std::nullopt;
}

}  // namespace

LoadedConfig load_gunicorn_config(std::string_view path, const Host& host, std::span<const std::string> argv) {
    LoadedConfig loaded;
    std::vector<Layer> layers;  // lowest precedence first

    Layer defaults{Source::Environment, {}};
    if (auto it = host.env.find("WEB_CONCURRENCY"); it != host.env.end())
        if (const process::Setting* w = find_setting_by_name("workers"))
            defaults.uses.push_back(LayerUse{w, it->second, false, "$WEB_CONCURRENCY", "WEB_CONCURRENCY=" + it->second});
    layers.push_back(std::move(defaults));

    ArgScan cli = scan_args(argv);
    if (cli.error) return failed(std::move(loaded), 2, *cli.error);
    loaded.print_config = cli.print_config;
    loaded.check_config = cli.check_config;
    Layer command_line{Source::CommandLine, {}};
    bool help = false;
    if (auto problem = args_layer(cli.rest, command_line, "command line", &help)) return failed(std::move(loaded), 2, *problem);
    if (help) {
        loaded.status = LoadedConfig::Status::Help;
        return loaded;
    }

    Layer env_layer{Source::CmdArgs, {}};
    std::optional<std::string> env_config;
    if (auto it = host.env.find("GUNICORN_CMD_ARGS"); it != host.env.end()) {
        std::vector<std::string> words;
        if (!shell_split(it->second, words))
            return failed(std::move(loaded), 2, "GUNICORN_CMD_ARGS: no closing quotation");
        ArgScan env = scan_args(words);
        if (env.error) return failed(std::move(loaded), 2, "GUNICORN_CMD_ARGS: " + *env.error);
        env_config = env.config;
        std::vector<std::string> kept = drop_unknown_flags(env.rest, loaded.warnings);
        if (auto problem = args_layer(kept, env_layer, "GUNICORN_CMD_ARGS", nullptr))
            return failed(std::move(loaded), 2, "GUNICORN_CMD_ARGS: " + *problem);
    }

    std::string file = !path.empty() ? std::string(path) : cli.config ? *cli.config : env_config ? *env_config : "";
    if (file.empty()) {
        struct stat st{};
        if (::stat("gunicorn.conf.py", &st) == 0 && S_ISREG(st.st_mode)) file = "gunicorn.conf.py";
    }
    if (!file.empty()) {
        if (file.starts_with("python:"))
            return failed(std::move(loaded), 1, fmt::format("{}: minicorn cannot import Python modules; give the file's path", file));
        if (file.starts_with("file:")) file = file.substr(5);
        loaded.config_file = file;
        std::string text;
        if (auto problem = read_file(file, text)) return failed(std::move(loaded), 1, *problem);
        if (!file.ends_with(".py")) loaded.warnings.push_back({file, "configuration file should have a valid Python extension (gunicorn warns too)"});
        Host file_host = host;
        file_host.file = file;
        FileResult r = read_config_source(text, file_host);
        if (r.error) {
            std::string kind = r.error->kind == PyError::Kind::Syntax ? "SyntaxError: " : "";
            return failed(std::move(loaded), 1, fmt::format("{}: {}{}", place(file, r.error->line), kind, r.error->message));
        }
        FileLayer f = file_layer(file, r);
        if (f.error) return failed(std::move(loaded), 1, *f.error);
        for (auto& [line, w] : f.warnings) loaded.warnings.push_back(std::move(w));
        layers.push_back(std::move(f.layer));
    }
    layers.push_back(std::move(env_layer));
    layers.push_back(std::move(command_line));
    if (auto problem = apply_layers(layers, loaded)) return failed(std::move(loaded), 1, *problem);
    return loaded;
}

}  // namespace minicorn::config
