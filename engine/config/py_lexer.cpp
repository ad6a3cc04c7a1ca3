// engine/config/py_lexer.cpp — Python's lexical rules, as far as config files need them.
//
// One pass over the source. A logical line ends at a newline outside
// brackets (not after a backslash) or at a `;`; blank and comment-only lines
// make none. Errors carry the line where Python would report them.
#include "engine/config/py_lexer.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "engine/http/pytext.h"

namespace minicorn::config {

bool is_keyword(std::string_view name) {
    static constexpr std::array<std::string_view, 35> kKeywords = {
        "False", "None",   "True",    "and",   "as",     "assert", "async", "await",    "break",
        "class", "continue", "def",   "del",   "elif",   "else",   "except", "finally", "for",
        "from",  "global", "if",      "import", "in",    "is",     "lambda", "nonlocal", "not",
        "or",    "pass",   "raise",   "return", "try",   "while",  "with",  "yield"};
    for (std::string_view k : kKeywords)
        if (k == name) return true;
    return false;
}

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool name_char(char c) { return name_start(c) || std::isdigit(static_cast<unsigned char>(c)); }

class Lexer {
public:
    Lexer(std::string_view src, int first_line) : src_(src), line_(first_line) {}

    LexResult run(bool one_expression) {
        while (pos_ < src_.size() && !result_.error) {
            if (at_line_start_ && brackets_.empty() && !one_expression) {
                if (!begin_line()) continue;
            }
            step();
        }
        if (!result_.error && !brackets_.empty()) {
            fail(brackets_.back().second, fmt::format("'{}' was never closed", brackets_.back().first));
        }
        end_line();
        return std::move(result_);
    }

private:
    char peek(std::size_t ahead = 0) const { return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0'; }

    void fail(int line, std::string message) {
        if (!result_.error) result_.error = PyError{PyError::Kind::Syntax, line, std::move(message)};
    }

    // Measures the indentation of a new physical line; false if it is blank
    // or only a comment (it was consumed).
    bool begin_line() {
        int width = 0;
        while (peek() == ' ' || peek() == '\t' || peek() == '\f' || peek() == '\r') {
            width = peek() == '\t' ? (width / 8 + 1) * 8 : width + 1;
            ++pos_;
        }
        if (peek() == '#') {
            while (pos_ < src_.size() && peek() != '\n') ++pos_;
        }
        if (pos_ >= src_.size()) return false;
        if (peek() == '\n') {
            ++pos_;
            ++line_;
            return false;
        }
        at_line_start_ = false;
        current_ = LogicalLine{line_, line_, width, {}};
        return true;
    }

    void end_line() {
        if (!current_.tokens.empty()) {
            current_.last_line = line_;
            result_.lines.push_back(std::move(current_));
        }
        current_ = LogicalLine{line_, line_, current_.indent, {}};
    }

    void push(Token::Kind kind, std::string text, int line, bool fstring = false) {
        current_.tokens.push_back(Token{kind, std::move(text), line, fstring});
    }

    void step() {
        char c = peek();
        if (c == '#') {
            while (pos_ < src_.size() && peek() != '\n') ++pos_;
        } else if (c == '\n') {
            ++pos_;
            if (brackets_.empty()) {
                end_line();
                at_line_start_ = true;
            }
            ++line_;
        } else if (c == '\\') {
            if (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n')) {
                pos_ += peek(1) == '\n' ? 2u : 3u;
                ++line_;
            } else {
                fail(line_, "unexpected character after line continuation character");
            }
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            ++pos_;
        } else if (string_start()) {
            lex_string();
        } else if (name_start(c)) {
            std::size_t start = pos_;
            while (pos_ < src_.size() && name_char(peek())) ++pos_;
            push(Token::Kind::Name, std::string(src_.substr(start, pos_ - start)), line_);
        } else if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
            lex_number();
        } else {
            lex_operator();
        }
    }

    // A quote, or a string prefix (r, b, u, f and their pairs) right before one.
    bool string_start() const {
        std::size_t k = 0;
        while (k < 2 && std::string_view("rRbBuUfF").find(peek(k)) != std::string_view::npos && peek(k) != '\0') ++k;
        return peek(k) == '\'' || peek(k) == '"';
    }

    void lex_number() {
        std::size_t start = pos_;
        auto digits = [&](auto accept) {
            while (pos_ < src_.size() && (accept(peek()) || peek() == '_')) ++pos_;
        };
        auto dec = [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; };
        if (peek() == '0' && std::string_view("xXoObB").find(peek(1)) != std::string_view::npos && peek(1) != '\0') {
            pos_ += 2;
            digits([](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
        } else {
            digits(dec);
            if (peek() == '.') {
                ++pos_;
                digits(dec);
            }
            if ((peek() == 'e' || peek() == 'E') &&
                (dec(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && dec(peek(2))))) {
                pos_ += 2;
                digits(dec);
            }
            if (peek() == 'j' || peek() == 'J') ++pos_;
        }
        if (name_char(peek())) {
            fail(line_, "invalid decimal literal");
            return;
        }
        push(Token::Kind::Number, std::string(src_.substr(start, pos_ - start)), line_);
    }

    void lex_operator() {
        static constexpr std::array<std::string_view, 24> kLong = {
            "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "->",
            "+=",  "-=",  "*=",  "/=",  "%=",  "&=", "|=", "^=", "@=", ":=", "<<", ">>"};
        for (std::string_view op : kLong) {
            if (src_.substr(pos_, op.size()) == op) {
                push(Token::Kind::Op, std::string(op), line_);
                pos_ += op.size();
                return;
            }
        }
        char c = peek();
        if (std::string_view("+-*/%@&|^~<>()[]{},:.;=").find(c) == std::string_view::npos) {
            fail(line_, fmt::format("invalid character '{}'", c));
            return;
        }
        ++pos_;
        if (c == ';' && brackets_.empty()) {  // a second statement on the same line
            int indent = current_.indent;
            end_line();
            current_.indent = indent;
            return;
        }
        if (c == '(' || c == '[' || c == '{') brackets_.emplace_back(c, line_);
        if (c == ')' || c == ']' || c == '}') {
            char open = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (brackets_.empty()) {
                fail(line_, fmt::format("unmatched '{}'", c));
                return;
            }
            if (brackets_.back().first != open) {
                fail(line_, fmt::format("closing parenthesis '{}' does not match opening parenthesis '{}'", c,
                                        brackets_.back().first));
                return;
            }
            brackets_.pop_back();
        }
        push(Token::Kind::Op, std::string(1, c), line_);
    }

    void lex_string() {
        bool raw = false, fstring = false, bytes = false;
        while (peek() != '\'' && peek() != '"') {
            char p = static_cast<char>(std::tolower(static_cast<unsigned char>(peek())));
            raw |= p == 'r';
            fstring |= p == 'f';
            bytes |= p == 'b';
            ++pos_;
        }
        if (fstring && bytes) {
            fail(line_, "invalid string prefix");
            return;
        }
        const int start_line = line_;
        const char q = peek();
        const bool triple = peek(1) == q && peek(2) == q;
        pos_ += triple ? 3 : 1;
        std::string out;
        while (true) {
            if (pos_ >= src_.size() || (!triple && peek() == '\n')) {
                fail(start_line, triple ? "unterminated triple-quoted string literal" : "unterminated string literal");
                return;
            }
            char c = peek();
            if (c == q && (!triple || (peek(1) == q && peek(2) == q))) {
                pos_ += triple ? 3 : 1;
                break;
            }
            if (c == '\n') ++line_;
            if (c == '\\') {
                escape(out, raw, bytes);
                continue;
            }
            out += c;
            ++pos_;
        }
        push(Token::Kind::String, std::move(out), start_line, fstring);
    }

    // At a backslash inside a string: appends what it stands for.
    void escape(std::string& out, bool raw, bool bytes) {
        char next = peek(1);
        if (next == '\n') ++line_;
        if (raw) {  // kept as written; the backslash only stops a quote from ending the string
            out += '\\';
            if (next != '\0') out += next;
            pos_ += next != '\0' ? 2 : 1;
            return;
        }
        pos_ += 2;
        switch (next) {
            case '\n': return;  // continuation inside the string
            case 'n': out += '\n'; return;
            case 't': out += '\t'; return;
            case 'r': out += '\r'; return;
            case 'a': out += '\a'; return;
            case 'b': out += '\b'; return;
            case 'f': out += '\f'; return;
            case 'v': out += '\v'; return;
            case '\\': case '\'': case '"': out += next; return;
            default: break;
        }
        auto hex = [&](int count) -> std::optional<unsigned> {
            unsigned v = 0;
            for (int k = 0; k < count; ++k) {
                char h = peek();
                if (!std::isxdigit(static_cast<unsigned char>(h))) return std::nullopt;
                v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
                ++pos_;
            }
            return v;
        };
        if (next >= '0' && next <= '7') {
            unsigned v = static_cast<unsigned>(next - '0');
            for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + static_cast<unsigned>(peek() - '0'), ++pos_;
            http::py::append_utf8(out, v & 0xFF);
        } else if (next == 'x' || (!bytes && (next == 'u' || next == 'U'))) {
            auto v = hex(next == 'x' ? 2 : next == 'u' ? 4 : 8);
            if (!v || *v > 0x10FFFF) {
                fail(line_, "truncated or invalid \\x, \\u or \\U escape in a string");
                return;
            }
            if (next == 'x' && bytes) out += static_cast<char>(*v);
            else http::py::append_utf8(out, *v);
        } else {  // unknown escapes stay as written, as in Python
            out += '\\';
            if (next != '\0') out += next;
            else --pos_;
        }
    }

    std::string_view src_;
    std::size_t pos_ = 0;
    int line_;
    bool at_line_start_ = true;
    std::vector<std::pair<char, int>> brackets_;  // open bracket, its line
    LogicalLine current_;
    LexResult result_;
};

}  // namespace

LexResult tokenize(std::string_view source) {
    if (source.starts_with("\xEF\xBB\xBF")) source.remove_prefix(3);  // a UTF-8 byte order mark, as editors on Windows write
    return Lexer(source, 1).run(false);
}

LexResult tokenize_expression(std::string_view source, int line) {
    LexResult r = Lexer(source, line).run(true);
    if (r.error) r.error->line = line;
    return r;
}

}  // namespace minicorn::config
