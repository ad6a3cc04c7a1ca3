// engine/wsgi/app_threads.cpp — see app_threads.h.
#include "engine/wsgi/app_threads.h"

#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/trace/ev.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/thread_runtime.h"

namespace minicorn::wsgi {

namespace {

// concurrent.futures' _WorkItem.run: the task's exception is kept in its
// future, and future.result() raises it in the view.
struct FirstError {
    std::mutex mu;
    std::exception_ptr error;
    void keep(std::exception_ptr e) {
        std::lock_guard lock(mu);
        if (!error) error = std::move(e);
    }
};

void app_thread_main(Gil& gil, const Task& task, FirstError& first) {
    trace::ev::ThreadStart{.role = trace::ThreadRole::App}.emit();
    {
        ThreadRuntime runtime(gil, {});
        Gil::Held holds(gil);
        try {
            task(runtime);
        } catch (...) {
            first.keep(std::current_exception());
        }
    }
    trace::ev::ThreadExit{}.emit();
}

}  // namespace

void run_on_app_threads(Gil& gil, std::span<const Task> tasks) {
    FirstError first;
    std::vector<std::thread> threads;
    threads.reserve(tasks.size());
    {
        // The view waits on its futures with the GIL released, so the new
        // threads can run "Python" from their first instruction.
        Gil::Released released(gil);
        for (const Task& task : tasks) {
            try {
                threads.emplace_back(app_thread_main, std::ref(gil), std::cref(task), std::ref(first));
            } catch (const std::system_error& e) {
                // "RuntimeError: can't start new thread": the view raises
                // once the threads already started are done.
                first.keep(std::make_exception_ptr(AppError(std::string("can't start new thread: ") + e.what())));
                break;
            }
        }
        for (std::thread& t : threads) t.join();
    }
    if (first.error) std::rethrow_exception(first.error);
}

}  // namespace minicorn::wsgi
