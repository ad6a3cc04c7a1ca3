// engine/config/py_value.cpp — type names, repr/str, truthiness and equality of Values.
#include "engine/config/py_value.h"

#include <fmt/format.h>

#include <cmath>

namespace minicorn::config {

std::string type_name(const Value& v) {
    switch (v.type) {
        case Value::Type::None: return "NoneType";
        case Value::Type::Bool: return "bool";
        case Value::Type::Int: return "int";
        case Value::Type::Float: return "float";
        case Value::Type::Str: return "str";
        case Value::Type::List: return "list";
        case Value::Type::Tuple: return "tuple";
        case Value::Type::Object: return v.s;
    }
    return "?";
}

namespace {

std::string float_text(double f) {
    if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
    if (std::isnan(f)) return "nan";
    std::string text = fmt::format("{}", f);  // shortest round trip, as Python's repr
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
    return text;
}

std::string quote(const std::string& s) {
    char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
    std::string out(1, q);
    for (char c : s) {
        if (c == q || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        if (c == '\t') { out += "\\t"; continue; }
        out += c;
    }
    return out + q;
}

}  // namespace

std::string repr(const Value& v) {
    switch (v.type) {
        case Value::Type::Str: return quote(v.s);
        case Value::Type::List:
        case Value::Type::Tuple: {
            std::string out = v.type == Value::Type::List ? "[" : "(";
            for (std::size_t k = 0; k < v.items.size(); ++k) out += (k ? ", " : "") + repr(v.items[k]);
            if (v.type == Value::Type::Tuple && v.items.size() == 1) out += ",";
            return out + (v.type == Value::Type::List ? "]" : ")");
        }
        case Value::Type::Object: return "<" + v.s + ">";
        default: return to_str(v);
    }
}

std::string to_str(const Value& v) {
    switch (v.type) {
        case Value::Type::None: return "None";
        case Value::Type::Bool: return v.b ? "True" : "False";
        case Value::Type::Int: return std::to_string(v.i);
        case Value::Type::Float: return float_text(v.f);
        case Value::Type::Str: return v.s;
        default: return repr(v);
    }
}

bool truthy(const Value& v) {
    switch (v.type) {
        case Value::Type::None: return false;
        case Value::Type::Bool: return v.b;
        case Value::Type::Int: return v.i != 0;
        case Value::Type::Float: return v.f != 0.0;
        case Value::Type::Str: return !v.s.empty();
        case Value::Type::List:
        case Value::Type::Tuple: return !v.items.empty();
        case Value::Type::Object: return true;
    }
    return false;
}

bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        if (a.type == Value::Type::Float || b.type == Value::Type::Float) {
            auto as_double = [](const Value& x) {
                return x.type == Value::Type::Float ? x.f : static_cast<double>(x.type == Value::Type::Bool ? x.b : x.i);
            };
            return as_double(a) == as_double(b);
        }
        std::int64_t x = a.type == Value::Type::Bool ? a.b : a.i;
        std::int64_t y = b.type == Value::Type::Bool ? b.b : b.i;
        return x == y;
    }
    if (a.type != b.type) return false;
    switch (a.type) {
        case Value::Type::None: return true;
        case Value::Type::Str: return a.s == b.s;
        case Value::Type::Object: return a.s == b.s && a.self == b.self;
        case Value::Type::List:
        case Value::Type::Tuple:
            if (a.items.size() != b.items.size()) return false;
            for (std::size_t k = 0; k < a.items.size(); ++k)
                if (!equal(a.items[k], b.items[k])) return false;
            return true;
        default: return false;
    }
}

}  // namespace minicorn::config
