// engine/loop/select_poller.h — the select(2) backend of Poller (Python's
// selectors.SelectSelector; redis's ae_select.c): two fd_sets kept as the
// master copy, copied before each select(), then every registered fd tested.
// Readability maps to kReadable, writability to kWritable; select() has no
// separate error/hang-up report (those show as readable).
//
// Thread affinity: one thread (the loop's). Does not own the fds. An fd at or
// above FD_SETSIZE (1024) cannot be registered: add() fails loudly.
#pragma once

#include <sys/select.h>

#include <map>

#include "engine/loop/poller.h"

namespace minicorn::loop {

class SelectPoller final : public Poller {
public:
    SelectPoller();
    std::string_view name() const override { return "select"; }

protected:
    void do_add(int fd, std::uint32_t events, std::uint64_t tag) override;
    void do_modify(int fd, std::uint32_t events, std::uint64_t tag) override;
    bool do_remove(int fd) override;
    WaitStatus do_wait(int timeout_ms, std::vector<Ready>& out) override;

private:
    struct Entry {
        std::uint32_t events;
        std::uint64_t tag;
    };
    void set_bits(int fd, std::uint32_t events);

    fd_set read_set_;
    fd_set write_set_;
    std::map<int, Entry> fds_;  // ordered: the highest fd is the last key
};

}  // namespace minicorn::loop
