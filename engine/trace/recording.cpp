#include "engine/trace/recording.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "engine/trace/ev.h"

namespace minicorn::trace {

void Recording::append(std::span<const Event> sorted) {
    if (events_.capacity() < events_.size() + sorted.size()) {
        events_.reserve(std::max(events_.size() + sorted.size(), events_.capacity() * 2));
    }
    // Consecutive events mostly share their pid, thread, connection and
    // request: remember the last index list of each (an unordered_map's
    // elements stay put when it rehashes), so most events skip the hashing.
    Index* last_pid = nullptr;
    Index* last_tid = nullptr;
    Index* last_conn = nullptr;
    Index* last_req = nullptr;
    pid_t last_pid_key = 0;
    pid_t last_tid_key = 0;
    std::uint64_t last_conn_key = 0;
    std::uint64_t last_req_key = 0;
    for (const Event& e : sorted) {
        auto pos = static_cast<std::uint32_t>(events_.size());
        events_.push_back(e);
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
                auto [it, fresh] = by_conn_.try_emplace(e.conn);
                if (fresh) conn_order_.push_back(e.conn);
                last_conn = &it->second;
                last_conn_key = e.conn;
            }
            last_conn->push_back(pos);
        }
        if (e.req) {
            if (!last_req || e.req != last_req_key) {
                last_req = &by_req_[e.req];
                last_req_key = e.req;
            }
            last_req->push_back(pos);
        }
    }
}

std::size_t Recording::lower_bound(std::uint64_t t_ns) const {
    auto it = std::lower_bound(events_.begin(), events_.end(), t_ns,
                               [](const Event& e, std::uint64_t t) { return e.t_ns < t; });
    return static_cast<std::size_t>(it - events_.begin());
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
const Recording::Index* Recording::by_conn(std::uint64_t conn) const { return find_index(by_conn_, conn); }
const Recording::Index* Recording::by_req(std::uint64_t req) const { return find_index(by_req_, req); }
std::vector<pid_t> Recording::pids() const { return pid_order_; }
std::vector<std::uint64_t> Recording::conns() const { return conn_order_; }

bool Recording::save(const std::string& path, std::string* error) const {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        return false;
    }
    std::uint64_t count = events_.size();
    bool ok = std::fwrite(kMagic, 1, sizeof kMagic, f) == sizeof kMagic &&
              std::fwrite(&count, sizeof count, 1, f) == 1 && std::fwrite(&dropped_, sizeof dropped_, 1, f) == 1 &&
              (count == 0 || std::fwrite(events_.data(), sizeof(Event), events_.size(), f) == events_.size());
    ok = (std::fclose(f) == 0) && ok;
    if (!ok && error) *error = "short write to '" + path + "'";
    return ok;
}

std::optional<Recording> Recording::load(const std::string& path, std::string* error) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        if (error) *error = "cannot open '" + path + "': " + std::strerror(errno);
        return std::nullopt;
    }
    char magic[8] = {};
    std::uint64_t count = 0;
    std::uint64_t dropped = 0;
    bool ok = std::fread(magic, 1, sizeof magic, f) == sizeof magic && std::memcmp(magic, kMagic, 8) == 0 &&
              std::fread(&count, sizeof count, 1, f) == 1 && std::fread(&dropped, sizeof dropped, 1, f) == 1;
    if (!ok) {
        std::fclose(f);
        if (error) *error = "'" + path + "' is not a minicorn recording (bad header)";
        return std::nullopt;
    }
    // Check the count against the file's size before trusting it with memory.
    long here = std::ftell(f);
    std::fseek(f, 0, SEEK_END);
    long size = std::ftell(f);
    std::fseek(f, here, SEEK_SET);
    if (here < 0 || size < here || count > static_cast<std::uint64_t>(size - here) / sizeof(Event)) {
        std::fclose(f);
        if (error) *error = "'" + path + "' is truncated or damaged: its header promises " + std::to_string(count) + " events";
        return std::nullopt;
    }
    std::vector<Event> events(count);
    if (count && std::fread(events.data(), sizeof(Event), count, f) != count) {
        std::fclose(f);
        if (error) *error = "'" + path + "' is truncated: expected " + std::to_string(count) + " events";
        return std::nullopt;
    }
    std::fclose(f);
    for (std::size_t i = 1; i < events.size(); ++i) {
        if (events[i].t_ns < events[i - 1].t_ns) {
            if (error) *error = "'" + path + "' is corrupt: events out of time order at #" + std::to_string(i);
            return std::nullopt;
        }
    }
    Recording rec;
    rec.append(events);
    rec.dropped_ = std::max(rec.dropped_, dropped);  // a file from before RingDrops were counted has only the header
    return rec;
}

}  // namespace minicorn::trace
