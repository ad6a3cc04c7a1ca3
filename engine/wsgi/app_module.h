// engine/wsgi/app_module.h — the demo app's module globals: what its top
// level does when Python executes it (`import app`), and the two routes that
// show it (/version, /deploy).
//
// At import the module, as a Django project's settings and models would:
//   - reads its version from a file (VERSION = open("version").read());
//   - allocates and fills --app-size-mb MiB (its modules, a model it loads);
//   - with --db-at-import, opens its /db connection (db = connect(...)), which
//     every /db request then reuses.
// Whoever imports it owns the result: the master with --preload (before fork:
// the workers inherit it, copy-on-write, and HUP forks new workers from the
// same old copy), else each worker after fork. A connection opened by the
// master is a plain blocking socket; one opened by a gevent/eventlet worker,
// after it monkey-patched, is a patched one (ImportOptions.patched).
//
// Thread affinity: import_module() once per process, before any request;
// the globals are then read-only and any thread may read them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/wsgi/app.h"
#include "engine/wsgi/query.h"

namespace minicorn::wsgi {

struct ImportOptions {
    std::size_t size_mb = 0;       // --app-size-mb
    std::string version_file;      // --app-version-file; empty: the private file
    bool db_at_import = false;     // --db-at-import
    bool patched = false;          // the importing process has monkey-patched (a green worker)
};

// The app's /db connection opened at import (fd -1: none).
struct DbConnection {
    int fd = -1;
    bool patched = false;  // made after monkey-patching: a green socket, it parks
};

// What the last import left in this process.
struct ModuleGlobals {
    bool imported = false;
    std::string version;           // the version file's first line, as read then
    std::string version_file;      // where it was read ("": the private file)
    pid_t imported_by = 0;         // the process that ran the import
    std::size_t size_mb = 0;       // memory allocated and filled then
    DbConnection db;
};

// Runs the module's top level in this process (throws AppLoadError if the
// version file cannot be read or the /db connection cannot be opened).
void import_module(const ImportOptions& options);
const ModuleGlobals& module_globals();

// Master side, before any import or fork: when --app-version-file is unset,
// a private version file holding "1" — created, unlinked at once, kept open;
// the workers inherit the descriptor.
void open_private_version_file();

// The routes (demo_app's table lists them):
//   /version            the version the app read when it was imported, and who imported it
//   /deploy?version=N   writes N into the version file, as a deploy replaces the code on
//                       disk; what is running keeps what it imported
Response version_view(const Environ& env, const QueryParams& query);
Response deploy_view(const Environ& env, const QueryParams& query);

}  // namespace minicorn::wsgi
