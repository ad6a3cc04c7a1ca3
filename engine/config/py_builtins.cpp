// engine/config/py_builtins.cpp — the allow-list of modules, functions and methods.
//
// Index:
//   [SECTION] Names     — what exists: builtins, modules, attributes
//   [SECTION] Functions — int(), os.environ.get(), multiprocessing.cpu_count(), …
//   [SECTION] Methods   — str.lower(), str.split(), str.format(), …
//   [SECTION] Operators — subscripts, `in`, printf-style %
#include "engine/config/py_builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace minicorn::config {

void raise_runtime(int line, std::string message) { throw PyError{PyError::Kind::Runtime, line, std::move(message)}; }
void raise_unsupported(int line, std::string message) {
    throw PyError{PyError::Kind::Unsupported, line, std::move(message)};
}

// ============================================================================
// [SECTION] Names
// ============================================================================
namespace {

// Every object a file may reach, by qualified name. Modules first, then functions.
constexpr std::array<std::string_view, 22> kKnown = {
    "os", "os.path", "os.environ", "multiprocessing",
    "int", "float", "str", "bool", "len", "max", "min", "abs",
    "os.environ.get", "os.getenv", "os.cpu_count", "os.sched_getaffinity", "multiprocessing.cpu_count",
    "os.path.join", "os.path.dirname", "os.path.basename", "os.path.exists", "os.path.isdir"};
constexpr std::array<std::string_view, 10> kStrMethods = {"lower", "upper",      "strip",    "split",  "replace",
                                                          "format", "startswith", "endswith", "lstrip", "rstrip"};

bool known(std::string_view qualname) { return std::find(kKnown.begin(), kKnown.end(), qualname) != kKnown.end(); }

}  // namespace

std::optional<Value> builtin(std::string_view name) {
    if (name.find('.') == std::string_view::npos && known(name) && name != "os" && name != "multiprocessing")
        return Value::object(std::string(name));
    return std::nullopt;
}

std::optional<Value> import_module(std::string_view dotted) {
    if (dotted == "os" || dotted == "os.path" || dotted == "multiprocessing") return Value::object(std::string(dotted));
    return std::nullopt;
}

Value attribute(const Value& object, std::string_view attr, int line) {
    if (object.type == Value::Type::Object && !object.self) {
        std::string qualname = object.s + "." + std::string(attr);
        if (known(qualname)) return Value::object(qualname);
        raise_unsupported(line, fmt::format("{} is not evaluated by minicorn", qualname));
    }
    if (object.type == Value::Type::Str &&
        std::find(kStrMethods.begin(), kStrMethods.end(), attr) != kStrMethods.end())
        return Value::object("str." + std::string(attr), std::make_shared<const Value>(object));
    if (object.type == Value::Type::Str || object.type == Value::Type::Object)
        raise_unsupported(line, fmt::format("{}.{} is not evaluated by minicorn", type_name(object), attr));
    raise_runtime(line, fmt::format("AttributeError: '{}' object has no attribute '{}'", type_name(object), attr));
}

// ============================================================================
// [SECTION] Functions
// ============================================================================
namespace {

void arity(const std::vector<Value>& args, std::size_t least, std::size_t most, const std::string& fn, int line) {
    if (args.size() < least || args.size() > most)
        raise_runtime(line, fmt::format("TypeError: {}() takes {} arguments ({} given)", fn,
                                        least == most ? std::to_string(least) : fmt::format("{} to {}", least, most),
                                        args.size()));
}

std::string trim(std::string_view s, std::string_view chars = " \t\n\r\f\v") {
    std::size_t a = s.find_first_not_of(chars);
    if (a == std::string_view::npos) return "";
    std::size_t b = s.find_last_not_of(chars);
    return std::string(s.substr(a, b - a + 1));
}

Value to_int(const Value& v, int line) {
    switch (v.type) {
        case Value::Type::Int: return v;
        case Value::Type::Bool: return Value::integer(v.b);
        case Value::Type::Float:
            if (!std::isfinite(v.f)) raise_runtime(line, "ValueError: cannot convert float infinity or NaN to integer");
            if (std::fabs(v.f) >= 9.2e18) raise_unsupported(line, "the number is too large for minicorn");
            return Value::integer(static_cast<std::int64_t>(v.f));
        case Value::Type::Str: {
            std::string digits, t = trim(v.s);
            bool ok = !t.empty();
            for (std::size_t k = 0; k < t.size() && ok; ++k) {
                char c = t[k];
                if (k == 0 && (c == '+' || c == '-')) digits += c;
                else if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
                else ok = c == '_' && k > 0 && k + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[k - 1])) &&
                          std::isdigit(static_cast<unsigned char>(t[k + 1]));
            }
            ok = ok && digits.find_first_of("0123456789") != std::string::npos;
            if (!ok) raise_runtime(line, fmt::format("ValueError: invalid literal for int() with base 10: {}", repr(v)));
            errno = 0;
            long long n = std::strtoll(digits.c_str(), nullptr, 10);
            if (errno == ERANGE) raise_unsupported(line, "the number is too large for minicorn");
            return Value::integer(n);
        }
        default:
            raise_runtime(line, fmt::format("TypeError: int() argument must be a string or a number, not '{}'", type_name(v)));
    }
}

Value to_float(const Value& v, int line) {
    if (v.type == Value::Type::Float) return v;
    if (v.is_number()) return Value::real(static_cast<double>(v.type == Value::Type::Bool ? v.b : v.i));
    if (v.type == Value::Type::Str) {
        std::string t = trim(v.s);
        char* end = nullptr;
        double d = std::strtod(t.c_str(), &end);
        if (!t.empty() && end == t.c_str() + t.size()) return Value::real(d);
        raise_runtime(line, fmt::format("ValueError: could not convert string to float: {}", repr(v)));
    }
    raise_runtime(line, fmt::format("TypeError: float() argument must be a string or a number, not '{}'", type_name(v)));
}

Value extreme(const std::vector<Value>& args, bool want_max, const std::string& fn, int line) {
    const std::vector<Value>* items = &args;
    if (args.size() == 1 && (args[0].type == Value::Type::List || args[0].type == Value::Type::Tuple)) items = &args[0].items;
    if (items->empty()) raise_runtime(line, fmt::format("ValueError: {}() arg is an empty sequence", fn));
    Value best = (*items)[0];
    for (const Value& v : *items) {
        bool numbers = v.is_number() && best.is_number();
        if (!numbers && !(v.type == Value::Type::Str && best.type == Value::Type::Str))
            raise_runtime(line, fmt::format("TypeError: '>' not supported between instances of '{}' and '{}'",
                                            type_name(v), type_name(best)));
        auto num = [](const Value& x) { return x.type == Value::Type::Float ? x.f : static_cast<double>(x.type == Value::Type::Bool ? x.b : x.i); };
        bool greater = numbers ? num(v) > num(best) : v.s > best.s;
        bool less = numbers ? num(v) < num(best) : v.s < best.s;
        if (want_max ? greater : less) best = v;
    }
    return best;
}

const std::string& want_str(const Value& v, const std::string& fn, int line) {
    if (v.type != Value::Type::Str)
        raise_runtime(line, fmt::format("TypeError: {}() argument must be str, not {}", fn, type_name(v)));
    return v.s;
}

Value environ_get(const std::vector<Value>& args, const Host& host, const std::string& fn, int line) {
    arity(args, 1, 2, fn, line);
    const std::string& key = want_str(args[0], fn, line);
    if (auto it = host.env.find(key); it != host.env.end()) return Value::str(it->second);
    return args.size() > 1 ? args[1] : Value::none();
}

Value path_function(const std::string& fn, const std::vector<Value>& args, int line) {
    if (fn == "os.path.join") {
        arity(args, 1, 16, fn, line);
        std::string out;
        for (const Value& a : args) {
            const std::string& part = want_str(a, fn, line);
            if (part.starts_with("/")) out = part;
            else if (out.empty() || out.ends_with("/")) out += part;
            else out += "/" + part;
        }
        return Value::str(out);
    }
    if (fn == "os.path.exists" || fn == "os.path.isdir")
        raise_unsupported(line, fmt::format("{}() is not evaluated: minicorn does not look at your disk", fn));
    arity(args, 1, 1, fn, line);
    const std::string& p = want_str(args[0], fn, line);
    std::size_t slash = p.rfind('/');
    if (fn == "os.path.basename") return Value::str(slash == std::string::npos ? p : p.substr(slash + 1));
    if (slash == std::string::npos) return Value::str("");
    std::string head = p.substr(0, slash + 1);
    if (head.find_first_not_of('/') != std::string::npos) head = head.substr(0, head.find_last_not_of('/') + 1);
    return Value::str(head);
}

Value string_method(const Value& fn, const std::vector<Value>& args, int line);

}  // namespace

Value call(const Value& function, const std::vector<Value>& args, const Host& host, int line) {
    if (function.type != Value::Type::Object || (!function.self && function.s.find('.') == std::string::npos &&
                                                 (function.s == "os" || function.s == "multiprocessing")))
        raise_runtime(line, fmt::format("TypeError: '{}' object is not callable", type_name(function)));
    if (function.self) return string_method(function, args, line);
    const std::string& fn = function.s;
    if (fn == "multiprocessing.cpu_count" || fn == "os.cpu_count") {
        arity(args, 0, 0, fn, line);
        return Value::integer(host.cpu_count);
    }
    if (fn == "os.sched_getaffinity") {  // a set in Python; a list of CPU numbers is enough for len()
        arity(args, 1, 1, fn, line);
        std::vector<Value> cpus;
        for (int k = 0; k < host.usable_cpus; ++k) cpus.push_back(Value::integer(k));
        return Value::list(std::move(cpus));
    }
    if (fn == "os.environ.get" || fn == "os.getenv") return environ_get(args, host, fn, line);
    if (fn.starts_with("os.path.")) return path_function(fn, args, line);
    if (fn == "int" || fn == "float" || fn == "str" || fn == "bool") {
        arity(args, 0, 1, fn, line);
        if (args.empty()) return fn == "int" ? Value::integer(0) : fn == "float" ? Value::real(0) : fn == "str" ? Value::str("") : Value::boolean(false);
        if (fn == "int") return to_int(args[0], line);
        if (fn == "float") return to_float(args[0], line);
        if (fn == "str") return Value::str(to_str(args[0]));
        return Value::boolean(truthy(args[0]));
    }
    if (fn == "len") {
        arity(args, 1, 1, fn, line);
        if (args[0].type == Value::Type::Str) {
            std::int64_t n = 0;
            for (char c : args[0].s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
            return Value::integer(n);
        }
        if (args[0].type == Value::Type::List || args[0].type == Value::Type::Tuple)
            return Value::integer(static_cast<std::int64_t>(args[0].items.size()));
        raise_runtime(line, fmt::format("TypeError: object of type '{}' has no len()", type_name(args[0])));
    }
    if (fn == "max" || fn == "min") return extreme(args, fn == "max", fn, line);
    if (fn == "abs") {
        arity(args, 1, 1, fn, line);
        if (args[0].type == Value::Type::Float) return Value::real(std::fabs(args[0].f));
        Value v = to_int(args[0], line);
        if (v.i == INT64_MIN) raise_unsupported(line, "the number is too large for minicorn");
        return Value::integer(v.i < 0 ? -v.i : v.i);
    }
    raise_runtime(line, fmt::format("TypeError: '{}' object is not callable", fn));
}

// ============================================================================
// [SECTION] Methods
// ============================================================================
namespace {

Value split(const std::string& s, const std::vector<Value>& args, int line) {
    std::vector<Value> parts;
    if (args.empty() || args[0].type == Value::Type::None) {
        std::size_t k = 0;
        while (true) {
            k = s.find_first_not_of(" \t\n\r\f\v", k);
            if (k == std::string::npos) break;
            std::size_t end = s.find_first_of(" \t\n\r\f\v", k);
            parts.push_back(Value::str(s.substr(k, end - k)));
            if (end == std::string::npos) break;
            k = end;
        }
        return Value::list(std::move(parts));
    }
    const std::string& sep = want_str(args[0], "split", line);
    if (sep.empty()) raise_runtime(line, "ValueError: empty separator");
    std::size_t start = 0;
    for (std::size_t at; (at = s.find(sep, start)) != std::string::npos; start = at + sep.size())
        parts.push_back(Value::str(s.substr(start, at - start)));
    parts.push_back(Value::str(s.substr(start)));
    return Value::list(std::move(parts));
}

// "{}:{}".format(host, port) and "{0}" — positional fields without format specs.
Value format(const std::string& f, const std::vector<Value>& args, int line) {
    std::string out;
    std::size_t next = 0;
    for (std::size_t k = 0; k < f.size(); ++k) {
        char c = f[k];
        if ((c == '{' || c == '}') && k + 1 < f.size() && f[k + 1] == c) { out += c; ++k; continue; }
        if (c == '}') raise_runtime(line, "ValueError: Single '}' encountered in format string");
        if (c != '{') { out += c; continue; }
        std::size_t close = f.find('}', k);
        if (close == std::string::npos) raise_runtime(line, "ValueError: Single '{' encountered in format string");
        std::string field = f.substr(k + 1, close - k - 1);
        std::size_t index = next++;
        if (!field.empty()) {
            if (field.find_first_not_of("0123456789") != std::string::npos || field.size() > 6)
                raise_unsupported(line, "str.format fields other than {} and {0} are not evaluated");
            index = static_cast<std::size_t>(std::stoi(field));
        }
        if (index >= args.size()) raise_runtime(line, "IndexError: Replacement index out of range for positional args tuple");
        out += to_str(args[index]);
        k = close;
    }
    return Value::str(out);
}

Value string_method(const Value& fn, const std::vector<Value>& args, int line) {
    const std::string& s = fn.self->s;
    std::string method = fn.s.substr(4);  // after "str."
    if (method == "format") return format(s, args, line);
    if (method == "split") return arity(args, 0, 1, method, line), split(s, args, line);
    if (method == "lower" || method == "upper") {
        arity(args, 0, 0, method, line);
        std::string out = s;
        for (char& c : out) c = static_cast<char>(method == "lower" ? std::tolower(static_cast<unsigned char>(c)) : std::toupper(static_cast<unsigned char>(c)));
        return Value::str(out);
    }
    if (method == "strip" || method == "lstrip" || method == "rstrip") {
        arity(args, 0, 1, method, line);
        std::string chars = args.empty() || args[0].type == Value::Type::None ? " \t\n\r\f\v" : want_str(args[0], method, line);
        std::size_t a = method == "rstrip" ? 0 : s.find_first_not_of(chars);
        if (a == std::string::npos) return Value::str("");
        std::size_t b = method == "lstrip" ? s.size() : s.find_last_not_of(chars) + 1;
        return Value::str(s.substr(a, b - a));
    }
    if (method == "startswith" || method == "endswith") {
        arity(args, 1, 1, method, line);
        const std::string& x = want_str(args[0], method, line);
        return Value::boolean(method == "startswith" ? s.starts_with(x) : s.ends_with(x));
    }
    arity(args, 2, 2, method, line);  // replace
    const std::string& from = want_str(args[0], method, line);
    const std::string& to = want_str(args[1], method, line);
    if (from.empty()) raise_unsupported(line, "str.replace with an empty pattern is not evaluated");
    std::string out;
    std::size_t start = 0;
    for (std::size_t at; (at = s.find(from, start)) != std::string::npos; start = at + from.size()) {
        out += s.substr(start, at - start) + to;
        if (out.size() > (1u << 20)) raise_unsupported(line, "the string is too long for minicorn");
    }
    return Value::str(out + s.substr(start));
}

}  // namespace

// ============================================================================
// [SECTION] Operators
// ============================================================================
Value subscript(const Value& object, const Value& key, const Host& host, int line) {
    if (object.type == Value::Type::Object && object.s == "os.environ" && !object.self) {
        const std::string& name = want_str(key, "os.environ[]", line);
        if (auto it = host.env.find(name); it != host.env.end()) return Value::str(it->second);
        raise_runtime(line, fmt::format("KeyError: {} (the environment has no such variable)", repr(key)));
    }
    bool seq = object.type == Value::Type::List || object.type == Value::Type::Tuple || object.type == Value::Type::Str;
    if (!seq) raise_runtime(line, fmt::format("TypeError: '{}' object is not subscriptable", type_name(object)));
    if (key.type != Value::Type::Int && key.type != Value::Type::Bool)
        raise_runtime(line, fmt::format("TypeError: indices must be integers, not {}", type_name(key)));
    if (object.type == Value::Type::Str && std::any_of(object.s.begin(), object.s.end(), [](char c) { return c & 0x80; }))
        raise_unsupported(line, "indexing a non-ASCII string is not evaluated");
    auto size = static_cast<std::int64_t>(object.type == Value::Type::Str ? object.s.size() : object.items.size());
    std::int64_t k = key.type == Value::Type::Bool ? key.b : key.i;
    if (k < 0) k += size;
    if (k < 0 || k >= size) raise_runtime(line, fmt::format("IndexError: {} index out of range", type_name(object)));
    if (object.type == Value::Type::Str) return Value::str(std::string(1, object.s[static_cast<std::size_t>(k)]));
    return object.items[static_cast<std::size_t>(k)];
}

bool contains(const Value& container, const Value& item, const Host& host, int line) {
    if (container.type == Value::Type::Object && container.s == "os.environ" && !container.self)
        return item.type == Value::Type::Str && host.env.count(item.s) > 0;
    if (container.type == Value::Type::Str) {
        if (item.type != Value::Type::Str)
            raise_runtime(line, fmt::format("TypeError: 'in <string>' requires string as left operand, not {}", type_name(item)));
        return container.s.find(item.s) != std::string::npos;
    }
    if (container.type == Value::Type::List || container.type == Value::Type::Tuple)
        return std::any_of(container.items.begin(), container.items.end(), [&](const Value& v) { return equal(v, item); });
    raise_runtime(line, fmt::format("TypeError: argument of type '{}' is not iterable", type_name(container)));
}

Value percent_format(const std::string& format, const Value& args, int line) {
    std::vector<Value> values = args.type == Value::Type::Tuple ? args.items : std::vector<Value>{args};
    std::string out;
    std::size_t next = 0;
    for (std::size_t k = 0; k < format.size(); ++k) {
        if (format[k] != '%') { out += format[k]; continue; }
        char spec = k + 1 < format.size() ? format[++k] : '\0';
        if (spec == '%') { out += '%'; continue; }
        if (spec != 's' && spec != 'd' && spec != 'i' && spec != 'r')
            raise_unsupported(line, "printf-style formats other than %s, %d, %i, %r and %% are not evaluated");
        if (next >= values.size()) raise_runtime(line, "TypeError: not enough arguments for format string");
        const Value& v = values[next++];
        if (spec == 'r') out += repr(v);
        else if (spec == 's') out += to_str(v);
        else if (v.is_number()) out += std::to_string(to_int(v, line).i);
        else raise_runtime(line, fmt::format("TypeError: %{} format: a number is required, not {}", spec, type_name(v)));
    }
    if (next < values.size()) raise_runtime(line, "TypeError: not all arguments converted during string formatting");
    return Value::str(out);
}

}  // namespace minicorn::config
