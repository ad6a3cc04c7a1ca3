// engine/config/py_value.h — the values a gunicorn config file's expressions produce.
//
// The Python subset minicorn evaluates (see docs/configuration.md): None,
// bool, int, float, str, list, tuple, and "objects" — the few modules,
// functions and bound methods of the allow-list (py_builtins.cpp), known by
// their qualified name ("os.environ.get"). One plain struct, not a variant:
// the evaluator reads clearer with `v.type == Type::Str` than with visitors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace minicorn::config {

struct Value {
    enum class Type { None, Bool, Int, Float, Str, List, Tuple, Object };
    Type type = Type::None;
    bool b = false;
    std::int64_t i = 0;
    double f = 0.0;
    std::string s;                 // Str; for Object: its qualified name ("os.environ.get")
    std::vector<Value> items;      // List, Tuple
    std::shared_ptr<const Value> self;  // Object that is a bound method: the value it is bound to

    static Value none() { return {}; }
    static Value boolean(bool v) { Value x; x.type = Type::Bool; x.b = v; return x; }
    static Value integer(std::int64_t v) { Value x; x.type = Type::Int; x.i = v; return x; }
    static Value real(double v) { Value x; x.type = Type::Float; x.f = v; return x; }
    static Value str(std::string v) { Value x; x.type = Type::Str; x.s = std::move(v); return x; }
    static Value list(std::vector<Value> v, Type t = Type::List) { Value x; x.type = t; x.items = std::move(v); return x; }
    static Value object(std::string qualname, std::shared_ptr<const Value> bound = nullptr) {
        Value x; x.type = Type::Object; x.s = std::move(qualname); x.self = std::move(bound); return x;
    }
    bool is_number() const { return type == Type::Int || type == Type::Float || type == Type::Bool; }
};

// Python's name for the type, as its error messages say it: "int", "str", "NoneType".
std::string type_name(const Value& v);
// repr(v): "'gevent'", "4", "['a', 'b']", "True".
std::string repr(const Value& v);
// str(v): "gevent", "4", "2.5".
std::string to_str(const Value& v);
// Python truthiness.
bool truthy(const Value& v);
// ==, as Python compares (1 == 1.0 == True).
bool equal(const Value& a, const Value& b);

}  // namespace minicorn::config
