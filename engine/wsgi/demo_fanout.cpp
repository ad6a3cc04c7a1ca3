// engine/wsgi/demo_fanout.cpp — the /fanout and /threads views; what each
// does under each worker model is in demo_fanout.h.
#include "engine/wsgi/demo_fanout.h"

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "engine/wsgi/demo_params.h"

namespace minicorn::wsgi {

namespace {

using demo::BadRequest;
using demo::Presence;

std::uint64_t count_param(const QueryParams& query, std::string_view usage) {
    const std::uint64_t n = demo::int_param(query, "n", Presence::Optional, kDefaultFanout, kMaxFanout, usage);
    if (n == 0) throw BadRequest(fmt::format("parameter 'n' must be at least 1 (usage: {})", usage));
    return n;
}

// A yes/no flag written 0 or 1 (absent: 0).
bool flag_param(const QueryParams& query, std::string_view name, std::string_view usage) {
    return demo::int_param(query, name, Presence::Optional, 0, 1, usage) == 1;
}

// Wall time since `start`, in whole milliseconds, for the body.
long long elapsed_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

std::string_view plural(std::uint64_t n, std::string_view one, std::string_view many) { return n == 1 ? one : many; }

}  // namespace

Response fanout(const Environ& env, const QueryParams& query) {
    constexpr std::string_view kUsage = "/fanout?n=N&ms=M[&spawn=1]";
    const std::uint64_t n = count_param(query, kUsage);
    const Millis ms = demo::millis_param(query, Presence::Optional, kDefaultFanoutMillis, kUsage);
    const bool spawn = flag_param(query, "spawn", kUsage);
    Runtime& runtime = env.runtime;

    const auto start = std::chrono::steady_clock::now();
    std::string_view how;
    if (runtime.view_style() == ViewStyle::Coroutine) {
        // async def view: await asyncio.gather(*(asyncio.sleep(ms) for _ in range(n)))
        const std::vector<Task> waits(n, [ms](Runtime& r) { r.sleep(ms); });
        runtime.spawn_all(waits);
        how = "gathered (await asyncio.gather): all waiting at once";
    } else if (spawn) {
        // gevent.joinall([gevent.spawn(time.sleep, ms) for _ in range(n)])
        const std::vector<Task> waits(n, [ms](Runtime& r) { r.sleep(ms); });
        runtime.spawn_all(waits);
        how = "one greenlet each, then joined (gevent.spawn + joinall)";
    } else {
        // for _ in range(n): time.sleep(ms)
        for (std::uint64_t i = 0; i < n; ++i) runtime.sleep(ms);
        how = "one after another (plain code: each call returns before the next starts)";
    }
    return demo::text(fmt::format("fanout: {} {} of {} ms, {} - took {} ms\n", n, plural(n, "wait", "waits"),
                                  ms.count(), how, elapsed_ms(start)));
}

Response threads(const Environ& env, const QueryParams& query) {
    constexpr std::string_view kUsage = "/threads?n=N&ms=M[&work=cpu]";
    const std::uint64_t n = count_param(query, kUsage);
    const Millis ms = demo::millis_param(query, Presence::Optional, kDefaultFanoutMillis, kUsage);
    const std::string* work = query.get("work");
    if (work != nullptr && *work != "cpu" && *work != "sleep") {
        throw BadRequest(fmt::format("parameter 'work' must be sleep or cpu (usage: {})", kUsage));
    }
    const bool cpu = work != nullptr && *work == "cpu";

    // Which OS threads the tasks ran on: threading.get_native_id() in each.
    std::mutex mu;
    std::set<pid_t> os_threads;
    const Task task = [&mu, &os_threads, ms, cpu](Runtime& r) {
        {
            std::lock_guard lock(mu);
            os_threads.insert(::gettid());
        }
        if (cpu) {
            r.cpu(ms);
        } else {
            r.sleep(ms);
        }
    };
    const std::vector<Task> tasks(n, task);
    const auto start = std::chrono::steady_clock::now();
    env.runtime.thread_pool(tasks);  // with ThreadPoolExecutor(max_workers=n) as pool: wait(pool.submit(...))
    const bool own_thread = os_threads.size() == 1 && os_threads.count(::gettid()) == 1;
    return demo::text(fmt::format(
        "threads: {} {} of {} ms ({}) on a ThreadPoolExecutor(max_workers={}) - ran on {} OS {}{} - took {} ms\n", n,
        plural(n, "task", "tasks"), ms.count(), cpu ? "CPU work" : "time.sleep", n, os_threads.size(),
        plural(os_threads.size(), "thread", "threads"),
        own_thread ? " (the worker's own: its \"threads\" were greenlets)" : "", elapsed_ms(start)));
}

}  // namespace minicorn::wsgi
