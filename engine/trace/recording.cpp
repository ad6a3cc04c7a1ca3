#include "engine/trace/recording.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine/trace/ev.h"

namespace minicorn::trace {

void Recording::append(std::span<const Event> sorted) {
    const std::size_t base = store_.size();
    store_.append(sorted);
    // Consecutive events mostly share their pid, thread, connection and
    // request: remember the last index list of each (lists stay put as the
    // maps and tables grow), so most events skip the lookup.
    Index* last_pid = nullptr;
    Index* last_tid = nullptr;
    Index* last_conn = nullptr;
    Index* last_req = nullptr;
    pid_t last_pid_key = 0;
    pid_t last_tid_key = 0;
    std::uint64_t last_conn_key = 0;
    std::uint64_t last_req_key = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const Event& e = sorted[i];
        const auto pos = static_cast<std::uint32_t>(base + i);
        if (e.kind == EventKind::RingDrops) dropped_ += static_cast<std::uint64_t>(ev::RingDrops::decode(e).dropped.v);
        if (!last_pid || e.pid != last_pid_key) {
            auto [it, fresh] = by_pid_.try_emplace(e.pid);
            if (fresh) pid_order_.push_back(e.pid);
            last_pid = &it->second;
            last_pid_key = e.pid;
        }
        last_pid->push_back(pos);
        if (!last_tid || e.tid != last_tid_key) {
            last_tid = &by_thread_[e.tid];
            last_tid_key = e.tid;
        }
        last_tid->push_back(pos);
        if (e.conn) {
            if (!last_conn || e.conn != last_conn_key) {
                last_conn = &by_conn_.at(e.conn);
                if (last_conn->empty()) conn_order_.push_back(e.conn);
                last_conn_key = e.conn;
            }
            last_conn->push_back(pos);
        }
        if (e.req) {
            if (!last_req || e.req != last_req_key) {
                last_req = &by_req_.at(e.req);
                last_req_key = e.req;
            }
            last_req->push_back(pos);
        }
    }
}

std::size_t Recording::lower_bound(std::uint64_t t_ns) const {
    const std::span<const Event> all = store_.events();
    auto it = std::lower_bound(all.begin(), all.end(), t_ns, [](const Event& e, std::uint64_t t) { return e.t_ns < t; });
    return static_cast<std::size_t>(it - all.begin());
}

namespace {
template <typename Map, typename Key>
const Recording::Index* find_index(const Map& map, Key key) {
    auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
}
constexpr const char (&kMagic)[8] = kRecordingMagic;
}  // namespace

const Recording::Index* Recording::by_pid(pid_t pid) const { return find_index(by_pid_, pid); }
const Recording::Index* Recording::by_thread(pid_t tid) const { return find_index(by_thread_, tid); }
const Recording::Index* Recording::by_conn(std::uint64_t conn) const { return by_conn_.find(conn); }
const Recording::Index* Recording::by_req(std::uint64_t req) const { return by_req_.find(req); }
std::vector<pid_t> Recording::pids() const { return pid_order_; }
std::vector<std::uint64_t> Recording::conns() const { return {conn_order_.begin(), conn_order_.end()}; }

bool Recording::save(const std::string& path, std::string* error) const {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        return false;
    }
    std::uint64_t count = size();
    bool ok = std::fwrite(kMagic, 1, sizeof kMagic, f) == sizeof kMagic &&
              std::fwrite(&count, sizeof count, 1, f) == 1 && std::fwrite(&dropped_, sizeof dropped_, 1, f) == 1 &&
              (count == 0 || std::fwrite(store_.data(), sizeof(Event), size(), f) == size());
    ok = (std::fclose(f) == 0) && ok;
    if (!ok && error) *error = "short write to '" + path + "'";
    return ok;
}

}  // namespace minicorn::trace
