#include "engine/wsgi/query.h"

namespace minicorn::wsgi {

QueryParams QueryParams::parse(std::string_view query) {
    QueryParams params;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view field = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (field.empty()) continue;
        const std::size_t eq = field.find('=');
        const std::string_view name = field.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : field.substr(eq + 1);
        params.items_.emplace_back(percent_decode(name, PlusAsSpace::Yes),
                                   percent_decode(value, PlusAsSpace::Yes));
    }
    return params;
}

const std::string* QueryParams::get(std::string_view name) const {
    for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
        if (it->first == name) return &it->second;
    }
    return nullptr;
}

}  // namespace minicorn::wsgi
