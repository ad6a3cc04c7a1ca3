// engine/config/py_eval.cpp — the tree walker: names, operators, comparisons.
//
// Arithmetic follows Python 3: / gives a float, // and % round toward minus
// infinity, bool counts as int. Python's integers never overflow; ours are 64
// bits, so an overflow is Unsupported rather than a wrong number.
#include "engine/config/py_eval.h"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "engine/config/py_builtins.h"

extern char** environ;

namespace minicorn::config {

Host Host::current(std::string file) {
    Host h;
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string_view::npos) h.env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    long online = ::sysconf(_SC_NPROCESSORS_ONLN);
    h.cpu_count = online > 0 ? static_cast<int>(online) : 1;
    cpu_set_t set;
    CPU_ZERO(&set);
    h.usable_cpus = ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : h.cpu_count;
    h.file = std::move(file);
    return h;
}

namespace {

constexpr std::size_t kMaxSequence = 1 << 20;  // "x" * 10**9 is Unsupported, not an out-of-memory

std::int64_t as_int(const Value& v) { return v.type == Value::Type::Bool ? v.b : v.i; }
double as_double(const Value& v) { return v.type == Value::Type::Float ? v.f : static_cast<double>(as_int(v)); }

[[noreturn]] void bad_operands(const std::string& op, const Value& a, const Value& b, int line) {
    if (op == "+" && a.type == Value::Type::Str)
        raise_runtime(line, fmt::format("TypeError: can only concatenate str (not \"{}\") to str", type_name(b)));
    raise_runtime(line, fmt::format("TypeError: unsupported operand type(s) for {}: '{}' and '{}'", op, type_name(a),
                                    type_name(b)));
}

Value checked(bool overflow, std::int64_t result, int line) {
    if (overflow) raise_unsupported(line, "the result is too large a number for minicorn (Python's ints have no limit)");
    return Value::integer(result);
}

Value repeat(const Value& seq, std::int64_t times, int line) {
    std::size_t n = times > 0 ? static_cast<std::size_t>(times) : 0;
    std::size_t len = seq.type == Value::Type::Str ? seq.s.size() : seq.items.size();
    if (len && n > kMaxSequence / len) raise_unsupported(line, "the repeated sequence is too long for minicorn");
    Value out = seq;
    out.s.clear();
    out.items.clear();
    for (std::size_t k = 0; k < n; ++k) {
        out.s += seq.s;
        out.items.insert(out.items.end(), seq.items.begin(), seq.items.end());
    }
    return out;
}

Value numeric(const std::string& op, const Value& a, const Value& b, int line) {
    if (a.type == Value::Type::Float || b.type == Value::Type::Float || op == "/") {
        double x = as_double(a), y = as_double(b);
        if (op == "+") return Value::real(x + y);
        if (op == "-") return Value::real(x - y);
        if (op == "*") return Value::real(x * y);
        if (op == "**") return Value::real(std::pow(x, y));
        if (y == 0.0) raise_runtime(line, op == "/" ? "ZeroDivisionError: division by zero" : "ZeroDivisionError: float modulo");
        if (op == "/") return Value::real(x / y);
        double q = std::floor(x / y);
        return Value::real(op == "//" ? q : x - q * y);
    }
    std::int64_t x = as_int(a), y = as_int(b), r = 0;
    if (op == "+") {
        bool overflow = __builtin_add_overflow(x, y, &r);  // before reading r: argument order is unspecified
        return checked(overflow, r, line);
    }
    if (op == "-") {
        bool overflow = __builtin_sub_overflow(x, y, &r);  // before reading r: argument order is unspecified
        return checked(overflow, r, line);
    }
    if (op == "*") {
        bool overflow = __builtin_mul_overflow(x, y, &r);  // before reading r: argument order is unspecified
        return checked(overflow, r, line);
    }
    if (op == "**") {
        if (y < 0) return Value::real(std::pow(static_cast<double>(x), static_cast<double>(y)));
        std::int64_t result = 1, base = x;  // by squaring: y may be large when |x| <= 1
        bool overflow = false;
        for (std::uint64_t e = static_cast<std::uint64_t>(y); e; ) {
            if (e & 1) overflow |= __builtin_mul_overflow(result, base, &result);
            e >>= 1;
            if (e) overflow |= __builtin_mul_overflow(base, base, &base);
            if (overflow) break;
        }
        return checked(overflow, result, line);
    }
    if (y == 0) raise_runtime(line, "ZeroDivisionError: integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) checked(true, 0, line);
    std::int64_t q = x / y, m = x % y;
    if (m != 0 && ((m < 0) != (y < 0))) {
        q -= 1;
        m += y;
    }
    return Value::integer(op == "//" ? q : m);
}

Value binary(const std::string& op, const Value& a, const Value& b, int line) {
    using T = Value::Type;
    if (a.is_number() && b.is_number()) return numeric(op, a, b, line);
    if (op == "+" && a.type == b.type && (a.type == T::Str || a.type == T::List || a.type == T::Tuple)) {
        Value out = a;
        out.s += b.s;
        out.items.insert(out.items.end(), b.items.begin(), b.items.end());
        if (out.s.size() > kMaxSequence || out.items.size() > kMaxSequence)
            raise_unsupported(line, "the sequence is too long for minicorn");
        return out;
    }
    bool a_seq = a.type == T::Str || a.type == T::List || a.type == T::Tuple;
    bool b_seq = b.type == T::Str || b.type == T::List || b.type == T::Tuple;
    if (op == "*" && a_seq && (b.type == T::Int || b.type == T::Bool)) return repeat(a, as_int(b), line);
    if (op == "*" && b_seq && (a.type == T::Int || a.type == T::Bool)) return repeat(b, as_int(a), line);
    if (op == "%" && a.type == T::Str) return percent_format(a.s, b, line);
    bad_operands(op, a, b, line);
}

bool compare(const std::string& op, const Value& a, const Value& b, const Host& host, int line) {
    using T = Value::Type;
    if (op == "==") return equal(a, b);
    if (op == "!=") return !equal(a, b);
    if (op == "in") return contains(b, a, host, line);
    if (op == "not in") return !contains(b, a, host, line);
    if (op == "is" || op == "is not") {
        bool singleton = a.type == T::None || a.type == T::Bool || b.type == T::None || b.type == T::Bool;
        if (!singleton) raise_unsupported(line, "'is' is evaluated only against None, True and False");
        bool same = a.type == b.type && equal(a, b);
        return op == "is" ? same : !same;
    }
    int order = 0;
    if (a.is_number() && b.is_number()) {
        double x = as_double(a), y = as_double(b);
        order = x < y ? -1 : x > y ? 1 : 0;
    } else if (a.type == T::Str && b.type == T::Str) {
        order = a.s.compare(b.s);
    } else {
        raise_runtime(line, fmt::format("TypeError: '{}' not supported between instances of '{}' and '{}'", op,
                                        type_name(a), type_name(b)));
    }
    if (op == "<") return order < 0;
    if (op == ">") return order > 0;
    if (op == "<=") return order <= 0;
    return order >= 0;
}

class Evaluator {
public:
    Evaluator(const Scope& scope, const Host& host) : scope_(scope), host_(host) {}

    Value eval(const Node& n) {
        switch (n.kind) {
            case Node::Kind::Const: return n.value;
            case Node::Kind::Name: return name(n);
            case Node::Kind::FString: return fstring(n);
            case Node::Kind::List:
            case Node::Kind::Tuple: {
                std::vector<Value> items;
                for (const Node& k : n.kids) items.push_back(eval(k));
                return Value::list(std::move(items), n.kind == Node::Kind::List ? Value::Type::List : Value::Type::Tuple);
            }
            case Node::Kind::Attr: return attribute(eval(n.kids[0]), n.text, n.line);
            case Node::Kind::Call: {
                Value fn = eval(n.kids[0]);
                std::vector<Value> args;
                for (std::size_t k = 1; k < n.kids.size(); ++k) args.push_back(eval(n.kids[k]));
                return call(fn, args, host_, n.line);
            }
            case Node::Kind::Index: return subscript(eval(n.kids[0]), eval(n.kids[1]), host_, n.line);
            case Node::Kind::Unary: return unary(n);
            case Node::Kind::Binary: return binary(n.text, eval(n.kids[0]), eval(n.kids[1]), n.line);
            case Node::Kind::Compare: return chained_compare(n);
            case Node::Kind::And: {
                Value left = eval(n.kids[0]);
                return truthy(left) ? eval(n.kids[1]) : left;
            }
            case Node::Kind::Or: {
                Value left = eval(n.kids[0]);
                return truthy(left) ? left : eval(n.kids[1]);
            }
            case Node::Kind::Not: return Value::boolean(!truthy(eval(n.kids[0])));
            case Node::Kind::Ternary: return truthy(eval(n.kids[1])) ? eval(n.kids[0]) : eval(n.kids[2]);
        }
        raise_unsupported(n.line, "unknown expression");
    }

private:
    Value name(const Node& n) {
        if (auto it = scope_.vars.find(n.text); it != scope_.vars.end()) return it->second;
        auto not_run = [&] { raise_unsupported(n.line, fmt::format("'{}' comes from a line minicorn did not run", n.text)); };
        if (scope_.unknown.count(n.text)) not_run();
        if (n.text == "__file__") return Value::str(host_.file);
        if (n.text == "__name__") return Value::str("__config__");
        if (auto b = builtin(n.text)) return *b;
        if (scope_.unknown.count("*")) not_run();
        raise_runtime(n.line, fmt::format("NameError: name '{}' is not defined", n.text));
    }

    Value unary(const Node& n) {
        Value v = eval(n.kids[0]);
        if (!v.is_number()) raise_runtime(n.line, fmt::format("TypeError: bad operand type for unary {}: '{}'", n.text, type_name(v)));
        if (n.text == "+") return v.type == Value::Type::Float ? v : Value::integer(as_int(v));
        if (v.type == Value::Type::Float) return Value::real(-v.f);
        return checked(as_int(v) == INT64_MIN, -as_int(v), n.line);
    }

    Value chained_compare(const Node& n) {
        Value left = eval(n.kids[0]);
        for (std::size_t k = 0; k < n.ops.size(); ++k) {
            Value right = eval(n.kids[k + 1]);
            if (!compare(n.ops[k], left, right, host_, n.line)) return Value::boolean(false);
            left = std::move(right);
        }
        return Value::boolean(true);
    }

    Value fstring(const Node& n) {
        std::string out;
        for (std::size_t k = 0; k < n.kids.size(); ++k) {
            Value v = eval(n.kids[k]);
            out += n.ops[k] == "r" || n.ops[k] == "a" ? repr(v) : to_str(v);
        }
        return Value::str(std::move(out));
    }

    const Scope& scope_;
    const Host& host_;
};

}  // namespace

EvalResult evaluate(const Node& node, const Scope& scope, const Host& host) {
    try {
        return {Evaluator(scope, host).eval(node), std::nullopt};
    } catch (const PyError& e) {
        return {std::nullopt, e};
    }
}

}  // namespace minicorn::config
