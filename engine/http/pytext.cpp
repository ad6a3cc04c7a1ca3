#include "engine/http/pytext.h"

#include <limits>
#include <vector>

namespace minicorn::http::py {

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

namespace {

// Decodes UTF-8 that this module produced; a malformed byte stands for itself
// (as if latin-1), which keeps the functions total.
std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3
                        : (b0 >> 3) == 0x1E ? 4 : 0;
        bool ok = len != 0 && i + len <= s.size();
        char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (!ok) {
            out += static_cast<char32_t>(b0);
            i += 1;
        } else {
            out += cp;
            i += len;
        }
    }
    return out;
}

// str.isprintable() for the characters these messages can contain: ASCII,
// latin-1, and the two non-latin-1 results of upper_latin1().
bool is_printable(char32_t cp) {
    if (cp < 0x20 || cp == 0x7F) return false;
    if (cp >= 0x80 && cp <= 0xA0) return false;  // C1 controls and NBSP
    if (cp == 0xAD) return false;                 // soft hyphen (Cf)
    return true;
}

void append_hex_escape(std::string& out, char32_t cp) {
    static constexpr char kHex[] = "0123456789abcdef";
    if (cp <= 0xFF) {
        out += "\\x";
    } else {
        out += "\\u";
        out += kHex[(cp >> 12) & 0xF];
        out += kHex[(cp >> 8) & 0xF];
    }
    out += kHex[(cp >> 4) & 0xF];
    out += kHex[cp & 0xF];
}

// Python picks double quotes only when the text holds ' and no ".
char pick_quote(const std::u32string& text) {
    bool single = false;
    bool dbl = false;
    for (char32_t c : text) {
        single = single || c == U'\'';
        dbl = dbl || c == U'"';
    }
    return single && !dbl ? '"' : '\'';
}

std::string repr_codepoints(const std::u32string& text, bool as_bytes) {
    const char quote = pick_quote(text);
    std::string out = as_bytes ? "b" : "";
    out += quote;
    for (char32_t c : text) {
        if (c == U'\\') {
            out += "\\\\";
        } else if (c == static_cast<char32_t>(quote)) {
            out += '\\';
            out += quote;
        } else if (c == U'\t') {
            out += "\\t";
        } else if (c == U'\n') {
            out += "\\n";
        } else if (c == U'\r') {
            out += "\\r";
        } else if (as_bytes ? (c < 0x20 || c >= 0x7F) : !is_printable(c)) {
            append_hex_escape(out, c);
        } else {
            append_utf8(out, c);
        }
    }
    out += quote;
    return out;
}

std::u32string widen_latin1(std::string_view latin1) {
    std::u32string out;
    out.reserve(latin1.size());
    for (char c : latin1) out += static_cast<char32_t>(static_cast<unsigned char>(c));
    return out;
}

}  // namespace

std::string latin1_to_utf8(std::string_view latin1) {
    std::string out;
    out.reserve(latin1.size());
    for (char c : latin1) append_utf8(out, static_cast<unsigned char>(c));
    return out;
}

std::optional<std::string> utf8_to_latin1(std::string_view utf8) {
    std::string out;
    for (char32_t cp : decode_utf8(utf8)) {
        if (cp > 0xFF) return std::nullopt;
        out += static_cast<char>(static_cast<unsigned char>(cp));
    }
    return out;
}

std::string utf8_to_latin1_replacing(std::string_view utf8) {
    std::string out;
    for (char32_t cp : decode_utf8(utf8)) out += cp > 0xFF ? '?' : static_cast<char>(static_cast<unsigned char>(cp));
    return out;
}

std::string repr_str(std::string_view utf8) { return repr_codepoints(decode_utf8(utf8), false); }

std::string repr_latin1(std::string_view latin1) { return repr_codepoints(widen_latin1(latin1), false); }

std::string repr_bytes(std::string_view bytes) { return repr_codepoints(widen_latin1(bytes), true); }

std::string upper_latin1(std::string_view latin1) {
    std::string out;
    out.reserve(latin1.size());
    for (char ch : latin1) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 'a' && c <= 'z') {
            out += static_cast<char>(c - 0x20);
        } else if (c == 0xDF) {
            out += "SS";                       // ß has no single upper-case form
        } else if (c == 0xFF) {
            append_utf8(out, 0x178);           // ÿ → Ÿ
        } else if (c == 0xB5) {
            append_utf8(out, 0x39C);           // µ → Greek capital mu
        } else if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
            append_utf8(out, static_cast<char32_t>(c - 0x20));
        } else {
            append_utf8(out, c);
        }
    }
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#x27;"; break;
            default: out += c;
        }
    }
    return out;
}

bool is_space_latin1(unsigned char c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::size_t begin = 0;
    std::size_t end = s.size();
    while (begin < end && is_space_latin1(static_cast<unsigned char>(s[begin]))) ++begin;
    while (end > begin && is_space_latin1(static_cast<unsigned char>(s[end - 1]))) --end;
    bool negative = false;
    if (begin < end && (s[begin] == '+' || s[begin] == '-')) {
        negative = s[begin] == '-';
        ++begin;
    }
    if (begin == end) return std::nullopt;
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t magnitude = 0;
    bool previous_was_digit = false;
    for (std::size_t i = begin; i < end; ++i) {
        const char c = s[i];
        if (c == '_') {
            // Python allows one underscore between digits: "1_000", not "_1", "1_", "1__0".
            if (!previous_was_digit || i + 1 == end) return std::nullopt;
            previous_was_digit = false;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        previous_was_digit = true;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        magnitude = magnitude > (kMax - digit) / 10 ? kMax + 1 : magnitude * 10 + digit;
        if (magnitude > kMax + 1) magnitude = kMax + 1;
    }
    if (negative) {
        return magnitude > kMax ? std::numeric_limits<std::int64_t>::min()
                                : -static_cast<std::int64_t>(magnitude);
    }
    return magnitude > kMax ? std::numeric_limits<std::int64_t>::max()
                            : static_cast<std::int64_t>(magnitude);
}

}  // namespace minicorn::http::py
