// engine/http/uri.h — gunicorn's split_request_uri(): how a request-target
// becomes path, query and fragment.
//
// gunicorn hands the target to Python's urllib.parse.urlsplit (Python 3.11 on
// Debian 12), with a '.' prefix for targets starting with "//" so they stay a
// path. That brings urlsplit's habits with it, reproduced here:
//   - leading C0 controls and spaces are stripped, and every \t, \r, \n is
//     removed before splitting ("/a\tb" has path "/ab");
//   - "word:" at the start is a scheme ("localhost:8000" has path "8000");
//   - "scheme://netloc" is dropped from the path; a netloc with unbalanced or
//     invalid [IPv6] brackets is a ValueError, which gunicorn reports as
//     InvalidRequestLine.
// Pure functions on raw (latin-1) bytes; no threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace minicorn::http {

struct UriParts {
    std::string path;
    std::string query;
    std::string fragment;
};

// nullopt where urlsplit raises ValueError.
std::optional<UriParts> split_request_uri(std::string_view uri);

// The value of a hex digit, either case ('a' and 'A' are 10); -1 for any other char.
constexpr int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

enum class PlusAsSpace {
    No,   // paths: '+' is a literal plus
    Yes,  // form-encoded query strings: '+' means a space
};

// urllib.parse.unquote_to_bytes(): %XX with two hex digits (either case)
// becomes that byte; anything else, a malformed escape ("%zz", a trailing
// "%4") included, is kept as is. gunicorn builds PATH_INFO with it; with
// PlusAsSpace::Yes it also reads '+' as a space, as parse_qsl does.
std::string percent_decode(std::string_view text, PlusAsSpace plus = PlusAsSpace::No);

}  // namespace minicorn::http
