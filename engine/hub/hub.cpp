// engine/hub/hub.cpp — the greenlet hub (see hub.h for the loop's phases):
// install, spawn, the running greenlet and the calls that park it.
//
// Index:
//   [SECTION] Helpers: errors, greenlet stacks
//   [SECTION] Install, spawn, the running greenlet
//   [SECTION] Parking calls: wait_fd, wait_queue, sleep, yield, run, kill
// Elsewhere: how a greenlet parks, its timers and the Boost.Fiber algorithm
// (hub_schedule.cpp); the poll list, epoll, signals, the main fiber
// (hub_poll.cpp); AddressSanitizer's stack-switch annotations (hub_asan.cpp).
#include "engine/hub/hub.h"

#include <sys/mman.h>

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/context/detail/exception.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/protected_fixedsize_stack.hpp>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <memory>
#include <string>
#include <typeinfo>

#include "engine/hub/hub_asan.h"
#include "engine/hub/hub_internal.h"
#include "engine/trace/ev.h"

namespace minicorn::hub {

using boost::fibers::context;
using detail::die;
using detail::GreenProps;
using detail::kEventFdTag;
using detail::on_dispatcher;
using detail::type_name;
using detail::on_main;
using detail::Waiter;
using trace::EventKind;

// ============================================================================
// [SECTION] Helpers: errors, greenlet stacks
// ============================================================================

void detail::die(const char* fmt, ...) {
    std::fputs("minicorn hub: ", stderr);
    va_list args;
    va_start(args, fmt);
    std::vfprintf(stderr, fmt, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::abort();
}

std::string detail::type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                     &std::free);
    return status == 0 && name ? name.get() : type.name();
}

namespace {

thread_local Hub* t_hub = nullptr;

// The stack GreenStack::allocate() made last on this thread (spawn reads it).
thread_local boost::context::stack_context t_last_stack{};

// A greenlet's stack: mmap'd, a guard page below it (an overflow faults
// instead of corrupting the heap), only touched pages resident.
//
// Under ASan a stack's memory may carry stale poison from an earlier
// greenlet's frames (one that ended in an exception thrown before the hub's
// switch annotations knew its stack): clear it on both ends.
class GreenStack {
public:
    explicit GreenStack(std::size_t size) : inner_(size) {}

    boost::context::stack_context allocate() {
        boost::context::stack_context sctx = inner_.allocate();
        unpoison(sctx);
        t_last_stack = sctx;
        return sctx;
    }
    void deallocate(boost::context::stack_context& sctx) noexcept {
        unpoison(sctx);
        inner_.deallocate(sctx);
    }

private:
    static void unpoison([[maybe_unused]] const boost::context::stack_context& sctx) {
#if defined(MINICORN_HUB_ASAN)
        __asan_unpoison_memory_region(static_cast<char*>(sctx.sp) - sctx.size, sctx.size);
#endif
    }

    boost::fibers::protected_fixedsize_stack inner_;
};

}  // namespace

// ============================================================================
// [SECTION] Install, spawn, the running greenlet
// ============================================================================

Hub::Hub(std::size_t stack_size)
    : stack_size_(stack_size), owner_(std::this_thread::get_id()), timer_list_(std::make_unique<detail::TimerList>()) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) die("epoll_create1: %s", std::strerror(errno));
    event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0) die("eventfd: %s", std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kEventFdTag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev) != 0) die("epoll_ctl(eventfd): %s", std::strerror(errno));
}

Hub::~Hub() {
    asan_restore_main();  // the thread's last switch, dispatcher → main, bypassed pick_next()
    ::close(event_fd_);
    ::close(epoll_fd_);
    if (t_hub == this) t_hub = nullptr;
    trace::set_running_green(0);
}

Hub& Hub::install(std::size_t stack_size) {
#if defined(MINICORN_HUB_ASAN)
    stack_size *= 4;  // ASan's redzones and fake frames
#endif
    if (t_hub != nullptr) {
        if (t_hub->stack_size_ != stack_size)
            die("Hub::install(%zu): this thread's hub was installed with stack size %zu", stack_size,
                t_hub->stack_size_);
        return *t_hub;
    }
    if (!on_main()) die("Hub::install() must be called on the thread's main fiber, not in a fiber");
    auto* hub = new Hub(stack_size);
    pthread_attr_t attr;
    if (::pthread_getattr_np(::pthread_self(), &attr) == 0) {  // the main fiber's stack, for ASan
        void* bottom = nullptr;
        ::pthread_attr_getstack(&attr, &bottom, &hub->asan_.main_size);
        hub->asan_.main_bottom = bottom;
        ::pthread_attr_destroy(&attr);
    }
    // Boost takes ownership (an intrusive pointer); the hub lives until the thread exits.
    context::active()->get_scheduler()->set_algo(boost::fibers::algo::algorithm::ptr_t(hub));
    t_hub = hub;
    // The main fiber passes through awakened(), which gives it its GreenProps (id 0).
    boost::this_fiber::yield();
    hub->main_props_ = static_cast<GreenProps*>(context::active()->get_properties());
    return *hub;
}

Hub* Hub::find() { return t_hub; }

Hub& Hub::current() {
    if (t_hub == nullptr) die("Hub::current(): no hub on this thread — call Hub::install() first");
    return *t_hub;
}

GreenId Hub::spawn(std::function<void()> fn, std::uint64_t conn) {
    check_thread("spawn");
    const GreenId id = next_id_++;
    const GreenId parent = current_green();
    // launch::post: the new fiber goes to the back of the ready queue (awakened()); it does not run yet.
    boost::fibers::fiber f(std::allocator_arg, GreenStack(stack_size_),
                           [this, id, fn = std::move(fn)]() mutable { run_greenlet(id, fn); });
    GreenProps& props = f.properties<GreenProps>();
    props.id = id;
    props.conn = conn;
    props.stack_bottom = static_cast<char*>(t_last_stack.sp) - t_last_stack.size;
    props.stack_size = t_last_stack.size;
    greens_.emplace(id, &props);
    ++live_;
    emit_event(trace::ev::GreenSpawn{.conn = conn, .green = id, .parent = parent});
    if (loop_trace_) {  // awakened() put it in the ready queue before it had an id
        emit_event(trace::ev::CallbackQueued{.conn = conn, .green = id, .ready = ready_greenlets_,
                                             .callback = static_cast<std::int64_t>(task_kind(props))});
    }
    f.detach();
    return id;
}

void Hub::run_greenlet(GreenId id, std::function<void()>& fn) {
    std::int64_t how = 0;  // GreenExit's a0: 0 returned, 1 raised, 2 killed
    {
        // The stack's top is page-aligned and Boost keeps the fiber's context
        // just under it, so rounding this frame up to a page finds the top (or
        // one page under it; trim_stack() keeps a page of margin for that).
        const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
        auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
        running_props().stack_top = (here + page - 1) & ~(page - 1);
    }
    try {
        check_killed();  // killed before it ever ran
        fn();
    } catch (const boost::context::detail::forced_unwind&) {
        throw;  // Boost.Context unwinding a fiber's stack: never swallow it
    } catch (const GreenletExit&) {
        how = 2;
    } catch (const HubExit&) {
        how = 1;
        raise_on_main(std::current_exception());
    } catch (const std::exception& e) {
        how = 1;
        std::fprintf(stderr, "minicorn hub: greenlet %u raised %s: %s\n", id, type_name(typeid(e)).c_str(), e.what());
    } catch (...) {
        how = 1;
        std::fprintf(stderr, "minicorn hub: greenlet %u raised an exception that is not a std::exception\n", id);
    }
    // What the function captured (a socket, say) is released while the greenlet still counts as live.
    fn = nullptr;
    GreenProps& me = running_props();
    greens_.erase(id);
    emit_event(trace::ev::GreenExit{.conn = me.conn, .green = id, .how = how});
    if (--live_ == 0) wake_main(false);
    me.exiting = true;
}

GreenProps& Hub::running_props() const {
    auto* props = static_cast<GreenProps*>(context::active()->get_properties());
    if (props == nullptr) die("a fiber without hub properties is running: was Hub::install() called first?");
    return *props;
}

GreenId Hub::current_green() const {
    auto* props = static_cast<GreenProps*>(context::active()->get_properties());
    return props != nullptr ? props->id : 0;
}

void Hub::set_green_conn(std::uint64_t conn) {
    check_thread("set_green_conn");
    running_props().conn = conn;
}

std::uint64_t Hub::current_conn() const {
    auto* props = static_cast<GreenProps*>(context::active()->get_properties());
    return props != nullptr ? props->conn : 0;
}

void Hub::set_task_kind(trace::LoopCallback kind) {
    check_thread("set_task_kind");
    running_props().task_kind = kind;
}

trace::LoopCallback Hub::task_kind(const GreenProps& props) noexcept {
    if (props.task_kind != trace::LoopCallback::Other) return props.task_kind;
    if (props.id == 0) return trace::LoopCallback::Watchdog;  // the main fiber (spawned ones have ids)
    return props.conn != 0 ? trace::LoopCallback::Request : trace::LoopCallback::Other;
}

void Hub::check_thread(const char* what) const {
    if (std::this_thread::get_id() != owner_)
        die("Hub::%s called from another thread: a hub belongs to the thread that installed it", what);
}

void Hub::check_can_park(const char* what) const {
    check_thread(what);
    if (on_dispatcher())
        die("Hub::%s called on the hub itself (from an on_signal callback?): the hub cannot park — spawn a "
            "greenlet to do it",
            what);
}

void Hub::emit_phase(trace::LoopPhaseId phase, std::size_t items) const noexcept {
    if (!loop_trace_) return;
    emit_event(trace::ev::LoopPhase{.phase = phase, .items = items});
}

// ============================================================================
// [SECTION] Parking calls: wait_fd, wait_queue, sleep, yield, run, kill
// ============================================================================

Wait Hub::wait_fd(int fd, std::uint32_t events, std::optional<Clock::time_point> deadline) {
    check_can_park("wait_fd");
    if (fd < 0) die("wait_fd(%d): not a file descriptor", fd);
    if (events != EPOLLIN && events != EPOLLOUT)
        die("wait_fd(fd %d, events %#x): wait for exactly one of EPOLLIN or EPOLLOUT", fd, events);
    rethrow_on_main();
    check_killed();
    Waiter w;
    w.kind = Waiter::Kind::Io;
    w.fd = fd;
    w.events = events;
    park(w, deadline);
    rethrow_on_main();
    check_killed();
    switch (w.why) {
        case Waiter::Why::Ready: return Wait::Ready;
        case Waiter::Why::Cancelled: return Wait::Cancelled;
        default: return Wait::TimedOut;
    }
}

std::size_t Hub::cancel_wait(int fd) {
    check_thread("cancel_wait");
    if (fd < 0 || static_cast<std::size_t>(fd) >= watches_.size()) return 0;
    FdWatch& fw = watches_[static_cast<std::size_t>(fd)];
    std::size_t woken = 0;
    for (Waiter* w : {fw.reader, fw.writer}) {  // copies: wake() takes each out of fw
        if (w == nullptr) continue;
        w->wake(Waiter::Why::Cancelled);
        ++woken;
    }
    return woken;
}

Wait Hub::wait_queue(WaitQueue& q, std::optional<Clock::time_point> deadline) {
    check_can_park("wait_queue");
    rethrow_on_main();
    check_killed();
    Waiter w;
    w.kind = Waiter::Kind::Queue;
    w.queue = &q;
    w.queue_prev = q.tail_;
    (q.tail_ != nullptr ? q.tail_->queue_next : q.head_) = &w;
    q.tail_ = &w;
    park(w, deadline);
    rethrow_on_main();
    check_killed();
    return w.why == Waiter::Why::Ready ? Wait::Ready : w.why == Waiter::Why::Deadline ? Wait::TimedOut : Wait::Cancelled;
}

bool Hub::wake_one(WaitQueue& q) {
    check_thread("wake_one");
    if (q.head_ == nullptr) return false;
    q.head_->wake(Waiter::Why::Ready);  // awakened() → settle() takes it out of q
    return true;
}

// Greenlets still parked in it (a worker leaving without stopping its
// acceptors) stay parked until killed or the thread exits; they no longer
// belong to a queue.
WaitQueue::~WaitQueue() {
    for (Waiter* w = head_; w != nullptr; w = w->queue_next) w->queue = nullptr;
}

bool Hub::kill(GreenId id) {
    check_thread("kill");
    if (id == 0) die("Hub::kill(0): the main fiber cannot be killed");
    auto it = greens_.find(id);
    if (it == greens_.end()) return false;
    GreenProps& target = *it->second;
    target.kill_requested = true;
    if (&target == context::active()->get_properties()) check_killed();  // killing oneself: now
    if (target.waiter != nullptr) target.waiter->wake(Waiter::Why::Killed);
    return true;
}

void Hub::check_killed() {
    auto* me = static_cast<GreenProps*>(context::active()->get_properties());
    if (me == nullptr || me->id == 0) return;  // the main fiber and the hub are never killed
    if (!me->kill_requested && !shutting_down_) return;  // at thread exit, every greenlet is
    me->kill_requested = false;
    throw GreenletExit{};
}

void Hub::sleep(std::chrono::nanoseconds d) {
    if (d <= std::chrono::nanoseconds::zero()) {
        yield();
        return;
    }
    check_can_park("sleep");
    rethrow_on_main();
    check_killed();
    Waiter w;
    w.kind = Waiter::Kind::Timer;
    park(w, Clock::now() + std::chrono::duration_cast<Clock::duration>(d));
    rethrow_on_main();
    check_killed();
}

void Hub::yield() {
    check_can_park("yield");
    rethrow_on_main();
    check_killed();
    boost::this_fiber::yield();
    rethrow_on_main();
    check_killed();
}

void Hub::run() {
    check_thread("run");
    if (!on_main()) die("Hub::run() called in greenlet %u: only the main fiber runs the hub (it would wait for itself)",
                        current_green());
    rethrow_on_main();
    while (live_ > 0 && !stop_requested_ && !pending_exit_) {
        Waiter w;
        w.kind = Waiter::Kind::Join;
        park(w, std::nullopt);
    }
    stop_requested_ = false;
    rethrow_on_main();
}

void Hub::stop() {
    check_thread("stop");
    stop_requested_ = true;
    wake_main(false);
}

void Hub::trim_stack() noexcept {
    if (!boost::fibers::context::active() || boost::fibers::context::active()->is_context(boost::fibers::type::main_context)) {
        return;
    }
    GreenProps& me = running_props();
    if (me.stack_top == 0 || stack_size_ == 0) return;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    // Usable stack: [top - size, top). One page of margin at the bottom (the
    // top estimate may be a page low); everything under the current frame's
    // page goes (this call's own frame is above that line).
    std::uintptr_t bottom = me.stack_top - stack_size_ + page;
    auto here = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)) & ~(page - 1);
    if (here < bottom + page || here > me.stack_top) return;
    std::uintptr_t end = here;
    ::madvise(reinterpret_cast<void*>(bottom), end - bottom, MADV_DONTNEED);
}

}  // namespace minicorn::hub
