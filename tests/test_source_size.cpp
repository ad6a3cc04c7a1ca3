// [source] The limits of the code (docs: /work/shared/STYLE.md, issue 12):
// no source file over 600 lines, no function over 100 lines — tables
// excepted, each by name in kAllowed below with the reason. Reads the source
// tree as text (engine/, models/, app/, tests/, fuzz/, bench/: C++ and Python).
//
// How a C++ function is found: comments, strings and preprocessor lines are
// blanked out; a `{` whose enclosing braces are all namespaces, classes or
// `extern "C"` opens a function body when the text before it ends in `)`
// (perhaps followed by const, noexcept, override, a trailing return type or a
// constructor's initializer list). Its length runs from the line with its
// name to its closing brace. A Python function is a `def` and the lines
// indented under it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kMaxFileLines = 600;
constexpr int kMaxFunctionLines = 100;

// Functions allowed over the limit: "path:function", and why.
struct Allowed {
    const char* where;
    const char* reason;
};
constexpr Allowed kAllowed[] = {
    {"engine/process/settings.cpp:settings_table",
     "a table: one row per gunicorn setting (name, flag, default, validator, help), as gunicorn's config.py"},
    {"engine/lesson/measures.cpp:measures",
     "a table: one row per lesson measure (name, parameters, type, meaning, example); docs/lessons.md is made from it"},
};

fs::path source_root() {
    // MINICORN_HTTP_CORPUS is <source>/tests/http/corpus.
    return fs::path(MINICORN_HTTP_CORPUS).parent_path().parent_path().parent_path();
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

int count_lines(const std::string& text) {
    int n = 0;
    for (char c : text) n += c == '\n';
    return n + (!text.empty() && text.back() != '\n');
}

// The text with comments, string and character literals and preprocessor
// lines replaced by spaces (newlines kept, so line numbers hold).
std::string code_only(const std::string& s) {
    std::string out = s;
    enum class In { Code, Line, Block, String, Char, Raw, Preproc } in = In::Code;
    std::string raw_end;
    bool line_start = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const char next = i + 1 < s.size() ? s[i + 1] : '\0';
        auto blank = [&] {
            if (out[i] != '\n') out[i] = ' ';
        };
        switch (in) {
            case In::Code:
                if (line_start && c == '#') {
                    in = In::Preproc;
                    blank();
                } else if (c == '/' && next == '/') {
                    in = In::Line;
                    blank();
                } else if (c == '/' && next == '*') {
                    in = In::Block;
                    blank();
                } else if (c == 'R' && next == '"' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
                    const std::size_t open = s.find('(', i);
                    raw_end = ")" + s.substr(i + 2, open - i - 2) + "\"";
                    in = In::Raw;
                    blank();
                } else if (c == '"') {
                    in = In::String;
                } else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(s[i - 1])))) {
                    in = In::Char;  // not a digit separator (1'000)
                }
                break;
            case In::Line:
                if (c == '\n') in = In::Code;
                blank();
                break;
            case In::Block:
                if (c == '*' && next == '/') {
                    blank();
                    out[++i] = ' ';
                    in = In::Code;
                    continue;
                }
                blank();
                break;
            case In::Preproc:
                if (c == '\n' && (i == 0 || s[i - 1] != '\\')) in = In::Code;
                blank();
                break;
            case In::Raw:
                if (s.compare(i, raw_end.size(), raw_end) == 0) {
                    for (std::size_t k = 0; k < raw_end.size(); ++k) {
                        if (out[i + k] != '\n') out[i + k] = ' ';
                    }
                    i += raw_end.size() - 1;
                    in = In::Code;
                    continue;
                }
                blank();
                break;
            case In::String:
            case In::Char:
                if (c == '\\') {
                    blank();
                    out[++i] = ' ';
                    continue;
                }
                if ((in == In::String && c == '"') || (in == In::Char && c == '\'')) {
                    in = In::Code;
                } else {
                    blank();
                }
                break;
        }
        if (c == '\n') {
            line_start = true;
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
            line_start = false;
        }
    }
    return out;
}

struct Function {
    std::string name;
    int first_line = 0;
    int lines = 0;
};

// What a `{` opens, judged from the text since the last `;`, `{` or `}`.
enum class Block { Scope, Function, Other };

Block classify(const std::string& head, std::string* name) {
    static const std::regex scope(R"((^|\s)(namespace|class|struct|union|enum)(\s|$)|extern\s*"\s*"\s*$)");
    static const std::regex control(R"((^|[^\w])(if|for|while|switch|catch|do|else|try)\s*(\(|$))");
    static const std::regex function(
        R"(([~\w:<>=!+\-*/&|\[\]]+)\s*\([^;]*\)\s*(const|noexcept|override|final|mutable|volatile|&|&&|\s|->[^{]*|:[^{]*)*$)");
    std::string h = std::regex_replace(head, std::regex(R"(\s+)"), " ");
    if (std::regex_search(h, scope) && h.find('(') == std::string::npos) return Block::Scope;
    if (h.find('=') != std::string::npos && h.find('(') == std::string::npos) return Block::Other;  // an initializer
    std::smatch m;
    if (!std::regex_search(h, m, function)) return Block::Other;
    if (std::regex_search(h, control) && h.find("operator") == std::string::npos) {
        // `if (...) {` inside a function never reaches here (only scope level
        // is classified); at scope level this is a macro call or the like.
        return Block::Other;
    }
    *name = m[1].str();
    return Block::Function;
}

std::vector<Function> cpp_functions(const std::string& text) {
    const std::string code = code_only(text);
    std::vector<Function> out;
    std::vector<Block> stack;
    std::size_t head_start = 0;
    int line = 1;
    int open_line = 0;
    Function current;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const char c = code[i];
        if (c == '\n') ++line;
        const bool at_scope =
            std::all_of(stack.begin(), stack.end(), [](Block b) { return b == Block::Scope; });
        if (c == '{') {
            Block b = Block::Other;
            if (at_scope) {
                std::string name;
                b = classify(code.substr(head_start, i - head_start), &name);
                if (b == Block::Function) {
                    // The function starts at the line of its name.
                    const std::string head = code.substr(head_start, i - head_start);
                    const std::size_t at = head.rfind(name);
                    const int head_lines = static_cast<int>(std::count(head.begin() + static_cast<std::ptrdiff_t>(at), head.end(), '\n'));
                    current = Function{name, line - head_lines, 0};
                    open_line = static_cast<int>(stack.size());
                }
            }
            stack.push_back(b);
            head_start = i + 1;
        } else if (c == '}') {
            if (!stack.empty()) {
                const Block b = stack.back();
                stack.pop_back();
                if (b == Block::Function && static_cast<int>(stack.size()) == open_line) {
                    current.lines = line - current.first_line + 1;
                    out.push_back(current);
                }
            }
            head_start = i + 1;
        } else if (c == ';') {
            head_start = i + 1;
        }
    }
    return out;
}

std::vector<Function> python_functions(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream ss(text);
    for (std::string l; std::getline(ss, l);) lines.push_back(l);
    auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
    std::vector<Function> out;
    static const std::regex def(R"(^(\s*)(async\s+)?def\s+(\w+))");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::smatch m;
        if (!std::regex_search(lines[i], m, def)) continue;
        const auto own = static_cast<std::size_t>(m[1].length());
        std::size_t last = i;
        for (std::size_t j = i + 1; j < lines.size(); ++j) {
            if (lines[j].find_first_not_of(" \t") == std::string::npos) continue;
            if (indent(lines[j]) <= own) break;
            last = j;
        }
        out.push_back(Function{m[3].str(), static_cast<int>(i + 1), static_cast<int>(last - i + 1)});
    }
    return out;
}

bool allowed(const std::string& where) {
    return std::any_of(std::begin(kAllowed), std::end(kAllowed), [&](const Allowed& a) { return where == a.where; });
}

struct Source {
    fs::path path;      // absolute
    std::string rel;    // from the source root
};

std::vector<Source> sources() {
    std::vector<Source> out;
    const fs::path root = source_root();
    for (const char* dir : {"engine", "models", "app", "tests", "fuzz", "bench"}) {
        for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
            const fs::path& p = entry.path();
            const std::string ext = p.extension().string();
            if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h" && ext != ".py")) continue;
            out.push_back({p, fs::relative(p, root).string()});
        }
    }
    std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.rel < b.rel; });
    return out;
}

}  // namespace

TEST_CASE("the size check finds a C++ function's length, and passes over tables, strings and comments", "[source]") {
    const std::string text =
        "namespace x {\n"                       // 1
        "// void not_this() {\n"                // 2
        "const int table[] = {\n1,\n2,\n};\n"   // 3-6
        "struct S {\n"                          // 7
        "    int f(int a) const {\n"            // 8
        "        if (a) { return 1; }\n"        // 9
        "        const char* s = \"}{\";\n"     // 10
        "        return 0;\n"                   // 11
        "    }\n"                               // 12
        "};\n"                                  // 13
        "S::S()\n    : a_(1) {\n}\n"            // 14-16
        "}  // namespace x\n";
    std::vector<Function> fns = cpp_functions(text);
    REQUIRE(fns.size() == 2);
    CHECK(fns[0].name == "f");
    CHECK(fns[0].first_line == 8);
    CHECK(fns[0].lines == 5);
    CHECK(fns[1].name == "S::S");
    CHECK(fns[1].lines == 3);

    std::vector<Function> py = python_functions("def a():\n    x = 1\n\n    return x\n\ndef b():\n    pass\n");
    REQUIRE(py.size() == 2);
    CHECK(py[0].lines == 4);
    CHECK(py[1].lines == 2);
}

TEST_CASE("no source file over 600 lines, no function over 100 (tables excepted by name)", "[source]") {
    std::vector<std::string> too_long;
    std::vector<std::string> allowed_seen;
    std::vector<std::pair<int, std::string>> longest;  // MINICORN_SIZE_REPORT=1 prints them
    for (const Source& src : sources()) {
        const std::string text = read_all(src.path);
        const int lines = count_lines(text);
        if (lines > kMaxFileLines) too_long.push_back(src.rel + ": " + std::to_string(lines) + " lines (file)");
        const bool python = src.path.extension() == ".py";
        for (const Function& f : python ? python_functions(text) : cpp_functions(text)) {
            longest.emplace_back(f.lines, src.rel + ":" + std::to_string(f.first_line) + " " + f.name);
            if (f.lines <= kMaxFunctionLines) continue;
            const std::string where = src.rel + ":" + f.name;
            if (allowed(where)) {
                allowed_seen.push_back(where);
                continue;
            }
            too_long.push_back(src.rel + ":" + std::to_string(f.first_line) + ": " + f.name + "() is " +
                               std::to_string(f.lines) + " lines");
        }
    }
    if (std::getenv("MINICORN_SIZE_REPORT")) {
        std::sort(longest.rbegin(), longest.rend());
        for (std::size_t i = 0; i < longest.size() && i < 25; ++i) {
            std::printf("%5d  %s\n", longest[i].first, longest[i].second.c_str());
        }
    }
    INFO("split by responsibility (STYLE.md); a table may go in kAllowed with its reason");
    CHECK(too_long == std::vector<std::string>{});
    // An entry that no longer matches anything is stale: remove it.
    for (const Allowed& a : kAllowed) {
        INFO(a.where << " is allowed but no longer over the limit");
        CHECK(std::find(allowed_seen.begin(), allowed_seen.end(), a.where) != allowed_seen.end());
    }
}

TEST_CASE("tests and made-up recordings build events with ev.h's builders, not by hand", "[source]") {
    // One builder (trace::ev::Kind{...}.event(t, pid, tid)): a record filled
    // field by field, or by position, is a second copy of it.
    const std::regex by_hand(R"((^|[^:\w])(trace::)?Event(\s+\w+[ \t]*\{[ \t]*\}|[ \t]*\{[ \t]*\w))");
    std::vector<std::string> offenders;
    for (const Source& src : sources()) {
        if (src.rel.starts_with("engine/trace/") || src.path.extension() == ".py") continue;  // the builders' home, the collector
        if (src.rel == "tests/test_source_size.cpp") continue;
        if (std::regex_search(code_only(read_all(src.path)), by_hand)) offenders.push_back(src.rel);
    }
    INFO("use trace::ev::Kind{.name = value}.event(t_ns, pid, tid)");
    CHECK(offenders == std::vector<std::string>{});
}
