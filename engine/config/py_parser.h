// engine/config/py_parser.h — Python expressions → a small syntax tree.
//
// A precedence-climbing parser over the subset minicorn evaluates:
// literals (numbers, strings incl. simple f-strings, lists, tuples, True/False/
// None), names, attribute access, calls, subscripts, unary - +, binary
// + - * / // % **, comparisons, not/and/or and `x if c else y`. Anything
// else that is still Python (lambda, comprehensions, dicts, | & ^ << >>,
// keyword arguments, slices, format specs) is reported as Unsupported, so
// the caller can skip the statement with a warning; what is not Python at
// all is a Syntax error.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/config/py_error.h"
#include "engine/config/py_lexer.h"
#include "engine/config/py_value.h"

namespace minicorn::config {

struct Node {
    enum class Kind {
        Const,    // value
        Name,     // text: the name
        FString,  // kids: the parts; ops[k]: "" for a literal part, else the conversion ("s", "r", "a")
        List,     // kids: the elements
        Tuple,    // kids: the elements
        Attr,     // kids[0].text
        Call,     // kids[0](kids[1], …)
        Index,    // kids[0][kids[1]]
        Unary,    // text: "-" or "+"; kids[0]
        Binary,   // text: the operator; kids[0] op kids[1]
        Compare,  // kids[0] ops[0] kids[1] ops[1] kids[2] … (chained, as Python)
        And,      // kids[0] and kids[1]
        Or,       // kids[0] or kids[1]
        Not,      // not kids[0]
        Ternary,  // kids[0] if kids[1] else kids[2]
    };
    Kind kind = Kind::Const;
    int line = 0;
    std::string text;
    Value value;
    std::vector<Node> kids;
    std::vector<std::string> ops;
};

struct ParseResult {
    std::optional<Node> node;
    std::optional<PyError> error;  // Syntax or Unsupported
};

// Parses all of `tokens` as one expression list: `a, b` is a tuple, as on
// the right of an assignment.
ParseResult parse_expression(std::span<const Token> tokens);

}  // namespace minicorn::config
