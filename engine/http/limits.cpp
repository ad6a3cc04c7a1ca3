#include "engine/http/limits.h"

namespace minicorn::http {

Limits Limits::from_settings(long long line, long long fields, long long field_size) {
    Limits l;
    l.limit_request_line = (line < 0 || line >= static_cast<long long>(kMaxRequestLine))
                               ? kMaxRequestLine
                               : static_cast<std::size_t>(line);
    l.limit_request_fields = (fields <= 0 || fields > static_cast<long long>(kMaxHeaders))
                                 ? kMaxHeaders
                                 : static_cast<std::size_t>(fields);
    l.limit_request_field_size = field_size < 0 ? kDefaultMaxHeaderFieldSize : static_cast<std::size_t>(field_size);
    return l;
}

std::size_t Limits::max_buffer_headers() const {
    const std::size_t field = limit_request_field_size == 0 ? kDefaultMaxHeaderFieldSize : limit_request_field_size;
    constexpr std::size_t kHuge = static_cast<std::size_t>(-1);
    if (field > (kHuge - 4) / limit_request_fields - 2) return kHuge;  // an absurd field size: no cap
    return limit_request_fields * (field + 2) + 4;
}

}  // namespace minicorn::http
