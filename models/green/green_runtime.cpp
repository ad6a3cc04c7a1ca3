#include "models/green/green_runtime.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "engine/sys/fd.h"
#include "engine/trace/emit.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/app_threads.h"
#include "models/green/green_group.h"
#include "engine/wsgi/app_module.h"
#include "engine/wsgi/db_backend.h"

namespace minicorn::models {

namespace {
std::int64_t thread_cpu_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

void GreenRuntime::sleep(wsgi::Millis ms) { hub::Hub::current().sleep(ms); }

void GreenRuntime::block(wsgi::Millis ms) {
    // An unpatched C call: the whole OS thread sleeps, hub and all (in engine
    // time, so a paused engine is frozen here too).
    std::int64_t left = std::chrono::nanoseconds(ms).count();
    while (!trace::sleep_engine_for(left)) check_signals();
}

void GreenRuntime::db(wsgi::Millis ms) {
    std::uint16_t port = wsgi::db_port();
    if (port == 0) throw wsgi::AppError("no /db backend is running");
    sys::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    hub::IoResult r = hub::green_connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    std::string query = std::to_string(ms.count()) + "\n";
    if (r.status == hub::IoResult::Ok) r = hub::green_send_all(fd.get(), query);
    char buf[64];
    if (r.status == hub::IoResult::Ok) r = hub::green_recv(fd.get(), buf, sizeof buf);
    if (r.status != hub::IoResult::Ok) throw wsgi::AppError("the /db backend did not answer");
}

void GreenRuntime::db_on(const wsgi::DbConnection& conn, wsgi::Millis ms) {
    std::string error;
    const auto query_ms = static_cast<std::uint32_t>(ms.count());
    if (!conn.patched) {
        // Opened by the master before this worker patched: a plain blocking
        // socket. The OS thread waits in recv(), and the hub with it.
        if (!wsgi::db_query_on(conn.fd, query_ms, [this] { check_signals(); }, &error)) throw wsgi::AppError(error);
        return;
    }
    hub::IoResult r = hub::green_send_all(conn.fd, std::to_string(query_ms) + "\n");
    char c = 0;
    while (r.status == hub::IoResult::Ok && c != '\n') r = hub::green_recv(conn.fd, &c, 1);
    if (r.status != hub::IoResult::Ok) throw wsgi::AppError("the /db backend did not answer");
}

void GreenRuntime::cpu(wsgi::Millis ms) {
    const std::int64_t until = thread_cpu_ns() + static_cast<std::int64_t>(ms.count()) * 1'000'000;
    unsigned long x = sink_ | 1;
    while (thread_cpu_ns() < until) {
        for (int i = 0; i < 20000; ++i) x = x * 6364136223846793005UL + 1442695040888963407UL;  // "bytecodes"
        sink_ = x;
        trace::wait_while_paused();
        check_signals();  // between bytecodes: a SIGABRT lands in this greenlet
    }
}

void GreenRuntime::hang() {
    while (true) {
        ::pause();
        check_signals();
    }
}

void GreenRuntime::spawn_all(std::span<const wsgi::Task> tasks) {
    // An asyncio task of the request's is a ready callback of kind Request.
    const auto kind = style_ == wsgi::ViewStyle::Coroutine ? trace::LoopCallback::Request : trace::LoopCallback::Other;
    spawn_and_join(tasks, *this, kind);
}

void GreenRuntime::thread_pool(std::span<const wsgi::Task> tasks) {
    if (style_ == wsgi::ViewStyle::Plain) {
        spawn_all(tasks);  // patched threading.Thread.start() is gevent.spawn
        return;
    }
    wsgi::run_on_app_threads(gil_, tasks);
}

void GreenRuntime::check_signals() {
    if (check_signals_) check_signals_();
}

}  // namespace minicorn::models
