// engine/trace/schema_doc.h — the schema table (schema.h) as the Markdown
// table of kinds in docs/trace.md, between kDocsBegin and kDocsEnd. A test
// (tests/test_trace_schema.cpp) checks that the doc holds exactly this text.
//
// Pure; no threads.
#pragma once

#include <string>
#include <string_view>

namespace minicorn::trace {

inline constexpr std::string_view kDocsBegin = "<!-- kinds: generated from engine/trace/schema.h -->";
inline constexpr std::string_view kDocsEnd = "<!-- end of kinds -->";

// One section per family, one row per kind: name (gated or not), ids and
// arguments with their meaning, what it means; then the timeline roles.
std::string kinds_markdown();

}  // namespace minicorn::trace
