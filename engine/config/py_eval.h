// engine/config/py_eval.h — evaluates a parsed expression against the names a config file bound.
//
// Pure: no I/O, no process state. What the file may read of the world (the
// environment, the CPU count, its own path) comes in a Host, so tests and
// `minicorn compare` can pass their own.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "engine/config/py_error.h"
#include "engine/config/py_parser.h"
#include "engine/config/py_value.h"

namespace minicorn::config {

struct Host {
    std::map<std::string, std::string> env;  // os.environ
    int cpu_count = 1;                       // multiprocessing.cpu_count(), os.cpu_count()
    int usable_cpus = 1;                     // len(os.sched_getaffinity(0))
    std::string file;                        // __file__

    // This process's environment and CPUs.
    static Host current(std::string file);
};

// The module namespace as the file runs.
struct Scope {
    std::map<std::string, Value> vars;
    // Names some statement minicorn skipped may have bound (an import of an
    // unknown module, a def, an if block): using one is Unsupported, not a
    // NameError. "*" stands for every name (`from x import *`).
    std::set<std::string> unknown;
};

struct EvalResult {
    std::optional<Value> value;
    std::optional<PyError> error;  // Runtime or Unsupported
};

EvalResult evaluate(const Node& node, const Scope& scope, const Host& host);

}  // namespace minicorn::config
