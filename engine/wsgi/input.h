// engine/wsgi/input.h — wsgi.input: the request body, read by the application
// on demand (gunicorn's http/body.py Body over its LengthReader/ChunkedReader).
//
// The worker calls the app as soon as the request head is parsed; the body is
// still on the socket, and each read() pulls just what it needs from there.
// An app that never reads the body never holds it: what it leaves is dealt
// with by the worker after the response (drained up to a bound, or the
// connection closed).
//
// Threads: an Input belongs to the call of the app it was given to, on that
// thread (greenlet); it may block (or park) in read(), with the GIL released
// around the socket wait as any blocking call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "engine/http/errors.h"

namespace minicorn::wsgi {

class Input {
public:
    static constexpr std::size_t kAll = SIZE_MAX;

    virtual ~Input() = default;
    // Up to `n` bytes of the body (all the rest by default), fewer only at its
    // end; "" once it is all read. Throws InputError when the body is
    // malformed or the peer left in the middle of it.
    virtual std::string read(std::size_t n = kAll) = 0;
};

// Raised out of Input::read(): the body could not be read. The worker answers
// as gunicorn does for the same exception (error() says how: a page, or none).
class InputError : public std::runtime_error {
public:
    explicit InputError(http::ParseError error) : std::runtime_error(error.message), error_(std::move(error)) {}
    const http::ParseError& error() const { return error_; }

private:
    http::ParseError error_;
};

// A body already in memory: tornado's WSGIContainer (BytesIO(request.body)), tests.
class StringInput final : public Input {
public:
    explicit StringInput(std::string_view body) : body_(body) {}
    std::string read(std::size_t n = kAll) override {
        const std::string_view part = body_.substr(0, n);
        body_.remove_prefix(part.size());
        return std::string(part);
    }

private:
    std::string_view body_;
};

}  // namespace minicorn::wsgi
