// engine/config/config_file.h — runs a gunicorn config file the way minicorn can:
// statement by statement, evaluating plain assignments and skipping the rest
// with a note that says what was skipped and where.
//
// It knows Python, not gunicorn: which names are settings or hooks is the
// caller's business (gunicorn_config.h). Pure: no I/O (the caller reads the file).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/py_error.h"
#include "engine/config/py_eval.h"
#include "engine/config/py_value.h"

namespace minicorn::config {

struct Assignment {
    Value value;
    int line = 0;        // of the last assignment to the name
    std::string source;  // the right-hand side as written: "multiprocessing.cpu_count() * 2 + 1"
};

// Something in the file minicorn did not run.
struct FileNote {
    int line = 0;
    int last_line = 0;  // == line for one-line statements
    std::string text;   // "import logging: not run (…)"
};

// A `def NAME(…):` at the top level: gunicorn calls some of them (hooks).
struct FunctionDef {
    std::string name;
    int line = 0;
    int last_line = 0;
};

struct FileResult {
    std::map<std::string, Assignment> values;  // each name's final value, as gunicorn reads vars(module)
    std::map<std::string, FileNote> skipped;   // names whose last assignment could not be evaluated
    std::vector<FileNote> notes;               // other statements not run, in file order
    std::vector<FunctionDef> defs;
    std::optional<PyError> error;              // Syntax or Runtime: gunicorn would not start either
};

FileResult read_config_source(std::string_view source, const Host& host);

}  // namespace minicorn::config
