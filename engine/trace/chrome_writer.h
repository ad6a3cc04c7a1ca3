// engine/trace/chrome_writer.h — one Chrome trace event as one line of JSON:
// the writer engine/trace/export.cpp produces its file with.
//
// Timestamps are written in microseconds relative to the recording's first
// event, with the nanoseconds as three exact decimals; async and flow ids as
// hex strings. Plain single-threaded object; the output is built in memory.
#pragma once

#include <fmt/format.h>
#include <sys/types.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace minicorn::trace::chrome {

using ArgValue = std::variant<std::int64_t, std::string, bool>;
struct Arg {
    std::string_view key;
    ArgValue value;
};
using Args = std::vector<Arg>;

// One output event. `t_ns` is empty only for metadata ("M"). Every member
// has an initializer, so designated initializers may leave any out.
struct OutEvent {
    char ph = 'i';
    std::string_view name = {};
    std::string_view cat = {};
    std::optional<std::uint64_t> t_ns = std::nullopt;
    pid_t pid = 0;
    pid_t tid = 0;
    std::optional<std::uint64_t> id = std::nullopt;  // async spans and flows
    bool bind_enclosing = false;                     // flow end: "bp":"e"
    const Args* args = nullptr;
};

class JsonOut {  // the whole trace file, written event by event
public:
    explicit JsonOut(std::uint64_t t0_ns) : t0_ns_(t0_ns) { buf_ = "{\"traceEvents\":[\n"; }

    void write(const OutEvent& ev) {
        if (count_ > 0) buf_ += ",\n";
        ++count_;
        buf_ += "{\"name\":";
        string(ev.name);
        if (!ev.cat.empty()) {
            buf_ += ",\"cat\":";
            string(ev.cat);
        }
        buf_ += ",\"ph\":\"";
        buf_ += ev.ph;
        buf_ += '"';
        if (ev.t_ns) {
            // Microseconds with the nanoseconds as three exact decimals.
            std::uint64_t rel = *ev.t_ns - t0_ns_;
            fmt::format_to(std::back_inserter(buf_), ",\"ts\":{}.{:03}", rel / 1000, rel % 1000);
        }
        fmt::format_to(std::back_inserter(buf_), ",\"pid\":{},\"tid\":{}", ev.pid, ev.tid);
        // Ids as hex strings, as Perfetto's own exporter writes them: exact
        // where a JSON number would pass 2^53, and read as hex for flows.
        if (ev.id) fmt::format_to(std::back_inserter(buf_), ",\"id\":\"0x{:x}\"", *ev.id);
        if (ev.bind_enclosing) buf_ += ",\"bp\":\"e\"";
        if (ev.ph == 'i') buf_ += ",\"s\":\"t\"";
        if (ev.args && !ev.args->empty()) {
            buf_ += ",\"args\":";
            object(*ev.args);
        }
        buf_ += '}';
    }

    std::string finish(const Args& other_data) {
        buf_ += "\n],\n\"otherData\":";
        object(other_data);
        buf_ += "}\n";
        return std::move(buf_);
    }

private:
    void object(const Args& args) {
        buf_ += '{';
        for (std::size_t i = 0; i < args.size(); ++i) {
            if (i > 0) buf_ += ',';
            string(args[i].key);
            buf_ += ':';
            value(args[i].value);
        }
        buf_ += '}';
    }

    void value(const ArgValue& v) {
        if (const auto* i = std::get_if<std::int64_t>(&v)) {
            fmt::format_to(std::back_inserter(buf_), "{}", *i);
        } else if (const auto* s = std::get_if<std::string>(&v)) {
            string(*s);
        } else {
            buf_ += std::get<bool>(v) ? "true" : "false";
        }
    }

    void string(std::string_view s) {
        buf_ += '"';
        for (char c : s) {
            switch (c) {
                case '"': buf_ += "\\\""; break;
                case '\\': buf_ += "\\\\"; break;
                case '\n': buf_ += "\\n"; break;
                case '\t': buf_ += "\\t"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        fmt::format_to(std::back_inserter(buf_), "\\u{:04x}", static_cast<unsigned>(c));
                    } else {
                        buf_ += c;
                    }
            }
        }
        buf_ += '"';
    }

    std::uint64_t t0_ns_;
    std::string buf_;
    std::size_t count_ = 0;
};

}  // namespace minicorn::trace::chrome
