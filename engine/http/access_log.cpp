// Index:
//   [SECTION] Python %-format specifications: parse and validate
//   [SECTION] Atoms: Logger.atoms + SafeAtoms
//   [SECTION] Rendering
#include "engine/http/access_log.h"

#include <ctime>
#include <map>
#include <variant>

#include <fmt/format.h>

#include "engine/http/pytext.h"
#include "engine/http/uri.h"

namespace minicorn::http {
namespace {

// ---------------------------------------------------------------------------
// [SECTION] Python %-format specifications: parse and validate
// ---------------------------------------------------------------------------

// One piece of a format: literal text, or "%(key)<flags><width>.<precision><type>".
struct Piece {
    bool is_spec = false;
    std::string text;        // literal text, or the key
    bool has_key = false;
    std::string flags;
    int width = -1;
    int precision = -1;
    char type = 's';
};

struct ParsedFormat {
    std::vector<Piece> pieces;
    std::optional<std::string> error;  // Python's message
};

// As CPython's PyUnicode_Format parses a format with a mapping argument.
ParsedFormat parse_format(std::string_view fmt) {
    ParsedFormat out;
    std::string literal;
    std::size_t i = 0;
    auto error = [&](std::string message) {
        out.error = std::move(message);
        return out;
    };
    while (i < fmt.size()) {
        if (fmt[i] != '%') {
            literal += fmt[i++];
            continue;
        }
        ++i;
        Piece spec;
        spec.is_spec = true;
        if (i < fmt.size() && fmt[i] == '(') {
            // Nested parentheses are part of the key: "%(a(b))s" has key "a(b)".
            int depth = 1;
            const std::size_t key_start = i + 1;
            while (depth > 0 && ++i < fmt.size()) {
                if (fmt[i] == ')') --depth;
                else if (fmt[i] == '(') ++depth;
            }
            if (depth > 0) return error("incomplete format key");
            spec.text = std::string(fmt.substr(key_start, i - key_start));
            spec.has_key = true;
            ++i;
        }
        while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) {
            spec.flags += fmt[i++];
        }
        auto read_number = [&](int& target) -> bool {
            if (i < fmt.size() && fmt[i] == '*') return false;
            if (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
                target = 0;
                while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
                    target = std::min(target * 10 + (fmt[i++] - '0'), 100000);
                }
            }
            return true;
        };
        if (!read_number(spec.width)) return error("* wants int");
        if (i < fmt.size() && fmt[i] == '.') {
            ++i;
            spec.precision = 0;
            if (!read_number(spec.precision)) return error("* wants int");
        }
        if (i < fmt.size() && (fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'L')) ++i;
        if (i >= fmt.size()) return error("incomplete format");
        spec.type = fmt[i];
        if (spec.type == '%') {
            literal += '%';
            ++i;
            continue;
        }
        if (std::string_view("sradiuxXoeEfFgGc").find(spec.type) == std::string_view::npos) {
            const auto c = static_cast<unsigned char>(spec.type);
            return error(fmt::format("unsupported format character '{}' (0x{:x}) at index {}",
                                     c < 0x80 ? std::string(1, spec.type) : py::latin1_to_utf8(std::string(1, spec.type)),
                                     c, i));
        }
        ++i;
        if (!literal.empty()) out.pieces.push_back(Piece{false, std::move(literal), false, {}, -1, -1, 's'});
        literal.clear();
        out.pieces.push_back(std::move(spec));
    }
    if (!literal.empty()) out.pieces.push_back(Piece{false, std::move(literal), false, {}, -1, -1, 's'});
    return out;
}

bool is_numeric_atom(std::string_view key) { return key == "T" || key == "M" || key == "D" || key == "B"; }

bool is_known_atom(std::string_view key) {
    constexpr std::string_view kSimple[] = {"h", "l", "u", "t", "r", "s", "m", "U", "q", "H",
                                            "b", "B", "f", "a", "T", "M", "D", "L", "p"};
    for (std::string_view k : kSimple) {
        if (k == key) return true;
    }
    if (key.size() >= 4 && key.front() == '{') {
        const auto close = key.find('}');
        const std::string_view suffix = key.substr(close + 1);
        return close != std::string_view::npos && close > 1 && (suffix == "i" || suffix == "o" || suffix == "e");
    }
    return false;
}

std::optional<std::string> check_spec(const Piece& p) {
    if (!p.has_key) return "'%" + std::string(1, p.type) + "' has no atom name: write %(name)" + p.type;
    if (!is_known_atom(p.text)) return "unknown access log atom '" + p.text + "'";
    if (std::string_view("sradiu").find(p.type) == std::string_view::npos) {
        return "format '%" + std::string(1, p.type) + "' is not supported for access log atoms (use s, r, a, d, i or u)";
    }
    if (std::string_view("diu").find(p.type) != std::string_view::npos && !is_numeric_atom(p.text)) {
        return "%" + std::string(1, p.type) + " format: a real number is required, not str (atom '" + p.text + "')";
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------
// [SECTION] Atoms: Logger.atoms + SafeAtoms
// ---------------------------------------------------------------------------

struct None {};
using Atom = std::variant<std::string, std::int64_t, None>;  // str, int, None

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

// "{content-type}o"
std::string brace_key(std::string_view name, char suffix) {
    std::string key;
    key.reserve(name.size() + 3);
    key += '{';
    key += lower_ascii(name);
    key += '}';
    key += suffix;
    return key;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { i += 1; continue; }
        if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1Fu; }
        else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0Fu; }
        else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07u; }
        else return false;
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
            return false;
        }
        i += len;
    }
    return true;
}

// binascii.a2b_base64 in its default, lenient mode: characters outside the
// alphabet are skipped, and decoding stops at a complete padding.
std::optional<std::string> b64decode_lenient(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    int quad_pos = 0;
    int pads = 0;
    unsigned left = 0;
    for (char c : text) {
        if (c == '=') {
            if (quad_pos >= 2 && quad_pos + ++pads >= 4) return out;
            continue;
        }
        const int v = value(c);
        if (v < 0) continue;
        const auto bits = static_cast<unsigned>(v);
        pads = 0;
        switch (quad_pos) {
            case 0: left = bits; quad_pos = 1; break;
            case 1: out += static_cast<char>(((left << 2) | (bits >> 4)) & 0xFF); left = bits & 0x0F; quad_pos = 2; break;
            case 2: out += static_cast<char>(((left << 4) | (bits >> 2)) & 0xFF); left = bits & 0x03; quad_pos = 3; break;
            default: out += static_cast<char>(((left << 6) | bits) & 0xFF); left = 0; quad_pos = 0; break;
        }
    }
    if (quad_pos != 0) return std::nullopt;  // "Incorrect padding"
    return out;
}

std::string apache_time(std::chrono::system_clock::time_point when) {
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    localtime_r(&t, &tm);
    const long offset_minutes = tm.tm_gmtoff / 60;
    const long abs_minutes = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    return fmt::format("[{:02d}/{}/{:04d}:{:02d}:{:02d}:{:02d} {}{:02d}{:02d}]", tm.tm_mday, kMonths[tm.tm_mon],
                       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, offset_minutes < 0 ? '-' : '+',
                       abs_minutes / 60, abs_minutes % 60);
}

// The environ gunicorn's wsgi.create() builds, as far as the log can see it;
// values are UTF-8 text.
std::map<std::string, std::string> build_environ(const AccessLogEntry& e) {
    const Request& req = *e.request;
    std::map<std::string, std::string> env;
    env["REQUEST_METHOD"] = req.method;
    env["QUERY_STRING"] = py::latin1_to_utf8(req.query);
    env["RAW_URI"] = py::latin1_to_utf8(req.uri);
    env["SERVER_PROTOCOL"] = req.protocol();
    env["wsgi.url_scheme"] = req.scheme;
    env["PATH_INFO"] = py::latin1_to_utf8(percent_decode(req.path));
    env["SCRIPT_NAME"] = "";
    if (!e.remote_addr.empty()) env["REMOTE_ADDR"] = e.remote_addr;
    for (const Header& h : req.headers) {
        const std::string value = py::latin1_to_utf8(h.value);
        if (h.name == "CONTENT-TYPE") {
            env["CONTENT_TYPE"] = value;
            continue;
        }
        if (h.name == "CONTENT-LENGTH") {
            env["CONTENT_LENGTH"] = value;
            continue;
        }
        std::string key = "HTTP_" + h.name;
        for (char& c : key) {
            if (c == '-') c = '_';
        }
        // Repeated headers are joined with commas in the environ.
        auto [it, inserted] = env.try_emplace(key, value);
        if (!inserted) it->second += "," + value;
    }
    for (const auto& [key, value] : e.environ) env[key] = value;
    return env;
}

std::map<std::string, Atom> build_atoms(const AccessLogEntry& e) {
    const Request& req = *e.request;
    const auto env = build_environ(e);
    auto env_or = [&](const char* key, std::string fallback) -> std::string {
        const auto it = env.find(key);
        return it == env.end() ? fallback : it->second;
    };

    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(e.request_end - e.request_start).count();
    if (elapsed < 0) elapsed = 0;
    // timedelta.seconds is the seconds *within the day*: gunicorn's T, M, D
    // and L wrap after 24 hours.
    const std::int64_t seconds = (elapsed / 1000000) % 86400;
    const std::int64_t micros = elapsed % 1000000;

    std::string user = "-";
    if (const auto it = env.find("HTTP_AUTHORIZATION"); it != env.end()) {
        if (auto u = basic_auth_user(it->second)) user = *u;
    }

    std::map<std::string, Atom> atoms;
    atoms["h"] = env_or("REMOTE_ADDR", "-");
    atoms["l"] = std::string("-");
    atoms["u"] = user;
    atoms["t"] = apache_time(e.request_end);
    atoms["r"] = env.at("REQUEST_METHOD") + " " + env.at("RAW_URI") + " " + env.at("SERVER_PROTOCOL");
    atoms["s"] = std::to_string(e.status);
    atoms["m"] = env.at("REQUEST_METHOD");
    atoms["U"] = env.at("PATH_INFO");
    atoms["q"] = env.at("QUERY_STRING");
    atoms["H"] = env.at("SERVER_PROTOCOL");
    atoms["b"] = e.body_bytes ? std::to_string(*e.body_bytes) : std::string("-");
    atoms["B"] = e.body_bytes ? Atom{static_cast<std::int64_t>(*e.body_bytes)} : Atom{None{}};
    atoms["f"] = env_or("HTTP_REFERER", "-");
    atoms["a"] = env_or("HTTP_USER_AGENT", "-");
    atoms["T"] = seconds;
    atoms["D"] = seconds * 1000000 + micros;
    atoms["M"] = seconds * 1000 + micros / 1000;
    atoms["L"] = fmt::format("{}.{:06d}", seconds, micros);
    atoms["p"] = fmt::format("<{}>", e.pid);
    // Later entries win, as in the dict updates: last duplicate header wins.
    for (const Header& h : req.headers) atoms[brace_key(h.name, 'i')] = py::latin1_to_utf8(h.value);
    for (const Header& h : e.response_headers) atoms[brace_key(h.name, 'o')] = py::latin1_to_utf8(h.value);
    for (const auto& [key, value] : env) atoms[brace_key(key, 'e')] = value;

    // SafeAtoms: escape double quotes in text atoms.
    for (auto& [key, atom] : atoms) {
        if (auto* s = std::get_if<std::string>(&atom)) {
            std::string escaped;
            for (char c : *s) escaped += c == '"' ? std::string("\\\"") : std::string(1, c);
            *s = std::move(escaped);
        }
    }
    return atoms;
}

// ---------------------------------------------------------------------------
// [SECTION] Rendering
// ---------------------------------------------------------------------------

std::size_t count_code_points(std::string_view s) {
    std::size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::string truncate_code_points(std::string_view s, std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) return std::string(s.substr(0, i));
    }
    return std::string(s);
}

std::string pad(std::string text, const Piece& p, bool numeric) {
    const std::size_t len = count_code_points(text);
    if (p.width < 0 || len >= static_cast<std::size_t>(p.width)) return text;
    const std::size_t fill = static_cast<std::size_t>(p.width) - len;
    if (p.flags.find('-') != std::string::npos) return text + std::string(fill, ' ');
    if (numeric && p.flags.find('0') != std::string::npos) {
        const bool signed_text = !text.empty() && (text[0] == '-' || text[0] == '+' || text[0] == ' ');
        return signed_text ? text.substr(0, 1) + std::string(fill, '0') + text.substr(1)
                           : std::string(fill, '0') + text;
    }
    return std::string(fill, ' ') + text;
}

std::optional<std::string> render(const Piece& p, const Atom& atom) {
    const bool numeric_type = p.type == 'd' || p.type == 'i' || p.type == 'u';
    if (numeric_type) {
        const auto* n = std::get_if<std::int64_t>(&atom);
        if (n == nullptr) return std::nullopt;  // TypeError in Python
        std::string digits = std::to_string(*n);
        if (*n >= 0 && p.flags.find('+') != std::string::npos) digits = "+" + digits;
        else if (*n >= 0 && p.flags.find(' ') != std::string::npos) digits = " " + digits;
        return pad(std::move(digits), p, true);
    }
    std::string text;
    if (const auto* s = std::get_if<std::string>(&atom)) {
        text = (p.type == 'r' || p.type == 'a') ? py::repr_str(*s) : *s;
    } else if (const auto* n = std::get_if<std::int64_t>(&atom)) {
        text = std::to_string(*n);
    } else {
        text = "None";
    }
    if (p.precision >= 0) text = truncate_code_points(text, static_cast<std::size_t>(p.precision));
    return pad(std::move(text), p, false);
}

}  // namespace

std::optional<std::string> basic_auth_user(std::string_view authorization) {
    if (lower_ascii(authorization.substr(0, 5)) != "basic") return std::nullopt;
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto decoded = b64decode_lenient(authorization.substr(space + 1));
    if (!decoded || !valid_utf8(*decoded)) return std::nullopt;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return decoded->substr(0, colon);
}

std::optional<std::string> validate_access_log_format(std::string_view format) {
    const ParsedFormat parsed = parse_format(format);
    if (parsed.error) return parsed.error;
    for (const Piece& p : parsed.pieces) {
        if (!p.is_spec) continue;
        if (auto problem = check_spec(p)) return problem;
    }
    return std::nullopt;
}

std::optional<std::string> format_access_log(std::string_view format, const AccessLogEntry& entry) {
    if (entry.request == nullptr || validate_access_log_format(format)) return std::nullopt;
    const ParsedFormat parsed = parse_format(format);
    const auto atoms = build_atoms(entry);
    std::string line;
    for (const Piece& p : parsed.pieces) {
        if (!p.is_spec) {
            line += p.text;
            continue;
        }
        // SafeAtoms.__getitem__: "{…}" keys are looked up lower-cased.
        const std::string key = p.text.front() == '{' ? lower_ascii(p.text) : p.text;
        const auto it = atoms.find(key);
        auto piece = render(p, it == atoms.end() ? Atom{std::string("-")} : it->second);
        if (!piece) return std::nullopt;
        line += *piece;
    }
    return line;
}

}  // namespace minicorn::http
