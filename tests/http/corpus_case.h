// tests/http/corpus_case.h — reads one corpus case (NAME.http + NAME.expect)
// and runs it through RequestParser. The .expect format is described in
// tests/http/corpus/README.md. Test-only helpers; no threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/http/parser.h"

namespace minicorn::http::testing {

struct CorpusExpect {
    std::optional<Limits> limits;             // "limits:" (raw settings, clamped)
    std::string status;                       // "200", "400", "500" or "none"
    std::optional<std::string> error;         // error kind name
    std::optional<std::string> message;       // str(exc), literal UTF-8
    // Fields of a successful parse; nullopt = not checked.
    std::optional<std::string> method, uri, path, query, fragment, version, scheme, close;
    std::vector<std::string> headers;         // "NAME: value" with value bytes unescaped
    std::vector<std::string> trailers;
    std::string body;
    std::string leftover;
};

// The outcome of feeding a stream and then EOF, in the same shape.
struct CorpusOutcome {
    std::string status;
    std::string error;
    std::string message;
    Request request;
    std::size_t consumed = 0;
};

enum class Feeding {
    Whole,         // one feed() call
    ByteByByte,    // one byte per call
    RandomPieces,  // pieces cut at points drawn from the seed
};

// Bytes from the escaped text of a .expect value: \\ \r \n \t \xHH.
std::string unescape(std::string_view text);
std::string escape(std::string_view bytes);

std::string read_file(const std::filesystem::path& path);
// Throws std::runtime_error naming the line on a malformed .expect.
CorpusExpect parse_expect(const std::string& text);

// Feeds the stream (stopping at the end of a complete request), then EOF.
CorpusOutcome run_parser(const std::string& stream, const Limits& limits, Feeding feeding, unsigned seed = 0);

// One tab-separated line, the format tests/http/gunicorn_reference.py prints:
// status, error, message, then for a request its fields, H:/T: headers,
// B:body and L:<bytes left unconsumed>.
std::string describe(const CorpusOutcome& outcome, const std::string& stream);

// Empty when the outcome matches; otherwise one line per difference.
std::vector<std::string> compare(const CorpusExpect& expect, const CorpusOutcome& outcome, const std::string& stream);

}  // namespace minicorn::http::testing
