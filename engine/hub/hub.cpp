// engine/hub/hub.cpp — the greenlet hub (see hub.h for the loop's phases).
//
// Index:
//   [SECTION] Waiter: how a greenlet parks
//   [SECTION] Install, spawn, the running greenlet
//   [SECTION] Parking: wait_fd, sleep, yield, run
//   [SECTION] The poll list (epoll registration)
//   [SECTION] The scheduling algorithm (Boost.Fiber calls these)
//   (AddressSanitizer's stack-switch annotations: hub_asan.cpp)
//   [SECTION] Polling, signals, the main fiber, thread exit
#include "engine/hub/hub.h"

#include <sys/mman.h>

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <boost/context/detail/exception.hpp>
#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/fiber.hpp>
#include <boost/fiber/operations.hpp>
#include <boost/fiber/protected_fixedsize_stack.hpp>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <memory>
#include <string>
#include <typeinfo>

#include "engine/hub/hub_asan.h"
#include "engine/trace/emit.h"

namespace minicorn::hub {

namespace {

using boost::fibers::context;
using trace::EventKind;

constexpr std::uint64_t kEventFdTag = ~0ULL;  // epoll data of the hub's own eventfd

thread_local Hub* t_hub = nullptr;

[[noreturn]] __attribute__((format(printf, 1, 2))) void die(const char* fmt, ...) {
    std::fputs("minicorn hub: ", stderr);
    va_list args;
    va_start(args, fmt);
    std::vfprintf(stderr, fmt, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::abort();
}

bool on_dispatcher() { return context::active()->is_context(boost::fibers::type::dispatcher_context); }
bool on_main() { return context::active()->is_context(boost::fibers::type::main_context); }

const char* direction(std::uint32_t events) { return events == EPOLLIN ? "reading" : "writing"; }

std::string type_name(const std::type_info& type) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                     &std::free);
    return status == 0 && name ? name.get() : type.name();
}

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
// [SECTION] Waiter: how a greenlet parks
// ============================================================================
//
// A parked greenlet waits on its own Waiter, which lives on its stack. The
// hub wakes it through the condition variable (fd ready, main interrupted);
// Boost's sleep queue wakes it when its deadline passes. Either way Boost
// calls awakened(), which settles the waiter — out of the poll list and the
// parked list, GreenWake traced — before the greenlet runs again.

namespace detail {

struct NoLock {  // one thread: the condition variable needs no outer lock
    void lock() noexcept {}
    void unlock() noexcept {}
};

struct Waiter {
    enum class Kind { Io, Timer, Join };  // Join: the main fiber in run(), not traced
    // What woke it: set by whoever wakes it first; Deadline if nobody did
    // (Boost's sleep queue, or the thread exiting).
    enum class Why { Deadline, Ready, Cancelled, Killed, Interrupted };

    Kind kind = Kind::Timer;
    int fd = -1;
    std::uint32_t events = 0;  // EPOLLIN or EPOLLOUT for Io
    bool has_deadline = false;
    Clock::time_point deadline{};
    std::int64_t timer_id = 0;  // its TimerAdd id with the loop trace on, 0: none
    Why why = Why::Deadline;
    GreenProps* green = nullptr;
    Waiter* prev = nullptr;  // the hub's list of parked waiters
    Waiter* next = nullptr;
    boost::fibers::condition_variable_any cv;

    // Only while parked (green->waiter == this): afterwards the greenlet is already ready.
    void wake(Why reason) {
        why = reason;
        cv.notify_one();  // → awakened() → settle()
    }
    // GreenWake's a1.
    std::int64_t why_code() const { return why == Why::Ready ? 0 : why == Why::Deadline ? 1 : 2; }
};

}  // namespace detail

using detail::GreenProps;
using detail::Waiter;

// ============================================================================
// [SECTION] Install, spawn, the running greenlet
// ============================================================================

Hub::Hub(std::size_t stack_size) : stack_size_(stack_size), owner_(std::this_thread::get_id()) {
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
    emit_event(EventKind::GreenSpawn, conn, parent, 0, id);
    if (loop_trace_) {  // awakened() put it in the ready queue before it had an id
        emit_event(EventKind::CallbackQueued, conn, static_cast<std::int64_t>(ready_greenlets_),
                   static_cast<std::int64_t>(task_kind(props)), id);
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
    emit_event(EventKind::GreenExit, me.conn, how, 0, id);
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

void Hub::emit_event(EventKind kind, std::uint64_t conn, std::int64_t a0, std::int64_t a1,
                     GreenId green) const noexcept {
    // While the thread exits, the trace's per-thread ring may already be released.
    if (shutting_down_) return;
    trace::emit(kind, conn, 0, a0, a1, green);
}

void Hub::emit_phase(trace::LoopPhaseId phase, std::size_t items) const noexcept {
    if (!loop_trace_) return;
    emit_event(EventKind::LoopPhase, 0, static_cast<std::int64_t>(phase), static_cast<std::int64_t>(items), 0);
}

void Hub::emit_timers_phase() const noexcept {
    if (!loop_trace_ || !trace::enabled()) return;  // counting walks the parked list: only when it is shown
    const Clock::time_point now = Clock::now();
    std::size_t due = 0;
    for (const Waiter* w = parked_head_; w != nullptr; w = w->next) due += w->has_deadline && w->deadline <= now;
    emit_phase(trace::LoopPhaseId::Timers, due);
}

// ============================================================================
// [SECTION] Parking: wait_fd, sleep, yield, run
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

void Hub::park(Waiter& w, std::optional<Clock::time_point> deadline) {
    GreenProps& me = running_props();
    w.green = &me;
    w.has_deadline = deadline.has_value();
    if (deadline) w.deadline = *deadline;
    if (w.kind == Waiter::Kind::Io) watch(w);
    w.next = parked_head_;
    if (parked_head_ != nullptr) parked_head_->prev = &w;
    parked_head_ = &w;
    ++parked_;
    if (w.has_deadline) ++timers_;
    if (w.kind != Waiter::Kind::Join)
        emit_event(EventKind::GreenPark, me.conn, w.kind == Waiter::Kind::Io ? w.fd : -1, w.events, me.id);
    if (loop_trace_ && w.has_deadline && w.kind != Waiter::Kind::Join && trace::enabled()) {
        // The deadline in engine time, as the loop's timers are shown.
        const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(w.deadline - Clock::now()).count();
        w.timer_id = ++next_timer_id_;
        emit_event(EventKind::TimerAdd, me.conn, w.timer_id, (trace::engine_now_ns() + left) / 1'000'000, me.id);
    }
    me.waiter = &w;
    detail::NoLock lock;
    if (deadline) {
        w.cv.wait_until(lock, *deadline);
    } else {
        w.cv.wait(lock);
    }
    // awakened() has settled w.
}

// Called from awakened(): `w`'s greenlet has just become ready.
void Hub::settle(Waiter& w) noexcept {
    if (w.prev != nullptr) w.prev->next = w.next; else parked_head_ = w.next;
    if (w.next != nullptr) w.next->prev = w.prev;
    w.prev = w.next = nullptr;
    --parked_;
    if (w.has_deadline) --timers_;
    if (w.kind == Waiter::Kind::Io) unwatch(w);
    if (w.timer_id != 0) {
        emit_event(w.why == Waiter::Why::Deadline ? EventKind::TimerFire : EventKind::TimerCancel, w.green->conn,
                   w.timer_id, 0, w.green->id);
    }
    if (w.kind != Waiter::Kind::Join)
        emit_event(EventKind::GreenWake, w.green->conn, w.kind == Waiter::Kind::Io ? w.fd : -1, w.why_code(),
                   w.green->id);
    w.green->waiter = nullptr;
}

// ============================================================================
// [SECTION] The poll list (epoll registration)
// ============================================================================
//
// An fd is in the epoll set exactly while a greenlet waits on it, with the
// union of its waiters' directions — as a libev io watcher is started by
// gevent's wait and stopped when it returns. Level-triggered.

void Hub::watch(Waiter& w) {
    const auto index = static_cast<std::size_t>(w.fd);
    if (index >= watches_.size()) watches_.resize(std::max(index + 1, watches_.size() * 2));
    FdWatch& fw = watches_[index];
    Waiter*& slot = w.events == EPOLLIN ? fw.reader : fw.writer;
    if (slot != nullptr)
        die("greenlet %u waits on fd %d for %s while greenlet %u already does (gevent: ConcurrentObjectUseError) — "
            "two greenlets share one socket",
            w.green->id, w.fd, direction(w.events), slot->green->id);
    slot = &w;
    update_epoll(w.fd, fw, w.green->id, w.green->conn);
}

void Hub::unwatch(Waiter& w) noexcept {
    FdWatch& fw = watches_[static_cast<std::size_t>(w.fd)];
    (w.events == EPOLLIN ? fw.reader : fw.writer) = nullptr;
    update_epoll(w.fd, fw, w.green->id, w.green->conn);
}

void Hub::update_epoll(int fd, FdWatch& fw, GreenId green, std::uint64_t conn) noexcept {
    const std::uint32_t want = (fw.reader != nullptr ? EPOLLIN : 0u) | (fw.writer != nullptr ? EPOLLOUT : 0u);
    if (want == fw.registered) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = static_cast<std::uint64_t>(fd);
    if (fw.registered == 0) {
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 &&
            (errno != EEXIST || ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0))
            die("epoll_ctl(ADD, fd %d): %s — waiting on an fd that is not open, or cannot be polled (a regular file)",
                fd, std::strerror(errno));
        ++registered_fds_;
        emit_event(EventKind::PollRegister, conn, fd, want, green);
    } else if (want == 0) {
        // ENOENT/EBADF: the fd was closed while registered, and epoll dropped it already.
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        --registered_fds_;
        emit_event(EventKind::PollUnregister, conn, fd, 0, green);
    } else {
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0 &&
            (errno != ENOENT || ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0))
            die("epoll_ctl(MOD, fd %d): %s", fd, std::strerror(errno));
        emit_event(EventKind::PollRegister, conn, fd, want, green);
    }
    fw.registered = want;
}

std::vector<PollEntry> Hub::poll_list() const {
    std::vector<PollEntry> out;
    for (std::size_t fd = 0; fd < watches_.size(); ++fd) {
        const FdWatch& fw = watches_[fd];
        for (const Waiter* w : {fw.reader, fw.writer}) {
            if (w != nullptr) out.push_back({static_cast<int>(fd), w->events, w->green->id, w->green->conn});
        }
    }
    return out;
}

// ============================================================================
// [SECTION] The scheduling algorithm (Boost.Fiber calls these)
// ============================================================================

void Hub::awakened(context* ctx, GreenProps& props) noexcept {
    ctx->ready_link(ready_);
    if (props.waiter != nullptr) settle(*props.waiter);
    if (ctx->is_context(boost::fibers::type::dispatcher_context)) return;
    ++ready_greenlets_;
    // A fiber being spawned has no id yet: spawn() traces it once it has one.
    const bool spawning = props.id == 0 && !ctx->is_context(boost::fibers::type::main_context);
    if (loop_trace_ && !spawning) {
        emit_event(EventKind::CallbackQueued, props.conn, static_cast<std::int64_t>(ready_greenlets_),
                   static_cast<std::int64_t>(task_kind(props)), props.id);
    }
}

context* Hub::pick_next() noexcept {
    asan_finish_switch();
    if (on_dispatcher()) {  // the hub's turn (phase 3)
        if (!polled_this_turn_ && registered_fds_ > 0 && !ready_.empty()) poll(0);
        polled_this_turn_ = false;
        if (signal_pending_ != 0) run_on_signal();
    }
    if (ready_.empty()) return nullptr;
    context* next = &ready_.front();
    ready_.pop_front();
    if (next->is_context(boost::fibers::type::dispatcher_context)) {
        // A round of ready greenlets ends: the dispatcher's turn starts with
        // Boost's sleep queue (expired deadlines), then comes back here.
        emit_timers_phase();
    } else {
        if (on_dispatcher()) emit_phase(trace::LoopPhaseId::Callbacks, ready_greenlets_);
        --ready_greenlets_;
        const GreenProps& p = properties(next);
        if (loop_trace_) {
            emit_event(EventKind::CallbackRun, p.conn, static_cast<std::int64_t>(ready_greenlets_),
                       static_cast<std::int64_t>(task_kind(p)), p.id);
        }
        if (p.id != running_) {
            emit_event(EventKind::GreenSwitch, p.conn, running_, 0, p.id);
            running_ = p.id;
        }
    }
    asan_start_switch(next);
    return next;
}

bool Hub::has_ready_fibers() const noexcept { return !ready_.empty(); }

void Hub::suspend_until(const Clock::time_point& abs_time) noexcept {
    int timeout_ms = -1;
    if (abs_time != Clock::time_point::max()) {
        const auto now = Clock::now();
        // Rounded up: waking early would only spin until the deadline.
        const auto ms = abs_time <= now ? 0 : std::chrono::ceil<std::chrono::milliseconds>(abs_time - now).count();
        timeout_ms = static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
    } else if (shutting_down_ && registered_fds_ == 0) {
        die("the thread is exiting while %zu greenlet(s) are blocked on something other than the hub (a fiber "
            "mutex or condition variable): they can never finish. Drain the hub (Hub::run) before the thread "
            "exits, or leave the process with _exit()",
            live_);
    }
    poll(timeout_ms);
    polled_this_turn_ = true;
    emit_timers_phase();  // the dispatcher goes round to its sleep queue next
}

void Hub::notify() noexcept {
    if (std::this_thread::get_id() == owner_) {
        // Boost.Fiber calls notify() on the scheduler's own thread only from
        // its destructor: the thread is exiting and every fiber must finish.
        shutting_down_ = true;
        kill_all_parked();
        return;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);  // EAGAIN: already signalled
}

// ============================================================================
// [SECTION] Polling, signals, the main fiber, thread exit
// ============================================================================

void Hub::poll(int timeout_ms) noexcept {
    emit_phase(trace::LoopPhaseId::Poll, registered_fds_);
    emit_event(EventKind::PollWait, 0, timeout_ms, static_cast<std::int64_t>(registered_fds_), 0);
    const int n = ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    if (n < 0) {
        if (errno != EINTR) die("epoll_wait: %s", std::strerror(errno));
        emit_event(EventKind::PollWake, 0, 0, 1, 0);
        emit_phase(trace::LoopPhaseId::Dispatch, 0);
        run_on_signal();
        return;
    }
    const auto count = static_cast<std::size_t>(n);
    const auto ready = std::count_if(events_.begin(), events_.begin() + n,
                                     [](const epoll_event& e) { return e.data.u64 != kEventFdTag; });
    emit_event(EventKind::PollWake, 0, ready, 0, 0);
    emit_phase(trace::LoopPhaseId::Dispatch, static_cast<std::size_t>(ready));
    for (std::size_t i = 0; i < count; ++i) {
        if (events_[i].data.u64 == kEventFdTag) {
            std::uint64_t value = 0;
            [[maybe_unused]] ssize_t r = ::read(event_fd_, &value, sizeof value);
        } else {
            wake_fd(static_cast<int>(events_[i].data.u64), events_[i].events);
        }
    }
    if (signal_pending_ != 0) run_on_signal();
}

void Hub::wake_fd(int fd, std::uint32_t revents) noexcept {
    FdWatch& fw = watches_[static_cast<std::size_t>(fd)];
    // Errors and hang-ups wake both directions: the retried call reports them.
    const bool failed = (revents & (EPOLLERR | EPOLLHUP)) != 0;
    Waiter* reader = (revents & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) != 0 || failed ? fw.reader : nullptr;
    Waiter* writer = (revents & EPOLLOUT) != 0 || failed ? fw.writer : nullptr;
    for (Waiter* w : {reader, writer}) {  // copies: wake() takes each out of fw
        if (w != nullptr) w->wake(Waiter::Why::Ready);
    }
}

void Hub::set_on_signal(std::function<void()> fn) {
    check_thread("set_on_signal");
    on_signal_ = std::move(fn);
}

void Hub::notify_signal() noexcept {
    signal_pending_ = 1;
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
}

void Hub::run_on_signal() noexcept {
    signal_pending_ = 0;
    if (!on_signal_) return;
    try {
        on_signal_();
    } catch (const HubExit&) {
        raise_on_main(std::current_exception());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minicorn hub: on_signal raised %s: %s\n", type_name(typeid(e)).c_str(), e.what());
    } catch (...) {
        std::fprintf(stderr, "minicorn hub: on_signal raised an exception that is not a std::exception\n");
    }
}

void Hub::raise_on_main(std::exception_ptr e) noexcept {
    if (!pending_exit_) pending_exit_ = std::move(e);
    wake_main(true);
}

void Hub::rethrow_on_main() {
    if (pending_exit_ && on_main()) std::rethrow_exception(std::exchange(pending_exit_, nullptr));
}

// Wakes the main fiber if it is parked: in run() always (interrupt or not),
// in any other hub call only to interrupt it (a HubExit to re-throw).
void Hub::wake_main(bool interrupt) noexcept {
    if (main_props_ == nullptr || main_props_->waiter == nullptr) return;
    Waiter* w = main_props_->waiter;
    if (!interrupt && w->kind != Waiter::Kind::Join) return;
    w->wake(Waiter::Why::Interrupted);
}

// The thread is exiting: every parked greenlet wakes to GreenletExit
// (check_killed() throws it for every greenlet from now on).
void Hub::kill_all_parked() noexcept {
    while (parked_head_ != nullptr) {
        Waiter* w = parked_head_;
        w->wake(Waiter::Why::Killed);  // awakened() → settle(): w leaves the list
        if (parked_head_ == w) die("a parked greenlet did not wake at thread exit (hub bug)");
    }
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
