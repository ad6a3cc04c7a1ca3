// engine/http/pytext.h — the few pieces of Python text behaviour that gunicorn's
// error messages and access-log lines depend on.
//
// gunicorn decodes every byte of a request as latin-1 (util.bytes_to_str), so a
// request byte 0xE9 is the character 'é'. Its messages are built with repr()
// ("Invalid HTTP method: 'G T'"), its header names with str.upper(), its error
// page with html.escape() and its Content-Length with int(). These functions
// reproduce exactly those, on raw bytes. Pure functions, no state, no threads.
//
// Convention: "latin-1 text" means raw request bytes read as latin-1; "UTF-8
// text" means a Python str rendered as UTF-8 (what a log line or std::string
// message holds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace minicorn::http::py {

// Appends the code point `cp` to `out` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

// bytes.decode('latin-1'), rendered as UTF-8.
std::string latin1_to_utf8(std::string_view latin1);

// str.encode('latin-1') of UTF-8 text; nullopt when a character is above U+00FF
// (Python raises UnicodeEncodeError there).
std::optional<std::string> utf8_to_latin1(std::string_view utf8);

// The same, with '?' for each character above U+00FF (never fails).
std::string utf8_to_latin1_replacing(std::string_view utf8);

// repr() of a str, given as UTF-8 text: 'GET', "it's", '\x00\r\n'.
std::string repr_str(std::string_view utf8);

// repr() of the str that bytes_to_str() makes of `latin1` bytes.
std::string repr_latin1(std::string_view latin1);

// repr() of a bytes object: b'5\r\n', b'\xff'.
std::string repr_bytes(std::string_view bytes);

// str.upper() of latin-1 text, as UTF-8 text. Mostly ASCII upper-casing, but
// 'ß' becomes "SS" and 'ÿ'/'µ' leave latin-1 ('Ÿ', 'Μ').
std::string upper_latin1(std::string_view latin1);

// html.escape(s, quote=True): & < > " ' become entities.
std::string html_escape(std::string_view s);

// int(s) on latin-1 text, base 10: surrounding whitespace (Python's str.isspace,
// which includes \x1c-\x1f, \x85 and \xa0), an optional sign, and single '_'
// between digits are accepted. nullopt where Python raises ValueError. Values
// beyond the int64 range saturate (Python would keep a big int).
std::optional<std::int64_t> parse_int(std::string_view latin1);

// Python's str.isspace() for a latin-1 character.
bool is_space_latin1(unsigned char c);

}  // namespace minicorn::http::py
