// engine/trace/schema_doc.cpp — the table of kinds as Markdown (see schema_doc.h).
#include "engine/trace/schema_doc.h"

#include <fmt/format.h>

#include "engine/trace/kinds.h"

namespace minicorn::trace {
namespace {

std::string_view type_note(ArgType type) {
    switch (type) {
        case ArgType::Int: return "";
        case ArgType::Bool: return " (0/1)";
        case ArgType::Signal: return " (signal)";
        case ArgType::ExitStatus: return " (exit status)";
        case ArgType::Model: return " (ModelId)";
        case ArgType::ThreadRole: return " (ThreadRole)";
        case ArgType::LoopPhase: return " (LoopPhaseId)";
        case ArgType::LoopCallback: return " (LoopCallback)";
        case ArgType::ParseError: return " (ParseErrorKind)";
        case ArgType::ClientRole: return " (ClientRole)";
        case ArgType::ClientError: return " (ClientErrorKind)";
        case ArgType::CounterId: return " (CounterId)";
        case ArgType::HttpVersion: return " (HTTP version)";
        case ArgType::Id: return " (id)";
    }
    return "";
}

std::string fields_of(const KindInfo& k) {
    std::string out;
    auto add = [&out](std::string item) {
        if (!out.empty()) out += "; ";
        out += item;
    };
    if (!k.conn.empty()) add(fmt::format("`conn` {}", k.conn));
    if (!k.req.empty()) add(fmt::format("`req` {}", k.req));
    if (!k.green.empty()) add(fmt::format("`green` {}", k.green));
    if (k.a0.used()) add(fmt::format("a0 `{}`{}: {}", k.a0.name, type_note(k.a0.type), k.a0.meaning));
    if (k.a1.used()) add(fmt::format("a1 `{}`{}: {}", k.a1.name, type_note(k.a1.type), k.a1.meaning));
    return out;
}

std::string_view timeline_text(const KindInfo& k) {
    switch (k.timeline) {
        case TimelineRole::Instant: return "";
        case TimelineRole::Begins: return "begins";
        case TimelineRole::Ends: return "ends";
        case TimelineRole::EndsConnection: return "ends read/handle/write";
        case TimelineRole::Tick: return "tick";
        case TimelineRole::Alarm: return "alarm";
        case TimelineRole::Sample: return "sample";
        case TimelineRole::Phase: return "loop phase";
        case TimelineRole::Switch: return "runs";
        case TimelineRole::ClientStep: return "client lane";
    }
    return "";
}

std::string_view span_text(Span span) {
    switch (span) {
        case Span::None: return "";
        case Span::Accept: return " accept";
        case Span::Read: return " read";
        case Span::Handle: return " handle";
        case Span::Write: return " write";
        case Span::Wait: return " wait";
        case Span::Parked: return " parked";
        case Span::Blocked: return " blocked";
    }
    return "";
}

// A table cell: a '|' would end it.
std::string cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

std::string kinds_markdown() {
    std::string out;
    out += kDocsBegin;
    out += "\n";
    for (std::size_t f = 1; f < static_cast<std::size_t>(Family::kCount); ++f) {
        auto family = static_cast<Family>(f);
        out += fmt::format("\n### {}\n\n", to_string(family));
        out += "| kind | ids and arguments | timeline | meaning |\n|---|---|---|---|\n";
        for (const KindInfo& k : kinds()) {
            if (k.family != family) continue;
            out += fmt::format("| `{}`{} | {} | {}{} | {} |\n", k.name, k.gate == Gate::Gated ? " *gated*" : "",
                               cell(fields_of(k)), timeline_text(k), span_text(k.span), cell(k.meaning));
        }
    }
    out += "\n";
    out += kDocsEnd;
    out += "\n";
    return out;
}

}  // namespace minicorn::trace
