// tests/test_gconf_data.h — where the gunicorn config files of the [gconf] tests live.
#pragma once

#include <string>

namespace minicorn::testing {

// tests/data/gconf/NAME, absolute (found beside the HTTP corpus, whose path CMake passes in).
inline std::string gconf_data(const std::string& name) {
    std::string corpus = MINICORN_HTTP_CORPUS;  // …/tests/http/corpus
    return corpus.substr(0, corpus.rfind("/http/corpus")) + "/data/gconf/" + name;
}

}  // namespace minicorn::testing
