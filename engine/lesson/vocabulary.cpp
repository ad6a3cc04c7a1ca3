// engine/lesson/vocabulary.cpp — reading a term (`not parked(A, timer)`,
// `latency(B) >= 1.8s`) against the measures table, and judging one. The
// table and the measures themselves are in measures*.cpp.
#include "engine/lesson/vocabulary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace minicorn::lesson {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string_view param_phrase(Param p) {
    switch (p) {
        case Param::Request: return "a request name the lesson sent (A)";
        case Param::Worker: return "a worker (worker 1)";
        case Param::Text: return "quoted text (\"Booting worker\")";
        case Param::Span: return "handler";
        case Param::ParkOn: return "timer or socket";
    }
    return "?";
}

std::string signature(const MeasureDef& m) {
    if (m.params.empty()) return std::string(m.name);
    std::string s = std::string(m.name) + "(";
    for (std::size_t i = 0; i < m.params.size(); ++i) {
        if (i) s += ", ";
        s += param_phrase(m.params[i]);
    }
    return s + ")";
}

std::string known_names(const std::vector<std::string>& names) {
    if (names.empty()) return "none yet (a `do:` line such as `A = GET /` names a request)";
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// Splits "a, b" at commas outside quotes.
std::vector<std::string_view> split_args(std::string_view s) {
    std::vector<std::string_view> out;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '"') quoted = !quoted;
        if (s[i] == ',' && !quoted) {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    if (!trim(s).empty()) out.push_back(trim(s.substr(start)));
    return out;
}

bool parse_arg(std::string_view text, Param p, const std::vector<std::string>& requests, Arg* out, std::string* error) {
    switch (p) {
        case Param::Request:
            out->kind = Arg::Kind::Request;
            out->text = std::string(text);
            if (std::find(requests.begin(), requests.end(), out->text) != requests.end()) return true;
            *error = fmt::format("unknown request name '{}'; the requests sent before this line: {}", text,
                                 known_names(requests));
            return false;
        case Param::Worker: {
            out->kind = Arg::Kind::Worker;
            if (text.substr(0, 7) == "worker ") {
                std::string_view num = trim(text.substr(7));
                auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), out->n);
                if (ec == std::errc() && end == num.data() + num.size() && out->n >= 1) return true;
            }
            *error = fmt::format("expected a worker such as `worker 1`, got '{}'", text);
            return false;
        }
        case Param::Text:
            out->kind = Arg::Kind::Text;
            if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
                out->text = std::string(text.substr(1, text.size() - 2));
                return true;
            }
            *error = fmt::format("expected quoted text such as \"Booting worker\", got '{}'", text);
            return false;
        case Param::Span:
        case Param::ParkOn: {
            out->kind = Arg::Kind::Word;
            out->text = std::string(text);
            const bool ok = p == Param::Span ? text == "handler" : (text == "timer" || text == "socket");
            if (!ok) *error = fmt::format("expected {}, got '{}'", param_phrase(p), text);
            return ok;
        }
    }
    return false;
}

// A value of `type` as written after a comparison: 1.5s, 300ms, 3, handling.
bool parse_value(std::string_view text, const MeasureDef& m, Value* out, std::string* error) {
    out->type = m.type;
    if (m.type == ValueType::Word) {
        if (std::find(m.words.begin(), m.words.end(), text) != m.words.end()) {
            out->word = std::string(text);
            return true;
        }
        std::string list;
        for (std::string_view w : m.words) list += (list.empty() ? "" : ", ") + std::string(w);
        *error = fmt::format("{} is one of: {}; got '{}'", m.name, list, text);
        return false;
    }
    double scale = 1;
    std::string_view num = text;
    if (m.type == ValueType::Duration) {
        if (num.ends_with("ms")) {
            scale = 1e-3;
            num.remove_suffix(2);
        } else if (num.ends_with("s")) {
            num.remove_suffix(1);
        } else {
            *error = fmt::format("{} is a duration: write it with its unit, as 1.5s or 300ms; got '{}'", m.name, text);
            return false;
        }
    }
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), out->number);
    if (ec != std::errc() || end != num.data() + num.size() ||
        (m.type == ValueType::Count && out->number != std::floor(out->number))) {
        *error = fmt::format("{} is {}; got '{}'", m.name,
                             m.type == ValueType::Count ? "a whole number (3)" : "a duration (1.5s)", text);
        return false;
    }
    out->number *= scale;
    return true;
}

// Splits "lhs OP rhs"; op None when there is no comparison outside quotes/parentheses.
Op split_op(std::string_view s, std::string_view* lhs, std::string_view* rhs) {
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (depth != 0) continue;
        const bool two = i + 1 < s.size() && s[i + 1] == '=';
        Op op = Op::None;
        if (c == '=' && two) op = Op::Eq;
        else if (c == '!' && two) op = Op::Ne;
        else if (c == '<') op = two ? Op::Le : Op::Lt;
        else if (c == '>') op = two ? Op::Ge : Op::Gt;
        if (op == Op::None) continue;
        *lhs = trim(s.substr(0, i));
        *rhs = trim(s.substr(i + (two ? 2 : 1)));
        return op;
    }
    *lhs = trim(s);
    return Op::None;
}

bool apply_op(const Term& t, const Value& v) {
    if (t.op == Op::None) return v.yes;
    if (v.type == ValueType::Word) return (t.op == Op::Eq) == (v.word == t.rhs.word);
    if (v.type == ValueType::Bool) return (t.op == Op::Eq) == (v.yes == t.rhs.yes);
    const double a = v.number;
    const double b = t.rhs.number;
    switch (t.op) {
        case Op::Eq: return a == b;
        case Op::Ne: return a != b;
        case Op::Lt: return a < b;
        case Op::Le: return a <= b;
        case Op::Gt: return a > b;
        case Op::Ge: return a >= b;
        case Op::None: break;
    }
    return false;
}

std::string call_text(const Term& t) {
    std::string s(t.measure->name);
    if (t.args.empty()) return s;
    s += "(";
    for (std::size_t i = 0; i < t.args.size(); ++i) {
        if (i) s += ", ";
        const Arg& a = t.args[i];
        if (a.kind == Arg::Kind::Worker) s += fmt::format("worker {}", a.n);
        else if (a.kind == Arg::Kind::Text) s += "\"" + a.text + "\"";
        else s += a.text;
    }
    return s + ")";
}

}  // namespace

std::string_view to_string(Op op) {
    switch (op) {
        case Op::None: return "";
        case Op::Eq: return "==";
        case Op::Ne: return "!=";
        case Op::Lt: return "<";
        case Op::Le: return "<=";
        case Op::Gt: return ">";
        case Op::Ge: return ">=";
    }
    return "?";
}

const MeasureDef* find_measure(std::string_view name) {
    for (const MeasureDef& m : measures()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

bool parse_term(std::string_view text, const std::vector<std::string>& requests, Term* out, std::string* error,
                bool bare) {
    *out = Term{};
    out->text = std::string(trim(text));
    std::string_view s = trim(text);
    if (s.substr(0, 4) == "not ") {
        out->negate = true;
        s = trim(s.substr(4));
    }
    std::string_view lhs, rhs;
    out->op = split_op(s, &lhs, &rhs);
    std::size_t n = 0;
    while (n < lhs.size() && is_name_char(lhs[n])) ++n;
    std::string_view name = lhs.substr(0, n);
    const MeasureDef* m = find_measure(name);
    if (m == nullptr) {
        *error = fmt::format("unknown measure '{}'; expected one of the vocabulary (docs/lessons.md), e.g. "
                             "finished(A), latency(B) >= 1s, state(worker 1) == handling",
                             name.empty() ? lhs : name);
        return false;
    }
    out->measure = m;
    std::string_view rest = trim(lhs.substr(n));
    std::vector<std::string_view> args;
    if (!rest.empty()) {
        if (rest.front() != '(' || rest.back() != ')') {
            *error = fmt::format("expected {} — '{}' is not a parameter list in ( )", signature(*m), rest);
            return false;
        }
        args = split_args(rest.substr(1, rest.size() - 2));
    }
    if (args.size() != m->params.size()) {
        *error = fmt::format("{} takes {} parameter(s): {}", m->name, m->params.size(), signature(*m));
        return false;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        Arg a;
        if (!parse_arg(args[i], m->params[i], requests, &a, error)) return false;
        out->args.push_back(a);
    }
    if (out->op == Op::None) {
        if (m->type != ValueType::Bool && !bare) {
            *error = fmt::format("{} is a {}: compare it, e.g. `{}`", m->name,
                                 m->type == ValueType::Word ? "word" : "number", m->example);
            return false;
        }
        return true;
    }
    if (m->type == ValueType::Bool) {
        *error = fmt::format("{} is a yes/no predicate: write `{}` or `not {}`, without a comparison", m->name,
                             call_text(*out), call_text(*out));
        return false;
    }
    if (m->type == ValueType::Word && out->op != Op::Eq && out->op != Op::Ne) {
        *error = fmt::format("{} is a word: compare it with == or !=", m->name);
        return false;
    }
    return parse_value(rhs, *m, &out->rhs, error);
}

bool parse_condition(std::string_view text, const std::vector<std::string>& requests, Condition* out,
                     std::string* error) {
    out->all.clear();
    out->text = std::string(trim(text));
    std::string_view s = trim(text);
    while (true) {
        std::size_t at = std::string_view::npos;
        bool quoted = false;
        for (std::size_t i = 0; i + 5 <= s.size(); ++i) {
            if (s[i] == '"') quoted = !quoted;
            if (!quoted && s.substr(i, 5) == " and ") {
                at = i;
                break;
            }
        }
        Term t;
        if (!parse_term(s.substr(0, at), requests, &t, error)) return false;
        out->all.push_back(std::move(t));
        if (at == std::string_view::npos) return true;
        s = s.substr(at + 5);
    }
}

bool parse_when(std::string_view text, const Term& measure, Term* out, std::string* error) {
    *out = measure;
    std::string_view s = trim(text);
    const MeasureDef& m = *measure.measure;
    out->text = call_text(measure) + " " + std::string(s);
    if (m.type == ValueType::Bool) {
        if (s == "yes" || s == "no") {
            out->op = Op::Eq;
            out->rhs = Value{ValueType::Bool, s == "yes", 0, {}};
            return true;
        }
        *error = fmt::format("{} is yes or no: write `| yes` or `| no` after the choice, got '{}'", m.name, s);
        return false;
    }
    std::string_view lhs, rhs;
    std::string padded = "x " + std::string(s);
    out->op = split_op(padded, &lhs, &rhs);
    if (out->op == Op::None || lhs != "x") {
        *error = fmt::format("expected a comparison of {} such as `< 1.5s` or `== handling`, got '{}'", m.name, s);
        return false;
    }
    if (m.type == ValueType::Word && out->op != Op::Eq && out->op != Op::Ne) {
        *error = fmt::format("{} is a word: compare it with == or !=", m.name);
        return false;
    }
    return parse_value(rhs, m, &out->rhs, error);
}

std::string show(const Value& v) {
    switch (v.type) {
        case ValueType::Bool: return v.yes ? "yes" : "no";
        case ValueType::Count: return fmt::format("{}", static_cast<std::int64_t>(v.number));
        case ValueType::Duration: return fmt::format("{:.2f} s", v.number);
        case ValueType::Word: return v.word;
    }
    return "?";
}

Verdict evaluate(const Term& term, const Context& ctx) {
    Verdict out;
    std::string why;
    Measured v = term.measure->fn(ctx, term.args, &why);
    const std::string call = call_text(term);
    if (!v) {
        out.figure = fmt::format("{}: {}", call, why.empty() ? "not known yet" : why);
        return out;
    }
    out.known = true;
    out.holds = apply_op(term, *v) != term.negate;
    out.figure = fmt::format("{} = {}", call, show(*v));
    return out;
}

Verdict evaluate(const Condition& cond, const Context& ctx) {
    Verdict out{true, true, {}};
    for (const Term& t : cond.all) {
        Verdict v = evaluate(t, ctx);
        if (!out.figure.empty()) out.figure += ", ";
        out.figure += v.figure;
        out.known = out.known && v.known;
        out.holds = out.holds && v.known && v.holds;
    }
    return out;
}

}  // namespace minicorn::lesson
