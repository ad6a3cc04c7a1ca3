// engine/config/config_file.cpp — statements: imports, assignments, blocks.
//
// A logical line is one of: an import (os, os.path and multiprocessing are
// known; any other binds names minicorn cannot evaluate), an assignment
// `NAME = expr` (also `a = b = expr` and `NAME += expr`), a compound
// statement (def, class, if, for, while, try, with, and its indented body,
// skipped whole), or anything else (skipped). Indentation is checked only as
// far as blocks need it.
#include "engine/config/config_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "engine/config/py_builtins.h"
#include "engine/config/py_lexer.h"
#include "engine/config/py_parser.h"

namespace minicorn::config {
namespace {

constexpr std::array<std::string_view, 12> kCompound = {"def",   "class", "if",   "elif",  "else",    "for",
                                                        "while", "try",   "with", "async", "except", "finally"};
constexpr std::array<std::string_view, 7> kAugmented = {"+=", "-=", "*=", "/=", "//=", "%=", "**="};

bool is_compound(const Token& t) {
    return t.kind == Token::Kind::Name && std::find(kCompound.begin(), kCompound.end(), t.text) != kCompound.end();
}

std::string trim(std::string_view s) {
    std::size_t a = s.find_first_not_of(" \t\r\\");
    if (a == std::string_view::npos) return "";
    return std::string(s.substr(a, s.find_last_not_of(" \t\r\\") - a + 1));
}

// A long statement in a message: its start and an ellipsis.
std::string shorten(std::string s) {
    constexpr std::size_t kMax = 72;
    if (s.size() <= kMax) return s;
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return s.substr(0, cut) + "…";
}

// "an if block", "a for loop", "a class".
std::string block_name(const std::string& keyword) {
    if (keyword == "class") return "a class";
    if (keyword == "for" || keyword == "while") return "a " + keyword + " loop";
    if (keyword == "try" || keyword == "except" || keyword == "finally") return "a try block";
    if (keyword == "with") return "a with block";
    return (keyword == "if" || keyword == "elif" || keyword == "else") ? "an if block" : "a block";
}

class FileReader {
public:
    FileReader(std::string_view source, const Host& host) : host_(host) {
        std::size_t start = 0;
        while (start <= source.size()) {
            std::size_t end = source.find('\n', start);
            if (end == std::string_view::npos) end = source.size();
            text_.push_back(source.substr(start, end - start));
            start = end + 1;
        }
    }

    FileResult run(std::string_view source) {
        LexResult lexed = tokenize(source);
        if (lexed.error) {
            result_.error = lexed.error;
            return std::move(result_);
        }
        lines_ = std::move(lexed.lines);
        for (i_ = 0; i_ < lines_.size() && !result_.error; ++i_) {
            const LogicalLine& l = lines_[i_];
            if (l.indent > 0) {
                fail(PyError::Kind::Syntax, l.line, "unexpected indent");
                break;
            }
            statement(l);
        }
        return std::move(result_);
    }

private:
    void fail(PyError::Kind kind, int line, std::string message) { result_.error = PyError{kind, line, std::move(message)}; }
    void note(const LogicalLine& l, std::string text) { result_.notes.push_back(FileNote{l.line, l.last_line, std::move(text)}); }

    // The statement as written, on one line: "import logging".
    std::string written(const LogicalLine& l) const {
        std::string out;
        for (int k = l.line; k <= l.last_line && k <= static_cast<int>(text_.size()); ++k) {
            std::string part = trim(text_[static_cast<std::size_t>(k - 1)]);
            if (!part.empty()) out += (out.empty() ? "" : " ") + part;
        }
        return shorten(out);
    }

    void statement(const LogicalLine& l) {
        const Token& first = l.tokens[0];
        if (first.keyword("import") || first.keyword("from")) return import(l);
        if (is_compound(first) || first.op("@")) return block(l);
        if (first.keyword("pass") || first.keyword("global") || first.keyword("nonlocal")) return;
        if (first.keyword("return") || first.keyword("break") || first.keyword("continue") || first.keyword("yield"))
            return fail(PyError::Kind::Syntax, l.line, fmt::format("'{}' outside function or loop", first.text));
        for (std::size_t k = 0; k < l.tokens.size(); ++k) {
            const Token& t = l.tokens[k];
            if (t.op("=") || std::find(kAugmented.begin(), kAugmented.end(), t.text) != kAugmented.end()) {
                if (t.kind == Token::Kind::Op) return assignment(l);
            }
        }
        expression_statement(l);
    }

    // ---- imports -----------------------------------------------------------
    // Reads "a.b.c" starting at tokens[k]; advances k.
    static std::string dotted(const LogicalLine& l, std::size_t& k) {
        std::string name;
        while (k < l.tokens.size() && l.tokens[k].kind == Token::Kind::Name) {
            name += l.tokens[k++].text;
            if (k < l.tokens.size() && l.tokens[k].op(".")) {
                name += '.';
                ++k;
            } else {
                break;
            }
        }
        return name;
    }

    // "as NAME" at tokens[k], if there: the alias, else "".
    static std::string alias(const LogicalLine& l, std::size_t& k) {
        if (k + 1 < l.tokens.size() && l.tokens[k].keyword("as") && l.tokens[k + 1].kind == Token::Kind::Name) {
            k += 2;
            return l.tokens[k - 1].text;
        }
        return "";
    }

    void bind_unknown(const std::string& name) {
        scope_.vars.erase(name);
        scope_.unknown.insert(name);
    }

    void import(const LogicalLine& l) {
        std::size_t k = 1;
        std::vector<std::string> not_known;
        if (l.tokens[0].keyword("import")) {
            while (k < l.tokens.size()) {
                std::string module = dotted(l, k);
                if (module.empty() || module.back() == '.') return fail(PyError::Kind::Syntax, l.line, "invalid import");
                std::string as = alias(l, k);
                std::string bound = as.empty() ? module.substr(0, module.find('.')) : as;
                auto value = import_module(as.empty() ? bound : module);
                if (value && import_module(module)) scope_.vars[bound] = *value, scope_.unknown.erase(bound);
                else bind_unknown(bound), not_known.push_back(module);
                if (k < l.tokens.size() && !l.tokens[k].op(",")) return fail(PyError::Kind::Syntax, l.line, "invalid import");
                ++k;
            }
        } else {
            std::string module = dotted(l, k);
            if (module.empty() || k >= l.tokens.size() || !l.tokens[k].keyword("import"))
                return fail(PyError::Kind::Syntax, l.line, "invalid 'from … import …'");
            ++k;
            auto from = import_module(module);
            for (; k < l.tokens.size(); ++k) {
                const Token& t = l.tokens[k];
                if (t.op("(") || t.op(")") || t.op(",")) continue;
                if (t.op("*")) {
                    bind_unknown("*");
                    not_known.push_back(module + ".*");
                    continue;
                }
                if (t.kind != Token::Kind::Name) return fail(PyError::Kind::Syntax, l.line, "invalid 'from … import …'");
                ++k;
                std::string as = alias(l, k);
                --k;
                std::string bound = as.empty() ? t.text : as;
                std::optional<Value> value;
                if (from) {
                    try {
                        value = attribute(*from, t.text, l.line);
                    } catch (const PyError&) {
                    }
                }
                if (value) scope_.vars[bound] = *value, scope_.unknown.erase(bound);
                else bind_unknown(bound), not_known.push_back(module + "." + t.text);
            }
        }
        if (!not_known.empty()) {
            std::string list;
            for (const std::string& m : not_known) list += (list.empty() ? "" : ", ") + m;
            note(l, fmt::format("\"{}\": minicorn evaluates only os, os.path and multiprocessing (lines that "
                                "use {} are skipped too)", written(l), list));
        }
    }

    // ---- blocks --------------------------------------------------------------
    void block(const LogicalLine& l) {
        std::size_t header = i_;
        while (header < lines_.size() && lines_[header].tokens[0].op("@")) ++header;  // decorators
        if (header >= lines_.size()) return fail(PyError::Kind::Syntax, lines_.back().line, "a decorator must come before a def or class");
        const LogicalLine& h = lines_[header];
        int depth = 0;
        std::size_t colon = h.tokens.size();
        for (std::size_t k = 0; k < h.tokens.size() && colon == h.tokens.size(); ++k) {
            const Token& t = h.tokens[k];
            if (t.op("(") || t.op("[") || t.op("{")) ++depth;
            if (t.op(")") || t.op("]") || t.op("}")) --depth;
            if (depth == 0 && t.op(":") && !(k > 0 && h.tokens[k - 1].keyword("lambda"))) colon = k;
        }
        if (colon == h.tokens.size()) return fail(PyError::Kind::Syntax, h.line, "expected ':'");
        std::size_t end = header;
        if (colon + 1 == h.tokens.size()) {  // the body is on the lines below, indented
            if (end + 1 >= lines_.size() || lines_[end + 1].indent <= h.indent)
                return fail(PyError::Kind::Syntax, h.line,
                            fmt::format("expected an indented block after '{}' statement on line {}", h.tokens[0].text, h.line));
            while (end + 1 < lines_.size() && lines_[end + 1].indent > h.indent) ++end;
        }
        for (std::size_t k = i_; k <= end; ++k) mark_bound_names(lines_[k]);
        const Token& kind = h.tokens[0].keyword("async") && h.tokens.size() > 1 ? h.tokens[1] : h.tokens[0];
        int first = l.line, last = lines_[end].last_line;
        i_ = end;
        if (kind.keyword("def") && h.tokens.size() > 1) {
            const Token& name = h.tokens[static_cast<std::size_t>(&kind - h.tokens.data()) + 1];
            result_.defs.push_back(FunctionDef{name.text, h.line, last});
            return;
        }
        bool continues = kind.keyword("elif") || kind.keyword("else") || kind.keyword("except") || kind.keyword("finally");
        bool follows_block = noted_block_end_ + 1 == header && !result_.notes.empty();
        noted_block_end_ = end;
        if (continues && follows_block) {
            result_.notes.back().last_line = last;  // one note for the whole if/elif/else or try/except
            return;
        }
        result_.notes.push_back(FileNote{first, last, fmt::format("\"{}\": {}; minicorn evaluates plain assignments "
                                                                  "only, so settings set inside it are not read",
                                                                  written(h), block_name(kind.text))});
    }

    // The names a skipped line may bind (x = …, x += …, def x, class x, for x,
    // import x, as x) become unknown: later lines that use them are skipped too.
    void mark_bound_names(const LogicalLine& l) {
        const std::vector<Token>& t = l.tokens;
        for (std::size_t k = 0; k < t.size(); ++k) {
            if (t[k].kind != Token::Kind::Name || is_keyword(t[k].text)) continue;
            bool before_assign = k + 1 < t.size() && t[k + 1].kind == Token::Kind::Op &&
                                 (t[k + 1].text == "=" || std::find(kAugmented.begin(), kAugmented.end(), t[k + 1].text) != kAugmented.end());
            bool after_binder = k > 0 && (t[k - 1].keyword("def") || t[k - 1].keyword("class") || t[k - 1].keyword("for") ||
                                          t[k - 1].keyword("as") || t[k - 1].keyword("import"));
            if (before_assign || after_binder) bind_unknown(t[k].text);
        }
    }

    // ---- assignments -------------------------------------------------------
    void assignment(const LogicalLine& l) {
        // Split at the top-level '=' (or the one augmented operator).
        std::vector<std::pair<std::size_t, std::size_t>> targets;
        std::size_t start = 0, k = 0;
        std::string augmented;
        int depth = 0;
        for (; k < l.tokens.size(); ++k) {
            const Token& t = l.tokens[k];
            if (t.op("(") || t.op("[") || t.op("{")) ++depth;
            if (t.op(")") || t.op("]") || t.op("}")) --depth;
            if (depth != 0 || t.kind != Token::Kind::Op) continue;
            bool aug = std::find(kAugmented.begin(), kAugmented.end(), t.text) != kAugmented.end();
            if (!t.op("=") && !aug) continue;
            targets.emplace_back(start, k);
            start = k + 1;
            if (aug) {
                augmented = t.text.substr(0, t.text.size() - 1);
                break;
            }
        }
        if (targets.empty()) return expression_statement(l);  // '=' only inside brackets: f(x=1)
        std::span<const Token> rhs(l.tokens.data() + start, l.tokens.size() - start);
        if (rhs.empty()) return fail(PyError::Kind::Syntax, l.line, "expected an expression after '='");
        std::vector<std::string> names;
        bool plain = true;
        for (auto [a, b] : targets) {
            const Token& t = l.tokens[a];
            if (b == a) return fail(PyError::Kind::Syntax, l.line, "invalid syntax at '='");
            if (t.kind == Token::Kind::Number || t.kind == Token::Kind::String)
                return fail(PyError::Kind::Syntax, l.line, "cannot assign to literal");
            plain &= b == a + 1 && t.kind == Token::Kind::Name && !is_keyword(t.text);
            names.push_back(t.text);
        }
        ParseResult parsed = parse_expression(rhs);
        if (parsed.error && parsed.error->kind == PyError::Kind::Syntax) return fail(PyError::Kind::Syntax, parsed.error->line, parsed.error->message);
        std::string source = right_hand_side(l);
        if (!plain) {
            note(l, fmt::format("\"{}\": minicorn evaluates only NAME = value assignments", written(l)));
            for (auto [a, b] : targets)
                for (std::size_t j = a; j < b; ++j)
                    if (l.tokens[j].kind == Token::Kind::Name) bind_unknown(l.tokens[j].text);
            return;
        }
        std::optional<PyError> problem = parsed.error;
        std::optional<Value> value;
        if (!problem) {
            Node expr = std::move(*parsed.node);
            if (!augmented.empty()) {  // x += e is x = x + e here (no lists are mutated in place)
                Node target;
                target.kind = Node::Kind::Name;
                target.line = l.line;
                target.text = names[0];
                Node sum;
                sum.kind = Node::Kind::Binary;
                sum.line = l.line;
                sum.text = augmented;
                sum.kids = {std::move(target), std::move(expr)};
                expr = std::move(sum);
            }
            EvalResult r = evaluate(expr, scope_, host_);
            if (r.error && r.error->kind != PyError::Kind::Unsupported) return fail(r.error->kind, r.error->line, r.error->message);
            problem = r.error;
            value = r.value;
        }
        for (const std::string& name : names) {
            if (value) {
                scope_.vars[name] = *value;
                scope_.unknown.erase(name);
                result_.values[name] = Assignment{*value, l.line, source};
                result_.skipped.erase(name);
            } else {
                bind_unknown(name);
                result_.values.erase(name);
                result_.skipped[name] = FileNote{l.line, l.last_line,
                                                 fmt::format("\"{}\": cannot evaluate: {}", written(l), problem->message)};
            }
        }
    }

    std::string right_hand_side(const LogicalLine& l) const {
        std::string all = written(l);
        std::size_t eq = all.find('=');
        return eq == std::string::npos ? all : trim(all.substr(eq + 1));
    }

    void expression_statement(const LogicalLine& l) {
        bool docstring = std::all_of(l.tokens.begin(), l.tokens.end(),
                                     [](const Token& t) { return t.kind == Token::Kind::String && !t.fstring; });
        ParseResult parsed = parse_expression(l.tokens);
        if (parsed.error && parsed.error->kind == PyError::Kind::Syntax) return fail(PyError::Kind::Syntax, parsed.error->line, parsed.error->message);
        if (!docstring) note(l, fmt::format("\"{}\": minicorn evaluates assignments, not other statements", written(l)));
    }

    const Host& host_;
    std::vector<std::string_view> text_;
    std::vector<LogicalLine> lines_;
    std::size_t i_ = 0;
    std::size_t noted_block_end_ = static_cast<std::size_t>(-2);  // the last line of the last block noted
    Scope scope_;
    FileResult result_;
};

}  // namespace

FileResult read_config_source(std::string_view source, const Host& host) { return FileReader(source, host).run(source); }

}  // namespace minicorn::config
