#include "engine/client/response_reader.h"

#include <algorithm>
#include <charconv>

namespace minicorn::client {

namespace {

// ASCII only, no locale: header names are tokens. Called for every header of
// every response, so it stays cheap (the length check rejects most names).
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view lower_b) {
    if (a.size() != lower_b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower_b[i]) return false;
    }
    return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
    if (needle.size() > hay.size()) return false;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (iequals(hay.substr(i, needle.size()), needle)) return true;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

}  // namespace

void ResponseReader::reset() {
    stage_ = Stage::Head;
    head_.clear();
    line_.clear();
    started_ = false;
    status_ = 0;
    keep_alive_ = true;
    remaining_ = 0;
    body_bytes_ = 0;
    error_.clear();
}

ResponseReader::Result ResponseReader::fail(std::string why) {
    error_ = std::move(why);
    return Result::Error;
}

ResponseReader::Result ResponseReader::parse_head() {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    std::string_view head(head_);
    std::size_t eol = head.find("\r\n");
    std::string_view status_line = head.substr(0, eol);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ') {
        return fail("not an HTTP/1.x status line");
    }
    bool http10 = status_line[7] == '0';
    int status = 0;
    auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
    if (ec != std::errc() || end != status_line.data() + 12 || status < 100 || status > 999) {
        return fail("a bad status code");
    }
    status_ = status;
    keep_alive_ = !http10;
    bool chunked = false;
    bool have_length = false;
    std::uint64_t length = 0;
    std::size_t pos = eol + 2;
    while (pos < head.size()) {
        std::size_t next = head.find("\r\n", pos);
        if (next == std::string_view::npos) next = head.size();
        std::string_view line = head.substr(pos, next - pos);
        pos = next + 2;
        if (line.empty()) break;
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return fail("a header line without ':'");
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            auto [e, err] = std::from_chars(value.data(), value.data() + value.size(), length);
            if (err != std::errc() || e != value.data() + value.size()) return fail("a bad Content-Length");
            have_length = true;
        } else if (iequals(name, "transfer-encoding")) {
            chunked = icontains(value, "chunked");
        } else if (iequals(name, "connection")) {
            if (icontains(value, "close")) keep_alive_ = false;
            else if (icontains(value, "keep-alive")) keep_alive_ = true;
        }
    }
    head_.clear();
    if (status_ < 200 || status_ == 204 || status_ == 304) {
        stage_ = Stage::Done;
    } else if (chunked) {
        stage_ = Stage::ChunkSize;
    } else if (have_length) {
        remaining_ = length;
        stage_ = length == 0 ? Stage::Done : Stage::Body;
    } else {
        keep_alive_ = false;  // the body ends when the server closes
        stage_ = Stage::UntilClose;
    }
    return stage_ == Stage::Done ? Result::Done : Result::NeedMore;
}

ResponseReader::Result ResponseReader::feed(std::string_view data, std::size_t* used) {
    std::size_t i = 0;
    if (!data.empty()) started_ = true;
    auto finish = [&](Result r) {
        *used = i;
        return r;
    };
    while (i < data.size()) {
        switch (stage_) {
            case Stage::Head: {
                std::size_t from = head_.size() >= 3 ? head_.size() - 3 : 0;
                head_.append(data.substr(i));
                std::size_t end = head_.find("\r\n\r\n", from);
                if (end == std::string::npos) {
                    if (head_.size() > kMaxHead) return finish(fail("a response head over 64 KiB"));
                    i = data.size();
                    break;
                }
                std::size_t head_len = end + 4;
                i = data.size() - (head_.size() - head_len);
                head_.resize(head_len);
                Result r = parse_head();
                if (r != Result::NeedMore) return finish(r);
                break;
            }
            case Stage::Body: {
                std::uint64_t take = std::min<std::uint64_t>(remaining_, data.size() - i);
                remaining_ -= take;
                body_bytes_ += take;
                i += static_cast<std::size_t>(take);
                if (remaining_ == 0) {
                    stage_ = Stage::Done;
                    return finish(Result::Done);
                }
                break;
            }
            case Stage::ChunkSize:
            case Stage::Trailer:
            case Stage::ChunkDataEnd: {
                std::size_t nl = data.find('\n', i);
                std::size_t stop = nl == std::string_view::npos ? data.size() : nl + 1;
                line_.append(data.substr(i, stop - i));
                i = stop;
                if (nl == std::string_view::npos) {
                    if (line_.size() > 4096) return finish(fail("a chunk line over 4 KiB"));
                    break;
                }
                std::string_view line = trim(std::string_view(line_).substr(0, line_.size() - 1));
                if (stage_ == Stage::ChunkDataEnd) {
                    if (!line.empty()) return finish(fail("no CRLF after a chunk"));
                    stage_ = Stage::ChunkSize;
                } else if (stage_ == Stage::ChunkSize) {
                    line = line.substr(0, line.find(';'));
                    std::uint64_t size = 0;
                    auto [e, err] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
                    if (line.empty() || err != std::errc() || e != line.data() + line.size()) {
                        return finish(fail("a bad chunk size"));
                    }
                    remaining_ = size;
                    stage_ = size == 0 ? Stage::Trailer : Stage::ChunkData;
                } else if (line.empty()) {  // the trailer's last line
                    line_.clear();
                    stage_ = Stage::Done;
                    return finish(Result::Done);
                }
                line_.clear();
                break;
            }
            case Stage::ChunkData: {
                std::uint64_t take = std::min<std::uint64_t>(remaining_, data.size() - i);
                remaining_ -= take;
                body_bytes_ += take;
                i += static_cast<std::size_t>(take);
                if (remaining_ == 0) stage_ = Stage::ChunkDataEnd;
                break;
            }
            case Stage::UntilClose:
                body_bytes_ += data.size() - i;
                i = data.size();
                break;
            case Stage::Done:
                return finish(Result::Done);
        }
    }
    return finish(stage_ == Stage::Done ? Result::Done : Result::NeedMore);
}

ResponseReader::Result ResponseReader::finish_eof() {
    if (stage_ == Stage::UntilClose || stage_ == Stage::Done) {
        stage_ = Stage::Done;
        return Result::Done;
    }
    return fail(started_ ? "the server closed the connection mid-response" : "the server closed the connection");
}

}  // namespace minicorn::client
