#include "engine/http/request.h"

#include <strings.h>

namespace minicorn::http {

const std::string* Request::header(std::string_view upper_name) const {
    for (const Header& h : headers) {
        if (h.name == upper_name) return &h.value;
    }
    return nullptr;
}

std::string Request::protocol() const {
    return "HTTP/" + std::to_string(version_major) + "." + std::to_string(version_minor);
}

bool Request::should_close() const {
    // As gunicorn's Message.should_close: the first Connection header decides;
    // without one (or with another value), HTTP/1.0 closes and HTTP/1.1 keeps.
    for (const Header& h : headers) {
        if (h.name != "CONNECTION") continue;
        if (strcasecmp(h.value.c_str(), "close") == 0) return true;
        if (strcasecmp(h.value.c_str(), "keep-alive") == 0) return false;
        break;
    }
    return version_major < 1 || (version_major == 1 && version_minor == 0);
}

}  // namespace minicorn::http
