#include "engine/http/request.h"

#include <algorithm>

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

namespace {

// Values may hold any byte (even NUL), so no C-string comparison. ASCII
// folding is enough: no latin-1 letter lower-cases into ASCII.
bool iequals(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

bool Request::should_close() const {
    // As gunicorn's Message.should_close: the first Connection header decides
    // (compared with spaces and tabs stripped); without one, or with another
    // value, HTTP/1.0 and older close and HTTP/1.1 and newer keep alive.
    for (const Header& h : headers) {
        if (h.name != "CONNECTION") continue;
        std::string_view v = h.value;
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        if (iequals(v, "close")) return true;
        if (iequals(v, "keep-alive")) return false;
        break;
    }
    return version_major < 1 || (version_major == 1 && version_minor == 0);
}

bool Request::expects_continue() const {
    for (const Header& h : headers) {
        if (h.name == "EXPECT" && iequals(h.value, "100-continue")) return true;
    }
    return false;
}

}  // namespace minicorn::http
