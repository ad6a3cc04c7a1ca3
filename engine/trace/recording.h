// engine/trace/recording.h — everything the processes emitted, in time order.
//
// Append-only: the Collector appends events already merged in time order
// (never earlier than the last one appended). The events live in an
// EventStore (recording_store.h): they never move or get copied as the
// recording grows, and another thread may read the published ones. Indexed by process, thread,
// connection and request: each index lists positions into events(), in time
// order. Saved to and loaded from a file (a small header, then the raw events).
//
// Thread affinity: one writer (the collector's thread) and no concurrent
// readers — a reader on another thread must take its own lock around both.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/trace/event.h"
#include "engine/trace/recording_index.h"
#include "engine/trace/recording_store.h"

namespace minicorn::trace {

// Where a Collector commits events: a Recording in memory, or a RecordingFile
// (recording_file.h) that writes them to disk as they come.
class EventSink {
public:
    virtual ~EventSink() = default;
    // Appends `sorted` (ascending t_ns, none earlier than last_time()).
    virtual void append(std::span<const Event> sorted) = 0;
    // The time of the last event appended (0: none yet).
    virtual std::uint64_t last_time() const = 0;
};

// How far a Recording::load on another thread has got, for a progress bar;
// `cancel` set by the watcher makes it give up (it then returns nullopt with
// *error "cancelled").
struct ReadProgress {
    std::atomic<std::uint64_t> events{0};  // events read and indexed so far
    std::atomic<std::uint64_t> total{0};   // events the file holds (0: not known yet)
    std::atomic<bool> cancel{false};
};

// The MCREC001 file: this magic, u64 count, u64 dropped, then count × 64-byte events.
inline constexpr char kRecordingMagic[8] = {'M', 'C', 'R', 'E', 'C', '0', '0', '1'};

class Recording final : public EventSink {
public:
    using Index = PositionList;  // positions into events(), in time order; never moves as it grows

    // Appends `sorted` (ascending t_ns, none earlier than last_time()).
    void append(std::span<const Event> sorted) override;

    std::span<const Event> events() const { return store_.events(); }
    std::size_t size() const { return store_.size(); }
    bool empty() const { return store_.size() == 0; }
    const Event& operator[](std::size_t i) const { return store_.data()[i]; }
    std::uint64_t first_time() const { return empty() ? 0 : store_.data()[0].t_ns; }
    std::uint64_t last_time() const override { return empty() ? 0 : store_.data()[size() - 1].t_ns; }
    // The events themselves (for a reader on another thread: EventStore::published()).
    const EventStore& store() const { return store_; }

    // The first position whose event is at or after t (size() if none).
    std::size_t lower_bound(std::uint64_t t_ns) const;

    // nullptr when nothing carries that id.
    const Index* by_pid(pid_t pid) const;
    const Index* by_thread(pid_t tid) const;
    const Index* by_conn(std::uint64_t conn) const;
    const Index* by_req(std::uint64_t req) const;
    std::vector<pid_t> pids() const;           // in order of first appearance
    std::vector<std::uint64_t> conns() const;  // in order of first appearance

    // Events the producers had to drop (full rings): the sum of the RingDrops
    // events appended (the collector writes one when a ring's drop count
    // grew), or the file header's count if that is larger.
    std::uint64_t dropped() const { return dropped_; }

    // File format: "MCREC001", u64 count, u64 dropped, then count × 64-byte events.
    bool save(const std::string& path, std::string* error) const;
    // Reads a recording saved by save() or written by RecordingFile
    // (recording_load.cpp). Refuses, with *error saying why in plain words, a
    // file that is not a recording (a JSON trace, anything else), one from
    // another version of the format, one truncated, or one whose events are
    // damaged (an unknown kind, out of time order). Never trusts the header's
    // count with memory before checking it against the file's size.
    // `progress`, if given, follows the reading (another thread may watch it).
    static std::optional<Recording> load(const std::string& path, std::string* error, ReadProgress* progress = nullptr);
    // The same from an open stream (seekable; fmemopen in the fuzzer). `name`
    // is what the messages call it.
    static std::optional<Recording> read(std::FILE* f, const std::string& name, std::string* error,
                                         ReadProgress* progress = nullptr);

private:
    EventStore store_;
    std::unordered_map<pid_t, Index> by_pid_;
    std::unordered_map<pid_t, Index> by_thread_;
    IdIndex by_conn_;  // ids by (pid, seq): never rehashed (recording_index.h)
    IdIndex by_req_;
    std::vector<pid_t> pid_order_;
    std::deque<std::uint64_t> conn_order_;  // a deque: a million connections never copied as it grows
    std::uint64_t dropped_ = 0;
};

}  // namespace minicorn::trace
