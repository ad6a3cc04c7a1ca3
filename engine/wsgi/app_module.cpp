// engine/wsgi/app_module.cpp — see app_module.h.
#include "engine/wsgi/app_module.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "engine/sys/fd.h"
#include "engine/wsgi/db_backend.h"

namespace minicorn::wsgi {

namespace {

ModuleGlobals g_module;
int g_private_version_fd = -1;  // the master's private version file (inherited by the workers)
constexpr std::size_t kVersionLimit = 64;

// The version file's first line (empty text: "1", as a module without one).
std::string read_version(const std::string& path) {
    std::string text;
    int fd = path.empty() ? g_private_version_fd : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (path.empty()) return "1";
        throw AppLoadError(fmt::format("cannot read the version file '{}': {}", path, std::strerror(errno)));
    }
    char buf[kVersionLimit];
    ssize_t n = ::pread(fd, buf, sizeof buf, 0);
    if (n > 0) text.assign(buf, static_cast<std::size_t>(n));
    if (!path.empty()) ::close(fd);
    text = text.substr(0, text.find_first_of("\r\n"));
    return text.empty() ? "1" : text;
}

bool write_version(const std::string& path, std::string_view text, std::string* error) {
    int fd = path.empty() ? g_private_version_fd
                          : ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    std::string line = std::string(text) + "\n";
    bool ok = fd >= 0 && ::ftruncate(fd, 0) == 0 &&
              ::pwrite(fd, line.data(), line.size(), 0) == static_cast<ssize_t>(line.size());
    if (!ok) *error = fmt::format("cannot write the version file: {}", std::strerror(errno));
    if (!path.empty() && fd >= 0) ::close(fd);
    return ok;
}

// N MiB allocated and written page by page, so they are really there (RSS),
// as a module's objects are once built. Never freed: the module lives as long
// as the process. A fork shares them until someone writes to them.
void fill_memory(std::size_t mb) {
    if (mb == 0) return;
    const std::size_t bytes = mb << 20;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw AppLoadError(fmt::format("cannot allocate {} MiB: {}", mb, std::strerror(errno)));
    std::memset(p, 0x5a, bytes);
}

DbConnection open_db(bool patched) {
    std::uint16_t port = db_port();
    if (port == 0) throw AppLoadError("--db-at-import: no /db backend is running");
    DbConnection conn;
    conn.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (conn.fd < 0 || ::connect(conn.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        throw AppLoadError(fmt::format("--db-at-import: cannot connect to the /db backend: {}", std::strerror(errno)));
    }
    // A patched socket module makes every socket non-blocking underneath and
    // waits in the hub; the master's plain socket stays blocking.
    if (patched) sys::set_nonblocking(conn.fd, true);
    conn.patched = patched;
    return conn;
}

Response plain_text(int status, std::string reason, std::string body) {
    Response response;
    response.status = status;
    response.reason = std::move(reason);
    response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                        {"Content-Length", std::to_string(body.size())}};
    response.next_chunk = [body = std::move(body), sent = false]() mutable -> std::optional<std::string> {
        if (sent) return std::nullopt;
        sent = true;
        return std::move(body);
    };
    return response;
}

}  // namespace

void import_module(const ImportOptions& options) {
    g_module.version_file = options.version_file;
    g_module.version = read_version(options.version_file);
    fill_memory(options.size_mb);
    g_module.size_mb = options.size_mb;
    if (options.db_at_import) g_module.db = open_db(options.patched);
    g_module.imported_by = ::getpid();
    g_module.imported = true;
}

const ModuleGlobals& module_globals() { return g_module; }

void open_private_version_file() {
    if (g_private_version_fd >= 0) return;
    const char* env = std::getenv("TMPDIR");
    std::string pattern = std::string(env && *env ? env : "/tmp") + "/minicorn-version-XXXXXX";
    int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) return;  // read_version() then answers "1"
    ::unlink(pattern.c_str());
    // Close-on-exec is fine: the workers are forked, never exec'd.
    g_private_version_fd = fd;
    std::string error;
    write_version("", "1", &error);
}

Response version_view(const Environ&, const QueryParams&) {
    const ModuleGlobals& m = module_globals();
    const bool here = m.imported_by == ::getpid();
    std::string who = here ? fmt::format("imported by this worker (pid {}) after it was forked", m.imported_by)
                           : fmt::format("imported by the master (pid {}) before this worker was forked (--preload)",
                                         m.imported_by);
    return plain_text(200, "OK", fmt::format("version {}\n{}\n", m.version, who));
}

Response deploy_view(const Environ&, const QueryParams& query) {
    const std::string* v = query.get("version");
    if (v == nullptr || v->empty() || v->size() > 9 || v->find_first_not_of("0123456789") != std::string::npos) {
        return plain_text(400, "Bad Request",
                          "Bad Request: parameter 'version' must be a number of at most 9 digits "
                          "(usage: /deploy?version=N)\n");
    }
    std::string error;
    if (!write_version(g_module.version_file, *v, &error)) return plain_text(500, "Internal Server Error", error + "\n");
    return plain_text(200, "OK",
                      fmt::format("deployed: the version file now says {}. This worker still runs version {}: "
                                  "code is read when it is imported.\n",
                                  *v, module_globals().version));
}

}  // namespace minicorn::wsgi
