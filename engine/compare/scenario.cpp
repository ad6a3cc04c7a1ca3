// engine/compare/scenario.cpp — scenario files: parsing, finding, listing.
#include "engine/compare/scenario.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace minicorn::compare {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::optional<int> to_int(std::string_view s) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return std::nullopt;
    return v;
}

std::optional<double> to_double(std::string_view s) {
    std::string copy(s);
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || v < 0) return std::nullopt;
    return v;
}

// Stores one "key: value" line; an error message for an unknown key or a bad value.
std::optional<std::string> apply(Scenario& sc, std::string_view key, std::string_view value) {
    auto count = [&](int& out) -> std::optional<std::string> {
        auto v = to_int(value);
        if (!v) return fmt::format("{}: '{}' is not a whole number", key, value);
        out = *v;
        return std::nullopt;
    };
    auto seconds = [&](double& out) -> std::optional<std::string> {
        auto v = to_double(value);
        if (!v) return fmt::format("{}: '{}' is not a number of seconds", key, value);
        out = *v;
        return std::nullopt;
    };
    if (key == "about") sc.about = value;
    else if (key == "mix") sc.mix = value;
    else if (key == "connections") return count(sc.connections);
    else if (key == "rate") return seconds(sc.rate);
    else if (key == "duration") return seconds(sc.duration_s);
    else if (key == "timeout") return seconds(sc.timeout_s);
    else if (key == "slowloris") return count(sc.slowloris);
    else if (key == "slowloris-ms") return count(sc.slowloris_ms);
    else if (key == "silent") return count(sc.silent);
    else if (key == "slow-readers") return count(sc.slow_readers);
    else if (key == "idle") return count(sc.idle);
    else if (key == "order") return count(sc.order);
    else if (key == "requires") sc.requires_path = value;
    else if (key == "serve") sc.serve = split_words(value);
    else if (key == "keep-alive") {
        if (value != "on" && value != "off") return fmt::format("keep-alive: '{}' is not on or off", value);
        sc.client_keep_alive = value == "on";
    } else if (key == "judge") {
        auto j = judge_from_name(value);
        if (!j) return fmt::format("judge: '{}' is not throughput, latency, cpu or idle-held", value);
        sc.judge = *j;
    } else {
        return fmt::format("unknown key '{}'", key);
    }
    return std::nullopt;
}

}  // namespace

std::string_view judge_name(Judge j) {
    switch (j) {
        case Judge::Throughput: return "throughput";
        case Judge::Latency: return "latency";
        case Judge::Cpu: return "cpu";
        case Judge::IdleHeld: return "idle-held";
    }
    return "?";
}

std::optional<Judge> judge_from_name(std::string_view name) {
    for (Judge j : {Judge::Throughput, Judge::Latency, Judge::Cpu, Judge::IdleHeld}) {
        if (judge_name(j) == name) return j;
    }
    return std::nullopt;
}

std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : text) {
        if (quote) {
            if (c == quote) quote = 0;
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) out.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) out.push_back(word);
    return out;
}

std::variant<Scenario, std::string> parse_scenario(std::string_view name, std::string_view text) {
    Scenario sc;
    sc.name = name;
    std::istringstream in{std::string(text)};
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        auto colon = l.find(':');
        if (colon == std::string_view::npos) return fmt::format("line {}: expected 'key: value', got '{}'", number, l);
        if (auto err = apply(sc, trim(l.substr(0, colon)), trim(l.substr(colon + 1)))) {
            return fmt::format("line {}: {}", number, *err);
        }
    }
    if (sc.connections == 0 && sc.rate == 0) sc.connections = 10;
    if (sc.connections > 0 && sc.rate > 0) return std::string("connections and rate exclude each other");
    return sc;
}

std::string scenarios_dir() {
    if (const char* env = std::getenv("MINICORN_SCENARIOS"); env && *env) return env;
#ifdef MINICORN_SCENARIOS_DIR
    return MINICORN_SCENARIOS_DIR;
#else
    return "assets/scenarios";
#endif
}

std::vector<std::string> scenario_names(const std::string& dir) {
    std::vector<std::pair<int, std::string>> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() != ".scenario") continue;
        std::string stem = entry.path().stem().string();
        auto sc = load_scenario(dir, stem);
        found.emplace_back(std::holds_alternative<Scenario>(sc) ? std::get<Scenario>(sc).order : 1000, stem);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> names;
    for (auto& [order, stem] : found) names.push_back(stem);
    return names;
}

std::variant<Scenario, std::string> load_scenario(const std::string& dir, const std::string& name) {
    std::filesystem::path path = name.ends_with(".scenario") ? std::filesystem::path(name)
                                                             : std::filesystem::path(dir) / (name + ".scenario");
    std::ifstream in(path);
    if (!in) {
        std::string known;
        for (const std::string& n : scenario_names(dir)) known += (known.empty() ? "" : ", ") + n;
        return fmt::format("no scenario '{}' (known: {})", name, known.empty() ? "none found in " + dir : known);
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = parse_scenario(path.stem().string(), text.str());
    if (auto* err = std::get_if<std::string>(&parsed)) return fmt::format("{}: {}", path.string(), *err);
    return parsed;
}

}  // namespace minicorn::compare
