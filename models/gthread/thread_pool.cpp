#include "models/gthread/thread_pool.h"

#include <signal.h>

#include <algorithm>

#include "engine/trace/ev.h"

namespace minicorn::models {

ThreadPool::ThreadPool(int threads, Work work) : work_(std::move(work)) {
    // Signals go to the main thread only, where the worker's handlers run
    // (CPython runs Python-level handlers on the main thread).
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { thread_main(); });
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

ThreadPool::~ThreadPool() {
    for (std::thread& t : threads_) t.detach();
}

std::size_t ThreadPool::submit(Task task) {
    std::size_t len;
    {
        std::lock_guard lock(mu_);
        queue_.push_back(std::move(task));
        ++outstanding_;
        len = queue_.size();
    }
    has_task_.notify_one();
    return len;
}

void ThreadPool::shutdown() {
    {
        std::lock_guard lock(mu_);
        shutdown_ = true;
    }
    has_task_.notify_all();
}

std::size_t ThreadPool::outstanding() const {
    std::lock_guard lock(mu_);
    return outstanding_;
}

std::size_t ThreadPool::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

bool ThreadPool::wait_one(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    std::uint64_t seen = finished_count_;
    return finished_.wait_for(lock, timeout, [&] { return finished_count_ != seen; });
}

bool ThreadPool::wait_all(std::chrono::milliseconds timeout) {
    // The condition variable waits in wall time, so wake now and then to read
    // the engine clock again (a gate that opens ends the wait ≤ 50 ms late).
    constexpr std::int64_t kRecheckNs = 50'000'000;
    const std::int64_t deadline = trace::engine_now_ns() + std::chrono::nanoseconds(timeout).count();
    std::unique_lock lock(mu_);
    while (outstanding_ != 0) {
        const std::int64_t left = deadline - trace::engine_now_ns();
        if (left <= 0) return false;
        finished_.wait_for(lock, std::chrono::nanoseconds(std::min(left, kRecheckNs)));
    }
    return true;
}

void ThreadPool::thread_main() {
    trace::ev::ThreadStart{.role = trace::ThreadRole::Pool}.emit();
    while (true) {
        Task task;
        {
            std::unique_lock lock(mu_);
            has_task_.wait(lock, [&] { return !queue_.empty() || shutdown_; });
            if (queue_.empty()) break;  // shut down and drained
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        work_(std::move(task));
        {
            std::lock_guard lock(mu_);
            --outstanding_;
            ++finished_count_;
        }
        finished_.notify_all();
    }
    trace::ev::ThreadExit{}.emit();
}

}  // namespace minicorn::models
