// engine/config/py_parser.cpp — recursive descent for the statement-level
// forms (ternary, or, and, not, comparisons) and precedence climbing for
// the arithmetic operators, as in Python's grammar (3.8+).
//
// The parser throws PyError inside this file only; parse_expression turns it
// into a ParseResult, so no exception leaves the file.
#include "engine/config/py_parser.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace minicorn::config {
namespace {

constexpr int kMaxDepth = 100;  // nesting of brackets and unary operators (Python stops at 200)

[[noreturn]] void syntax(int line, std::string message) { throw PyError{PyError::Kind::Syntax, line, std::move(message)}; }
[[noreturn]] void unsupported(int line, std::string message) {
    throw PyError{PyError::Kind::Unsupported, line, std::move(message)};
}

Node make(Node::Kind kind, int line, std::vector<Node> kids = {}, std::string text = {}) {
    Node n;
    n.kind = kind;
    n.line = line;
    n.kids = std::move(kids);
    n.text = std::move(text);
    return n;
}

Node constant(Value v, int line) {
    Node n = make(Node::Kind::Const, line);
    n.value = std::move(v);
    return n;
}

Value parse_number(const std::string& written, int line) {
    std::string text;
    for (char c : written)
        if (c != '_') text += c;
    if (text.back() == 'j' || text.back() == 'J') unsupported(line, "complex numbers are not evaluated");
    int base = 10;
    std::size_t skip = 0;
    if (text.size() > 1 && text[0] == '0' && std::isalpha(static_cast<unsigned char>(text[1]))) {
        base = (text[1] == 'x' || text[1] == 'X') ? 16 : (text[1] == 'o' || text[1] == 'O') ? 8 : 2;
        skip = 2;
    } else if (text.find_first_of(".eE") != std::string::npos) {
        return Value::real(std::strtod(text.c_str(), nullptr));
    }
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data() + skip, text.data() + text.size(), v, base);
    if (ec == std::errc::result_out_of_range) unsupported(line, fmt::format("the number {} is too large for minicorn", written));
    if (ec != std::errc() || end != text.data() + text.size()) syntax(line, fmt::format("invalid number '{}'", written));
    return Value::integer(v);
}

class Parser {
public:
    Parser(std::span<const Token> tokens, int depth) : toks_(tokens), depth_(depth) {}

    Node parse_all() {
        Node n = expression_list();
        if (pos_ < toks_.size()) leftover();
        return n;
    }

private:
    struct DepthGuard {
        explicit DepthGuard(Parser& p) : p_(p) {
            if (++p_.depth_ > kMaxDepth) syntax(p_.line(), "too many nested parentheses or operators");
        }
        ~DepthGuard() { --p_.depth_; }
        Parser& p_;
    };

    const Token* peek(std::size_t ahead = 0) const { return pos_ + ahead < toks_.size() ? &toks_[pos_ + ahead] : nullptr; }
    bool at_op(std::string_view op) const { return peek() && peek()->op(op); }
    bool at_keyword(std::string_view k) const { return peek() && peek()->keyword(k); }
    int line() const {
        if (peek()) return peek()->line;
        return toks_.empty() ? 0 : toks_.back().line;
    }
    void expect_op(std::string_view op) {
        if (!at_op(op)) syntax(line(), peek() ? fmt::format("expected '{}', found '{}'", op, peek()->text)
                                              : fmt::format("expected '{}' at the end of the line", op));
        ++pos_;
    }

    // A token that cannot follow a complete expression.
    [[noreturn]] void leftover() {
        const Token& t = *peek();
        if (t.keyword("for")) unsupported(t.line, "generator expressions are not evaluated");
        if (t.op("=") || t.op(":=")) unsupported(t.line, "this kind of assignment is not evaluated");
        syntax(t.line, fmt::format("invalid syntax at '{}'", t.kind == Token::Kind::String ? repr(Value::str(t.text)) : t.text));
    }

    Node expression_list() {
        int at = line();
        Node first = expression();
        if (!at_op(",")) return first;
        std::vector<Node> items{std::move(first)};
        while (at_op(",")) {
            ++pos_;
            if (!peek() || at_op(")") || at_op("]")) break;
            items.push_back(expression());
        }
        return make(Node::Kind::Tuple, at, std::move(items));
    }

    Node expression() {
        DepthGuard guard(*this);
        if (at_keyword("lambda")) unsupported(line(), "lambda is not evaluated");
        Node body = or_test();
        if (!at_keyword("if")) return body;
        int at = line();
        ++pos_;
        Node cond = or_test();
        if (!at_keyword("else")) syntax(line(), "expected 'else' after 'if' expression");
        ++pos_;
        Node orelse = expression();
        return make(Node::Kind::Ternary, at, {std::move(body), std::move(cond), std::move(orelse)});
    }

    Node or_test() { return boolean_chain("or", Node::Kind::Or, &Parser::and_test); }
    Node and_test() { return boolean_chain("and", Node::Kind::And, &Parser::not_test); }

    // operand (keyword operand)*, left to right.
    Node boolean_chain(std::string_view keyword, Node::Kind kind, Node (Parser::*operand)()) {
        Node left = (this->*operand)();
        while (at_keyword(keyword)) {
            int at = line();
            ++pos_;
            left = make(kind, at, {std::move(left), (this->*operand)()});
        }
        return left;
    }

    Node not_test() {
        DepthGuard guard(*this);
        if (!at_keyword("not")) return comparison();
        int at = line();
        ++pos_;
        return make(Node::Kind::Not, at, {not_test()});
    }

    // "==", "not in", "is not", …, or "" when the next token is no comparison.
    std::string comparison_op() {
        const Token* t = peek();
        if (!t) return "";
        for (std::string_view op : {"==", "!=", "<", ">", "<=", ">="})
            if (t->op(op)) return ++pos_, std::string(op);
        if (t->keyword("in")) return ++pos_, "in";
        if (t->keyword("not") && peek(1) && peek(1)->keyword("in")) return pos_ += 2, "not in";
        if (t->keyword("is")) {
            ++pos_;
            if (at_keyword("not")) return ++pos_, "is not";
            return "is";
        }
        return "";
    }

    Node comparison() {
        int at = line();
        Node first = arith(0);
        std::string op = comparison_op();
        if (op.empty()) return first;
        Node n = make(Node::Kind::Compare, at, {std::move(first)});
        while (!op.empty()) {
            n.ops.push_back(op);
            n.kids.push_back(arith(0));
            op = comparison_op();
        }
        return n;
    }

    // Precedence climbing: + - bind at 1, * / // % at 2.
    static int binary_precedence(const Token& t) {
        if (t.kind != Token::Kind::Op) return -1;
        if (t.text == "+" || t.text == "-") return 1;
        if (t.text == "*" || t.text == "/" || t.text == "//" || t.text == "%") return 2;
        return -1;
    }

    Node arith(int min_precedence) {
        Node left = unary();
        while (const Token* t = peek()) {
            for (std::string_view op : {"|", "^", "&", "<<", ">>", "@"})
                if (t->op(op)) unsupported(t->line, fmt::format("the operator '{}' is not evaluated", op));
            int precedence = binary_precedence(*t);
            if (precedence < min_precedence || precedence < 0) break;
            ++pos_;
            Node right = arith(precedence + 1);
            left = make(Node::Kind::Binary, t->line, {std::move(left), std::move(right)}, t->text);
        }
        return left;
    }

    Node unary() {
        DepthGuard guard(*this);
        if (at_op("~")) unsupported(line(), "the operator '~' is not evaluated");
        if (at_op("-") || at_op("+")) {
            const Token& t = *peek();
            ++pos_;
            return make(Node::Kind::Unary, t.line, {unary()}, t.text);
        }
        Node base = postfix();
        if (!at_op("**")) return base;
        int at = line();
        ++pos_;
        return make(Node::Kind::Binary, at, {std::move(base), unary()}, "**");
    }

    Node postfix() {
        Node n = atom();
        while (const Token* t = peek()) {
            if (t->op(".")) {
                ++pos_;
                if (!peek() || peek()->kind != Token::Kind::Name) syntax(t->line, "expected a name after '.'");
                n = make(Node::Kind::Attr, t->line, {std::move(n)}, peek()->text);
                ++pos_;
            } else if (t->op("(")) {
                ++pos_;
                n = make(Node::Kind::Call, t->line, {std::move(n)});
                call_arguments(n);
            } else if (t->op("[")) {
                ++pos_;
                Node index = expression();
                if (at_op(":")) unsupported(line(), "slices are not evaluated");
                expect_op("]");
                n = make(Node::Kind::Index, t->line, {std::move(n), std::move(index)});
            } else {
                break;
            }
        }
        return n;
    }

    void call_arguments(Node& call) {
        while (!at_op(")")) {
            if (!peek()) syntax(line(), "'(' was never closed");
            if (at_op("*") || at_op("**")) unsupported(line(), "*args and **kwargs are not evaluated");
            if (peek()->kind == Token::Kind::Name && peek(1) && peek(1)->op("="))
                unsupported(line(), fmt::format("keyword arguments ({}=…) are not evaluated", peek()->text));
            call.kids.push_back(expression());
            if (at_keyword("for")) unsupported(line(), "generator expressions are not evaluated");
            if (!at_op(",")) break;
            ++pos_;
        }
        expect_op(")");
    }

    // '(' or '[' already consumed: elements up to `close`.
    Node sequence(Node::Kind kind, std::string_view close, int at) {
        Node n = make(kind, at);
        bool comma = false;
        while (!at_op(close)) {
            if (!peek()) syntax(at, fmt::format("'{}' was never closed", close == ")" ? "(" : "["));
            n.kids.push_back(expression());
            if (at_keyword("for")) unsupported(line(), "comprehensions are not evaluated");
            if (!at_op(",")) break;
            comma = true;
            ++pos_;
        }
        expect_op(close);
        if (kind == Node::Kind::Tuple && n.kids.size() == 1 && !comma) return std::move(n.kids[0]);  // (x) is x
        return n;
    }

    Node atom() {
        const Token* t = peek();
        if (!t) syntax(line(), "expected an expression at the end of the line");
        ++pos_;
        switch (t->kind) {
            case Token::Kind::Number: return constant(parse_number(t->text, t->line), t->line);
            case Token::Kind::String: return strings(*t);
            case Token::Kind::Name: return name(*t);
            case Token::Kind::Op: break;
        }
        if (t->op("(")) return sequence(Node::Kind::Tuple, ")", t->line);
        if (t->op("[")) return sequence(Node::Kind::List, "]", t->line);
        if (t->op("{")) unsupported(t->line, "dict and set literals are not evaluated");
        if (t->op("...")) unsupported(t->line, "Ellipsis is not evaluated");
        syntax(t->line, fmt::format("invalid syntax at '{}'", t->text));
    }

    Node name(const Token& t) {
        if (t.text == "True") return constant(Value::boolean(true), t.line);
        if (t.text == "False") return constant(Value::boolean(false), t.line);
        if (t.text == "None") return constant(Value::none(), t.line);
        if (t.text == "yield" || t.text == "await") unsupported(t.line, fmt::format("'{}' is not evaluated", t.text));
        if (is_keyword(t.text)) syntax(t.line, fmt::format("invalid syntax at '{}'", t.text));
        return make(Node::Kind::Name, t.line, {}, t.text);
    }

    // Adjacent string literals are one string ("a" "b" is "ab"); any f part makes an f-string.
    Node strings(const Token& first) {
        std::vector<const Token*> parts{&first};
        while (peek() && peek()->kind == Token::Kind::String) parts.push_back(&toks_[pos_++]);
        bool any_f = false;
        for (const Token* p : parts) any_f |= p->fstring;
        if (!any_f) {
            std::string joined;
            for (const Token* p : parts) joined += p->text;
            return constant(Value::str(std::move(joined)), first.line);
        }
        Node n = make(Node::Kind::FString, first.line);
        for (const Token* p : parts) {
            if (p->fstring) fstring_fields(*p, n);
            else add_literal(n, p->text);
        }
        return n;
    }

    static void add_literal(Node& f, const std::string& text) {
        if (text.empty()) return;
        f.kids.push_back(constant(Value::str(text), f.line));
        f.ops.emplace_back();
    }

    void fstring_fields(const Token& t, Node& f) {
        const std::string& s = t.text;
        std::string literal;
        for (std::size_t k = 0; k < s.size(); ++k) {
            if (s[k] == '}') {
                if (k + 1 < s.size() && s[k + 1] == '}') { literal += '}'; ++k; continue; }
                syntax(t.line, "f-string: single '}' is not allowed");
            }
            if (s[k] != '{') { literal += s[k]; continue; }
            if (k + 1 < s.size() && s[k + 1] == '{') { literal += '{'; ++k; continue; }
            add_literal(f, literal);
            literal.clear();
            k = fstring_field(t, k + 1, f);
        }
        add_literal(f, literal);
    }

    // Parses the field that starts at s[begin] (after '{'); returns the index of its '}'.
    std::size_t fstring_field(const Token& t, std::size_t begin, Node& f) {
        const std::string& s = t.text;
        int nesting = 0;
        char quote = 0;
        std::size_t expr_end = std::string::npos, k = begin;
        for (; k < s.size(); ++k) {
            char c = s[k];
            if (quote) { if (c == quote) quote = 0; continue; }
            if (c == '\'' || c == '"') quote = c;
            else if (c == '(' || c == '[' || c == '{') ++nesting;
            else if (c == ')' || c == ']' || (c == '}' && nesting > 0)) --nesting;
            else if (nesting == 0 && c == '}') break;
            else if (nesting == 0 && expr_end == std::string::npos &&
                     ((c == '!' && k + 1 < s.size() && s[k + 1] != '=') || c == ':'))
                expr_end = k;
        }
        if (k >= s.size()) syntax(t.line, "f-string: expecting '}'");
        if (expr_end == std::string::npos) expr_end = k;
        std::string conversion = "s";
        std::string_view rest(s.data() + expr_end, k - expr_end);
        if (rest.starts_with("!")) {
            conversion = std::string(rest.substr(1, 1));
            rest.remove_prefix(std::min<std::size_t>(rest.size(), 2));
            if (conversion != "s" && conversion != "r" && conversion != "a")
                syntax(t.line, "f-string: invalid conversion character");
        }
        if (!rest.empty()) unsupported(t.line, "format specifications in f-strings ({x:…}) are not evaluated");
        LexResult lexed = tokenize_expression(std::string_view(s).substr(begin, expr_end - begin), t.line);
        if (lexed.error) throw *lexed.error;
        if (lexed.lines.empty()) syntax(t.line, "f-string: empty expression not allowed");
        if (lexed.lines.size() > 1) syntax(t.line, "f-string: invalid expression");
        Parser inner(lexed.lines[0].tokens, depth_);
        f.kids.push_back(inner.parse_all());
        f.ops.push_back(conversion);
        return k;
    }

    std::span<const Token> toks_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

}  // namespace

ParseResult parse_expression(std::span<const Token> tokens) {
    try {
        return {Parser(tokens, 0).parse_all(), std::nullopt};
    } catch (const PyError& e) {
        return {std::nullopt, e};
    }
}

}  // namespace minicorn::config
