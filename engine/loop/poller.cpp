#include "engine/loop/poller.h"

#include "engine/loop/epoll_poller.h"
#include "engine/loop/poll_poller.h"
#include "engine/loop/select_poller.h"

namespace minicorn::loop {

std::unique_ptr<Poller> make_poller(std::string_view name) {
    if (name == "epoll") return std::make_unique<EpollPoller>();
    if (name == "poll") return std::make_unique<PollPoller>();
    if (name == "select") return std::make_unique<SelectPoller>();
    return nullptr;
}

}  // namespace minicorn::loop
