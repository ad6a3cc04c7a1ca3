#include "tests/http/corpus_case.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "engine/http/uri.h"

namespace minicorn::http::testing {
namespace {

std::string header_text(const Header& h) { return h.name + ": " + h.value; }

}  // namespace

std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char c = text[++i];
        switch (c) {
            case 'r': out += '\r'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case '\\': out += '\\'; break;
            case 'x':
                if (i + 2 < text.size() && hex_digit_value(text[i + 1]) >= 0 && hex_digit_value(text[i + 2]) >= 0) {
                    out += static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2]));
                    i += 2;
                    break;
                }
                throw std::runtime_error("bad \\x escape in: " + std::string(text));
            default: throw std::runtime_error("unknown escape \\" + std::string(1, c) + " in: " + std::string(text));
        }
    }
    return out;
}

std::string escape(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '\\') out += "\\\\";
        else if (ch == '\r') out += "\\r";
        else if (ch == '\n') out += "\\n";
        else if (ch == '\t') out += "\\t";
        else if (c < 0x20 || c >= 0x7F) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

CorpusExpect parse_expect(const std::string& text) {
    CorpusExpect e;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) throw std::runtime_error("line " + std::to_string(number) + ": no ':'");
        const std::string key = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (key == "status") e.status = value;
        else if (key == "error") e.error = value;
        else if (key == "message") e.message = value;  // literal: repr() already escaped it
        else if (key == "method") e.method = value;
        else if (key == "uri") e.uri = unescape(value);
        else if (key == "path") e.path = unescape(value);
        else if (key == "query") e.query = unescape(value);
        else if (key == "fragment") e.fragment = unescape(value);
        else if (key == "version") e.version = value;
        else if (key == "scheme") e.scheme = value;
        else if (key == "close") e.close = value;
        else if (key == "header") e.headers.push_back(unescape(value));
        else if (key == "trailer") e.trailers.push_back(unescape(value));
        else if (key == "body") e.body = unescape(value);
        else if (key == "leftover") e.leftover = unescape(value);
        else if (key == "limits") {
            long long line_limit = 4094, fields = 100, field_size = 8190;
            std::istringstream parts(value);
            std::string part;
            while (parts >> part) {
                const auto eq = part.find('=');
                if (eq == std::string::npos) throw std::runtime_error("bad limits: " + value);
                const std::string name = part.substr(0, eq);
                const long long n = std::stoll(part.substr(eq + 1));
                if (name == "line") line_limit = n;
                else if (name == "fields") fields = n;
                else if (name == "field_size") field_size = n;
                else throw std::runtime_error("unknown limit: " + name);
            }
            e.limits = Limits::from_settings(line_limit, fields, field_size);
        } else {
            throw std::runtime_error("line " + std::to_string(number) + ": unknown key '" + key + "'");
        }
    }
    if (e.status.empty()) throw std::runtime_error("no status: line");
    return e;
}

CorpusOutcome run_parser(const std::string& stream, const Limits& limits, Feeding feeding, unsigned seed) {
    RequestParser parser(limits);
    CorpusOutcome out;
    std::mt19937 rng(seed);
    for (std::size_t pos = 0; pos < stream.size() && !parser.done() && !parser.failed();) {
        std::size_t n = stream.size() - pos;
        if (feeding == Feeding::ByteByByte) {
            n = 1;
        } else if (feeding == Feeding::RandomPieces) {
            n = std::uniform_int_distribution<std::size_t>(1, std::max<std::size_t>(1, n / 2))(rng);
        }
        out.consumed += parser.feed(std::string_view(stream).substr(pos, n));
        pos += n;
    }
    // The corpus file is the whole stream: then the peer closes.
    if (!parser.done() && !parser.failed()) parser.finish_eof();
    if (parser.done()) {
        out.status = "200";
        out.request = parser.take_request();
    } else {
        const ParseError& e = parser.error();
        out.status = e.sends_response() ? std::to_string(e.status) : "none";
        out.error = std::string(to_string(e.kind));
        out.message = e.message;
    }
    return out;
}

std::string describe(const CorpusOutcome& o, const std::string& stream) {
    std::string line = o.status + "\t" + o.error + "\t" + escape(o.message);
    if (o.status != "200") return line;
    const Request& r = o.request;
    line += "\t" + r.method + "\t" + escape(r.uri) + "\t" + escape(r.path) + "\t" + escape(r.query) + "\t" +
            escape(r.fragment) + "\t" + std::to_string(r.version_major) + "." + std::to_string(r.version_minor) +
            "\t" + r.scheme + "\t" + (r.should_close() ? "close" : "keep");
    for (const Header& h : r.headers) line += "\tH:" + escape(header_text(h));
    for (const Header& h : r.trailers) line += "\tT:" + escape(header_text(h));
    line += "\tB:" + escape(r.body) + "\tL:" + std::to_string(stream.size() - std::min(o.consumed, stream.size()));
    return line;
}

std::vector<std::string> compare(const CorpusExpect& e, const CorpusOutcome& o, const std::string& stream) {
    std::vector<std::string> diffs;
    auto check = [&](const char* what, const std::optional<std::string>& want, const std::string& got) {
        if (want && *want != got) diffs.push_back(std::string(what) + ": want [" + escape(*want) + "] got [" + escape(got) + "]");
    };
    check("status", e.status, o.status);
    if (o.status != "200") {
        check("error", e.error.value_or("<none>"), o.error);
        check("message", e.message, o.message);
        return diffs;
    }
    if (e.error) diffs.push_back("error: want " + *e.error + ", got a complete request");
    const Request& r = o.request;
    check("method", e.method, r.method);
    check("uri", e.uri, r.uri);
    check("path", e.path, r.path);
    check("query", e.query, r.query);
    check("fragment", e.fragment, r.fragment);
    check("version", e.version, std::to_string(r.version_major) + "." + std::to_string(r.version_minor));
    check("scheme", e.scheme, r.scheme);
    check("close", e.close, r.should_close() ? "yes" : "no");
    std::vector<std::string> headers, trailers;
    for (const Header& h : r.headers) headers.push_back(header_text(h));
    for (const Header& h : r.trailers) trailers.push_back(header_text(h));
    if (headers != e.headers) {
        std::string got;
        for (const auto& h : headers) got += "\n      " + escape(h);
        diffs.push_back("headers differ; got:" + (got.empty() ? std::string(" (none)") : got));
    }
    if (trailers != e.trailers) diffs.push_back("trailers differ (" + std::to_string(trailers.size()) + " parsed)");
    check("body", e.body, r.body);
    check("leftover", e.leftover, stream.substr(std::min(o.consumed, stream.size())));
    return diffs;
}

}  // namespace minicorn::http::testing
