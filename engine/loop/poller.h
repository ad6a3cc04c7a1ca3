// engine/loop/poller.h — the poller interface: register fds with a tag, wait
// for readiness (muduo's Poller, redis's ae_*.c). One backend per file:
//   epoll_poller  — epoll(7), O(ready) per wait   (tornado on Linux: EpollSelector)
//   poll_poller   — poll(2), O(registered) per wait
//   select_poller — select(2), O(max fd) per wait; fds must be < FD_SETSIZE
// make_poller(name) picks one by its --poller name.
//
// Events are poll(2)'s bits — kReadable (POLLIN), kWritable (POLLOUT); a wait
// may also report POLLERR / POLLHUP. epoll's EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP
// have the same values, so a tag and its bits mean the same on every backend.
//
// Thread affinity: a Poller belongs to one thread (its loop's) unless the
// backend says otherwise (EpollPoller: add/remove from any thread; the
// traced count of registered fds is atomic for it). It does
// not own the fds registered in it; remove an fd before closing it.
#pragma once

#include <poll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace minicorn::loop {

inline constexpr std::uint32_t kReadable = POLLIN;
inline constexpr std::uint32_t kWritable = POLLOUT;

struct Ready {
    std::uint64_t tag;
    std::uint32_t events;  // kReadable, kWritable, POLLERR, POLLHUP, ...
};

enum class WaitStatus { Ok, Interrupted };

// The interface is non-virtual and traced; each backend implements the
// do_* calls. Every registration change is traced here, whoever makes it:
//   PollRegister   conn, a0 = fd, a1 = its events now (add, and modify: an
//                  fd already registered shows its new events mask)
//   PollUnregister conn, a0 = fd (only if it was registered)
//   PollWait       a0 = timeout ms, a1 = registered fds      (gated)
//   PollWake       a0 = ready fds, a1 = 1 if a signal interrupted the wait
//   PollReady      a0 = fd, a1 = what it is ready for: one per ready fd, after
//                  PollWake, when at most kListedReady are ready and the owner
//                  said how its tags name fds (set_tag_fd); the trace's reader
//                  knows the fd's connection from its PollRegister
// `conn` is the trace id of the connection the fd carries (0: a listener, a pipe).
class Poller {
public:
    virtual ~Poller() = default;
    // Registers `fd` for `events`; `tag` comes back with its readiness. An fd
    // registered twice is a bug.
    void add(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn = 0);
    // Changes the events (and tag) of a registered fd.
    void modify(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn = 0);
    // Unregisters `fd`; an fd not registered is ignored.
    void remove(int fd, std::uint64_t conn = 0);
    // Waits up to `timeout_ms` (-1: for ever, 0: not at all). Fills `out`
    // (cleared first). Interrupted: a signal arrived (EINTR).
    WaitStatus wait(int timeout_ms, std::vector<Ready>& out);
    // Fds registered now.
    std::size_t registered() const { return registered_.load(std::memory_order_relaxed); }
    // "epoll", "poll", "select".
    virtual std::string_view name() const = 0;
    // How the owner's tags name fds, for PollReady (unset: no PollReady). Called
    // only while tracing, on the waiting thread.
    using TagFd = std::function<int(std::uint64_t tag)>;
    void set_tag_fd(TagFd fn) { tag_fd_ = std::move(fn); }
    // A wait lists its ready fds in the trace only when this few are ready:
    // under load PollWake's count says it, at the cost of one event.
    static constexpr std::size_t kListedReady = 8;

protected:
    virtual void do_add(int fd, std::uint32_t events, std::uint64_t tag) = 0;
    virtual void do_modify(int fd, std::uint32_t events, std::uint64_t tag) = 0;
    // False if `fd` was not registered.
    virtual bool do_remove(int fd) = 0;
    virtual WaitStatus do_wait(int timeout_ms, std::vector<Ready>& out) = 0;

private:
    std::atomic<std::size_t> registered_{0};  // atomic: EpollPoller registers from several threads
    TagFd tag_fd_;
};

// The backend called `name` ("epoll", "poll" or "select"); nullptr if unknown.
std::unique_ptr<Poller> make_poller(std::string_view name);

}  // namespace minicorn::loop
