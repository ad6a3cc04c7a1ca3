// engine/lesson/doc.cpp — Markdown tables of the vocabulary (doc.h).
#include "engine/lesson/doc.h"

#include <fmt/format.h>

#include "engine/lesson/highlights.h"
#include "engine/lesson/vocabulary.h"

namespace minicorn::lesson {

namespace {
std::string_view type_word(ValueType t) {
    switch (t) {
        case ValueType::Bool: return "yes/no";
        case ValueType::Count: return "count";
        case ValueType::Duration: return "duration";
        case ValueType::Word: return "word";
    }
    return "?";
}
}  // namespace

std::string measures_markdown() {
    std::string s = "| measure | gives | meaning | example |\n|---|---|---|---|\n";
    for (const MeasureDef& m : measures()) {
        std::string gives(type_word(m.type));
        if (!m.words.empty()) {
            gives += ": ";
            for (std::size_t i = 0; i < m.words.size(); ++i) gives += (i ? ", " : "") + std::string(m.words[i]);
        }
        s += fmt::format("| `{}` | {} | {} | `{}` |\n", m.name, gives, m.meaning, m.example);
    }
    return s;
}

std::string highlights_markdown() {
    std::string s = "| name | what the studio rings |\n|---|---|\n";
    for (const HighlightKind& h : highlight_kinds()) s += fmt::format("| `{}` | {} |\n", h.pattern, h.meaning);
    return s;
}

}  // namespace minicorn::lesson
