// engine/config/py_builtins.h — the allow-list: which modules, functions and
// methods a config file may use, and what they do. Internal to engine/config
// (py_eval.cpp); every function throws PyError (Runtime as Python would raise,
// Unsupported for what is not on the list).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/config/py_error.h"
#include "engine/config/py_eval.h"
#include "engine/config/py_value.h"

namespace minicorn::config {

// int, float, str, bool, len, max, min, abs and __file__'s friends: nullopt if not a builtin.
std::optional<Value> builtin(std::string_view name);
// "os", "os.path", "multiprocessing": nullopt for any other module.
std::optional<Value> import_module(std::string_view dotted);
Value attribute(const Value& object, std::string_view attr, int line);
Value call(const Value& function, const std::vector<Value>& args, const Host& host, int line);
Value subscript(const Value& object, const Value& key, const Host& host, int line);
bool contains(const Value& container, const Value& item, const Host& host, int line);
// "fmt" % args, the printf-style formatting old config files use ("0.0.0.0:%s" % port).
Value percent_format(const std::string& format, const Value& args, int line);

[[noreturn]] void raise_runtime(int line, std::string message);
[[noreturn]] void raise_unsupported(int line, std::string message);

}  // namespace minicorn::config
