// engine/client/response_reader.h — an incremental HTTP/1.x response parser
// for the load client: the status, whether the connection stays open, and
// where the body ends (Content-Length, chunked, or the server's close).
//
// Feed it whatever recv() returned; it consumes bytes until one response is
// complete. It keeps only the head (up to kMaxHead bytes) and chunk framing
// state; body bytes are counted, not stored.
//
// Not thread-safe; one per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace minicorn::client {

class ResponseReader {
public:
    static constexpr std::size_t kMaxHead = 64 * 1024;

    enum class Result {
        NeedMore,  // not complete yet
        Done,      // one whole response; see status(), keep_alive()
        Error,     // not HTTP, or broken framing
    };

    void reset();
    // Consumes up to `data.size()` bytes; `*used` says how many (the rest,
    // after Done, would be a next response the client never asked for).
    Result feed(std::string_view data, std::size_t* used);
    // The server closed the connection: Done when the body was delimited by
    // the close, Error (an incomplete response) otherwise.
    Result finish_eof();

    bool started() const { return started_; }  // any byte seen
    int status() const { return status_; }
    bool keep_alive() const { return keep_alive_; }
    std::uint64_t body_bytes() const { return body_bytes_; }
    const std::string& error() const { return error_; }

private:
    enum class Stage { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Done };
    Result parse_head();
    Result fail(std::string why);

    Stage stage_ = Stage::Head;
    std::string head_;
    std::string line_;             // a chunk-size or trailer line being collected
    bool started_ = false;
    int status_ = 0;
    bool keep_alive_ = true;
    std::uint64_t remaining_ = 0;  // body or chunk bytes still to come
    std::uint64_t body_bytes_ = 0;
    std::string error_;
};

}  // namespace minicorn::client
