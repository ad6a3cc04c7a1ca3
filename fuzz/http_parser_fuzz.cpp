// fuzz/http_parser_fuzz.cpp — libFuzzer harness for the HTTP request parser
// (engine/http/parser.h). See docs/fuzz.md.
//
// Each input is a byte stream a client sends on a fresh connection, then EOF
// (the corpus model: tests/http/corpus/README.md). It is parsed three ways —
// whole, in random pieces, and byte by byte — under two sets of limits, and
// every way must give the same verdict and the same parsed request. The
// random cut points come from a hash of the input, so a crash replays.
//
// The feeding and the description of an outcome are the corpus tests' own
// (tests/http/corpus_case.h): when the parser's API changes, adapting those
// adapts this harness too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/http/corpus_case.h"

namespace {

using minicorn::http::Limits;
using minicorn::http::testing::describe;
using minicorn::http::testing::Feeding;
using minicorn::http::testing::run_parser;

// FNV-1a: the seed of the random cuts, a function of the input alone.
unsigned seed_of(const std::string& stream) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : stream) h = (h ^ c) * 16777619u;
    return h;
}

void check_same_verdict(const std::string& stream, const Limits& limits) {
    const std::string whole = describe(run_parser(stream, limits, Feeding::Whole), stream);
    const std::string pieces =
        describe(run_parser(stream, limits, Feeding::RandomPieces, seed_of(stream)), stream);
    const std::string bytes = describe(run_parser(stream, limits, Feeding::ByteByByte), stream);
    if (whole == pieces && whole == bytes) return;
    std::fprintf(stderr, "http_parser_fuzz: the verdict depends on how the stream was cut\n"
                         "  whole:        %s\n  pieces:       %s\n  byte by byte: %s\n",
                 whole.c_str(), pieces.c_str(), bytes.c_str());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string stream(reinterpret_cast<const char*>(data), size);
    check_same_verdict(stream, Limits{});  // gunicorn's defaults
    // Tight limits reach the limit checks with short inputs.
    check_same_verdict(stream, Limits{.limit_request_line = 40, .limit_request_fields = 3,
                                      .limit_request_field_size = 24});
    return 0;
}
