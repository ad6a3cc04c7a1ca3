#include "models/common/body_reader.h"

#include <utility>

#include "engine/http/errors.h"
#include "engine/http/limits.h"
#include "engine/http/request.h"
#include "engine/trace/emit.h"

namespace minicorn::models {

std::string BodyReader::read(std::size_t n) {
    if (continue_pending_) {
        continue_pending_ = false;
        if (!parser_.done()) io_.send_all(conn_.fd.get(), http::kContinueResponse);  // a failure shows in the recv
    }
    pending_ += parser_.take_body();
    while (pending_.size() < n && !parser_.done()) {
        fill();
        pending_ += parser_.take_body();
    }
    if (n >= pending_.size()) return std::exchange(pending_, std::string());
    std::string part = pending_.substr(0, n);
    pending_.erase(0, n);
    return part;
}

void BodyReader::fill() {
    if (parser_.failed()) throw wsgi::InputError(parser_.error());
    // One buffer per OS thread (see read_request); the parser consumes it
    // before anything can park.
    thread_local char buf[http::kRecvChunk];
    const net::IoResult r = io_.recv(conn_.fd.get(), buf, sizeof buf);
    if (r.status == net::IoResult::Eof) {
        parser_.finish_eof();  // a short Content-Length body is accepted, as gunicorn does
    } else if (!r.ok()) {
        // Reset, or a timeout: the client is gone mid-body. gunicorn's
        // socket.error is logged at debug level and answered with nothing.
        throw wsgi::InputError(http::no_more_data(std::nullopt));
    } else {
        bytes_in_ += r.bytes;
        trace::count(trace::CounterId::BytesIn, r.bytes);
        const std::string_view chunk(buf, r.bytes);
        const std::size_t used = parser_.feed(chunk);
        if (used < chunk.size()) conn_.buffer.append(chunk.substr(used));
    }
    if (parser_.failed()) throw wsgi::InputError(parser_.error());
}

bool BodyReader::drain() {
    pending_.clear();
    const std::uint64_t limit = bytes_in_ + kMaxDrainBytes;
    try {
        while (!parser_.done()) {
            if (bytes_in_ > limit) return false;
            parser_.take_body();
            fill();
        }
    } catch (const wsgi::InputError&) {
        return false;
    }
    parser_.take_body();
    return true;
}

}  // namespace minicorn::models
