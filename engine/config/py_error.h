// engine/config/py_error.h — what can go wrong reading a config file, sorted as the reader must act.
#pragma once

#include <string>

namespace minicorn::config {

struct PyError {
    enum class Kind {
        Syntax,       // not Python at all: gunicorn would fail to start too — a fatal error
        Runtime,      // Python, but it raises (NameError, ZeroDivisionError, KeyError…): fatal, as in gunicorn
        Unsupported,  // Python outside minicorn's subset: the statement is skipped with a warning
    };
    Kind kind = Kind::Syntax;
    int line = 0;  // 1-based line in the file
    std::string message;
};

}  // namespace minicorn::config
