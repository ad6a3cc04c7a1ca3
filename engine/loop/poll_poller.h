// engine/loop/poll_poller.h — the poll(2) backend of Poller (Python's
// selectors.PollSelector): a pollfd array rebuilt only when registrations
// change, scanned whole after every wait.
//
// Thread affinity: one thread (the loop's). Does not own the fds.
#pragma once

#include <poll.h>

#include <unordered_map>
#include <vector>

#include "engine/loop/poller.h"

namespace minicorn::loop {

class PollPoller final : public Poller {
public:
    std::string_view name() const override { return "poll"; }

protected:
    void do_add(int fd, std::uint32_t events, std::uint64_t tag) override;
    void do_modify(int fd, std::uint32_t events, std::uint64_t tag) override;
    bool do_remove(int fd) override;
    WaitStatus do_wait(int timeout_ms, std::vector<Ready>& out) override;

private:
    std::vector<pollfd> fds_;
    std::vector<std::uint64_t> tags_;               // parallel to fds_
    std::unordered_map<int, std::size_t> index_;    // fd → position in fds_
};

}  // namespace minicorn::loop
