// engine/http/limits.h — gunicorn 20.1's request limits (limit_request_line,
// limit_request_fields, limit_request_field_size), their clamps, the trust
// setting for scheme headers, and the caps gunicorn lacks (a chunk-size line,
// the trailers) or tornado adds (the whole head, the body). Plain values; no threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace minicorn::http {

// The three request limits, already clamped the way gunicorn 20.1 clamps them
// (0 = unlimited for the line and the field size).
struct Limits {
    std::size_t limit_request_line = 4094;
    std::size_t limit_request_fields = 100;
    std::size_t limit_request_field_size = 8190;
    // Not gunicorn's (20.1 has no cap there: an endless chunk-size line or
    // trailer block grows the worker without bound): a chunk-size line, CRLF
    // and extensions included, may be this long; the trailer block is capped
    // like the header block (max_buffer_headers). 0: no cap.
    std::size_t max_chunk_line = 8192;
    // tornado's: the request line and headers together, blank line included
    // (HTTP1ConnectionParameters.max_header_size); 0: none (gunicorn's own
    // limits above apply instead).
    std::size_t max_head = 0;
    // tornado's max_body_size: a longer Content-Length, or chunks adding up
    // to more, is refused. 0: none.
    std::uint64_t max_body = 0;

    // From the raw settings (--limit-request-line etc.), with 20.1's clamps:
    // line ≥ 8190 or < 0 → 8190 (0 stays unlimited); fields ≤ 0 or > 32768 →
    // 32768; field_size < 0 → 8190 (0 stays unlimited).
    static Limits from_settings(long long line, long long fields, long long field_size);

    // Largest header block gunicorn buffers: fields × (field_size + 2) + 4,
    // with an unlimited field size counted as 8190. 819,204 by default.
    std::size_t max_buffer_headers() const;
};

inline constexpr std::size_t kMaxRequestLine = 8190;
inline constexpr std::size_t kMaxHeaders = 32768;
inline constexpr std::size_t kDefaultMaxHeaderFieldSize = 8190;
// gunicorn's SocketUnreader reads at most this much per recv().
inline constexpr std::size_t kRecvChunk = 8192;

// Whether the X-Forwarded-Proto family may set the scheme: gunicorn trusts
// them when the peer is in forwarded_allow_ips (127.0.0.1 by default).
enum class SchemeHeaders {
    Trusted,  // honour them, and reject contradictory ones (InvalidSchemeHeaders)
    Ignored,  // peer not allowed: they are ordinary headers
};

}  // namespace minicorn::http
