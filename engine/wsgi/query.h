// engine/wsgi/query.h — URL decoding as a Python web app sees it: PATH_INFO
// percent-decoded (gunicorn's unquote_to_wsgi_str) and the query string parsed
// as Django's QueryDict does (urllib.parse.parse_qsl, keep_blank_values=True).
//
// Plain functions on values: no I/O, no shared state, any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/http/uri.h"

namespace minicorn::wsgi {

// Decoding %XX escapes (and '+' in a query string) is engine/http/uri.h's.
using http::percent_decode;
using http::PlusAsSpace;

class QueryParams {
public:
    // Splits on '&', then on the first '=', decoding names and values. Empty
    // fields are skipped; a field without '=' gets an empty value ("a&b=1"
    // gives a="" and b="1").
    static QueryParams parse(std::string_view query);

    // The last value given for `name`, as QueryDict[name]; nullptr if absent.
    // Valid as long as this QueryParams lives.
    const std::string* get(std::string_view name) const;

    // Every (name, value) pair in order, duplicates kept.
    const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace minicorn::wsgi
