// engine/wsgi/demo_params.h — what the demo app's views share: reading a
// parameter as Django's int(request.GET[name]) with a range check, the 400
// a bad one becomes, and a plain-text 200.
//
// Plain functions; any thread.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "engine/wsgi/app.h"
#include "engine/wsgi/query.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi::demo {

// Django's django.core.exceptions.BadRequest: a view raises it from wherever
// the bad input is found, and the dispatcher turns it into a 400.
class BadRequest : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Presence {
    Required,  // missing → 400
    Optional,  // missing → the default
};

// A non-negative decimal integer no larger than `max`; throws BadRequest
// naming the parameter (and `usage`) otherwise.
std::uint64_t int_param(const QueryParams& query, std::string_view name, Presence presence,
                        std::uint64_t fallback, std::uint64_t max, std::string_view usage);

// The `ms` parameter, at most kMaxMillis.
Millis millis_param(const QueryParams& query, Presence presence, std::uint64_t fallback,
                    std::string_view usage);

// 200, text/plain, with a Content-Length.
Response text(std::string body);

}  // namespace minicorn::wsgi::demo
