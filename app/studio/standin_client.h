// app/studio/standin_client.h — a small stand-in for `minicorn load`, used
// only while a build has no built-in client, so the studio still has traffic
// to show.
//
// It runs as a child process (the studio re-executes itself with
// --standin-client, before any window exists): C threads, each looping
// connect → GET a path from the mix → read to EOF ("Connection: close") →
// a short pause. It emits no trace events; the studio sees its requests
// through the server's events only.
#pragma once

namespace minicorn::studio {

// argv: URL [-c N] [--mix "/io?ms=50:70,/cpu?ms=10:30"] [--pause-ms MS].
// Runs until killed (SIGTERM). Returns an exit status on a usage error.
int run_standin_client(int argc, char** argv);

}  // namespace minicorn::studio
