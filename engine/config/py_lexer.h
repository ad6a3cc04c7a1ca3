// engine/config/py_lexer.h — splits Python source into logical lines of tokens.
//
// Enough of Python's lexical rules for configuration files: comments,
// implicit line joining inside brackets, backslash continuation, `;`,
// indentation (as a width), names, numbers, all string forms (prefixes r b u f,
// triple quotes, escapes) and operators. It never runs anything.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/py_error.h"

namespace minicorn::config {

struct Token {
    enum class Kind { Name, Number, String, Op };
    Kind kind = Kind::Op;
    std::string text;    // Name/Number/Op: as written; String: the decoded value
    int line = 0;
    bool fstring = false;  // String with an f prefix: text still holds the {…} fields
    bool is(Kind k, std::string_view t) const { return kind == k && text == t; }
    bool op(std::string_view t) const { return is(Kind::Op, t); }
    bool keyword(std::string_view t) const { return is(Kind::Name, t); }
};

struct LogicalLine {
    int line = 0;         // where it starts
    int last_line = 0;    // where it ends (continuations, triple-quoted strings)
    int indent = 0;       // columns of leading whitespace (a tab moves to the next multiple of 8)
    std::vector<Token> tokens;
};

struct LexResult {
    std::vector<LogicalLine> lines;
    std::optional<PyError> error;  // always Kind::Syntax
};

LexResult tokenize(std::string_view source);

// Tokens of one expression (an f-string field), all on `line`.
LexResult tokenize_expression(std::string_view source, int line);

// Python keywords (a Name token that is one cannot be a variable).
bool is_keyword(std::string_view name);

}  // namespace minicorn::config
