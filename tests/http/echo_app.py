"""A WSGI app for tests/http/check-against-gunicorn: it reads the whole request
body and answers 200 with a JSON description of what gunicorn parsed.
Strings that came from request bytes are latin-1 decoded, as gunicorn does."""
import json


def app(environ, start_response):
    body = environ['wsgi.input'].read()
    out = json.dumps({
        'method': environ['REQUEST_METHOD'],
        'raw_uri': environ['RAW_URI'],
        'path_info': environ['PATH_INFO'],
        'query': environ['QUERY_STRING'],
        'protocol': environ['SERVER_PROTOCOL'],
        'scheme': environ['wsgi.url_scheme'],
        'body': body.decode('latin-1'),
        'headers': {k: v for k, v in environ.items() if k.startswith(('HTTP_', 'CONTENT_'))},
    }).encode('ascii')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(out)))])
    return [out]
