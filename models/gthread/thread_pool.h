// models/gthread/thread_pool.h — gunicorn 20.1's ThreadPoolExecutor as gthread
// uses it: a fixed number of threads fed from one UNBOUNDED queue. A
// connection submitted while every thread is busy waits in the queue — it has
// left the kernel's backlog, but no thread serves it yet.
//
// Thread affinity: submit(), shutdown() and the waits from the worker's main
// thread; the pool's own threads run `work` and finish tasks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "models/common/http_session.h"

namespace minicorn::models {

class ThreadPool {
public:
    using Task = std::shared_ptr<ServerConn>;
    using Work = std::function<void(Task)>;

    // Starts `threads` threads running `work` on each task.
    ThreadPool(int threads, Work work);
    // Never joins: the worker process _exits with its threads still running,
    // as Python's interpreter does not wait for them either after a hard exit.
    ~ThreadPool();

    // Queues a task; returns the queue length after it.
    std::size_t submit(Task task);
    // No more tasks are taken; queued ones still run (shutdown(wait=False)).
    void shutdown();

    // Tasks submitted and not finished (gunicorn's `futures`).
    std::size_t outstanding() const;
    // Blocks until one more task finishes or `timeout` passes
    // (futures.wait(..., FIRST_COMPLETED)). True if one finished.
    bool wait_one(std::chrono::milliseconds timeout);
    // Blocks until nothing is outstanding or `timeout` of engine time
    // (trace::engine_now_ns) passes: while the trace's gate is closed the
    // timeout stands still, as every engine timeout does (graceful stop).
    bool wait_all(std::chrono::milliseconds timeout);

    std::size_t queued() const;

private:
    void thread_main();

    Work work_;
    mutable std::mutex mu_;
    std::condition_variable has_task_;
    std::condition_variable finished_;
    std::deque<Task> queue_;
    std::size_t outstanding_ = 0;
    std::uint64_t finished_count_ = 0;
    bool shutdown_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace minicorn::models
