#!/usr/bin/python3
"""Reference outcomes from gunicorn 20.1's own parser classes, run in-process.

Reads case file paths (one per line) on stdin and prints, per case, one
tab-separated line in the format of minicorn::http::testing::describe():
    status  error  message  [method uri path query fragment version scheme close H:… T:… B:… L:n]
Each request is fed through an IterUnreader in 8192-byte pieces (gunicorn's
recv size) and then EOF, and its body is read whole, as echo_app.py does.
Limits come from the LL, LF, LS environment variables (raw settings).
Used by the hidden Catch2 test "[.gunicorn]" in tests/test_http_parser.cpp.
Run with /usr/bin/python3 (Debian's gunicorn 20.1)."""
import html
import os
import sys

from gunicorn.config import Config
from gunicorn.http import errors as E
from gunicorn.http.parser import RequestParser
from gunicorn.http.unreader import IterUnreader

PAGE_400 = (E.InvalidRequestLine, E.InvalidRequestMethod, E.InvalidHTTPVersion, E.InvalidHeader,
            E.InvalidHeaderName, E.LimitRequestLine, E.LimitRequestHeaders, E.InvalidSchemeHeaders)
NO_RESPONSE = (E.NoMoreData, E.InvalidChunkSize, E.ChunkMissingTerminator)


class Spin(Exception):
    """gunicorn's chunk-terminator loop spins at EOF; minicorn reports NoMoreData."""


def escape(b):
    if isinstance(b, str):
        b = b.encode('latin-1')
    out = []
    for c in b:
        ch = chr(c)
        out.append({'\\': '\\\\', '\r': '\\r', '\n': '\\n', '\t': '\\t'}.get(ch)
                   or ('\\x%02x' % c if c < 0x20 or c >= 0x7f else ch))
    return ''.join(out)


def page_message(exc):
    for cls, fmt in ((E.InvalidRequestLine, "Invalid Request Line '%s'"), (E.InvalidRequestMethod, "Invalid Method '%s'"),
                     (E.InvalidHTTPVersion, "Invalid HTTP Version '%s'"),
                     (E.LimitRequestHeaders, "Error parsing headers: '%s'")):
        if isinstance(exc, cls):
            return fmt % str(exc)
    return str(exc)


def outcome(cfg, data):
    class Unreader(IterUnreader):
        empty_reads = 0

        def chunk(self):
            d = super().chunk()
            if not d:
                Unreader.empty_reads += 1
                if Unreader.empty_reads > 1000:
                    raise Spin()
            return d

    parser = RequestParser(cfg, [], ('127.0.0.1', 5555))
    parser.unreader = Unreader([data[i:i + 8192] for i in range(0, len(data), 8192)])
    try:
        req = next(parser)
        body = req.body.read()
    except StopIteration:
        return ['none', 'NoRequest', '']
    except Spin:
        return ['none', 'NoMoreData', 'No more data after: None']
    except PAGE_400 as e:
        try:
            html.escape(page_message(e)).encode('latin1')
            status = '400'
        except UnicodeEncodeError:
            status = 'none'   # util.write_error fails; nothing is sent
        return [status, type(e).__name__, escape(str(e).encode('utf-8'))]
    except NO_RESPONSE as e:
        return ['none', type(e).__name__, escape(str(e).encode('utf-8'))]
    except Exception as e:   # handle_error's generic branch: 500
        return ['500', type(e).__name__, escape(str(e).encode('utf-8'))]
    rest = parser.unreader.buf.getvalue() + b''.join(parser.unreader.iter or [])
    out = ['200', '', '', req.method, escape(req.uri), escape(req.path), escape(req.query), escape(req.fragment),
           '%d.%d' % req.version, req.scheme, 'close' if req.should_close() else 'keep']
    out += ['H:' + escape(n + ': ' + v) for n, v in req.headers]
    out += ['T:' + escape(n + ': ' + v) for n, v in req.trailers]
    out += ['B:' + escape(body), 'L:%d' % len(rest)]
    return out


def main():
    cfg = Config()
    cfg.set('limit_request_line', int(os.environ.get('LL', 4094)))
    cfg.set('limit_request_fields', int(os.environ.get('LF', 100)))
    cfg.set('limit_request_field_size', int(os.environ.get('LS', 8190)))
    for path in sys.stdin.read().split('\n'):
        if path:
            with open(path, 'rb') as f:
                print('\t'.join(outcome(cfg, f.read())))


if __name__ == '__main__':
    main()
