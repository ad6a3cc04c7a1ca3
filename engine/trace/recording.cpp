#include "engine/trace/recording.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace minicorn::trace {

void Recording::append(std::span<const Event> sorted) {
    events_.reserve(events_.size() + sorted.size());
    for (const Event& e : sorted) {
        auto pos = static_cast<std::uint32_t>(events_.size());
        events_.push_back(e);
        auto [pit, new_pid] = by_pid_.try_emplace(e.pid);
        if (new_pid) pid_order_.push_back(e.pid);
        pit->second.push_back(pos);
        by_thread_[e.tid].push_back(pos);
        if (e.conn) {
            auto [cit, new_conn] = by_conn_.try_emplace(e.conn);
            if (new_conn) conn_order_.push_back(e.conn);
            cit->second.push_back(pos);
        }
        if (e.req) by_req_[e.req].push_back(pos);
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
constexpr char kMagic[8] = {'M', 'C', 'R', 'E', 'C', '0', '0', '1'};
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
    rec.dropped_ = dropped;
    return rec;
}

}  // namespace minicorn::trace
