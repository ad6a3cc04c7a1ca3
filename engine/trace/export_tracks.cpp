// engine/trace/export_tracks.cpp — the Exporter's output: metadata, thread
// slices kept strictly nested, async spans, counters, and closing what an
// owner left open (see export_exporter.h).
#include <algorithm>

#include "engine/trace/export_exporter.h"
#include "engine/trace/world.h"  // format_id

namespace minicorn::trace::exporter {

Exporter::Exporter(const Recording& rec, const Cast& cast, JsonOut& out)
    : rec_(rec), cast_(cast), out_(out), counter_pid_(cast.arbiter) {
    if (!counter_pid_ && !rec.empty()) counter_pid_ = rec[0].pid;
}

void Exporter::run() {
    write_metadata();
    bool any_worker = false;
    for (const ProcessInfo& p : cast_.processes) any_worker = any_worker || p.role == Role::Worker;
    if (any_worker) counter(counter_pid_, "workers", rec_.first_time(), Args{{"busy", std::int64_t{0}}});
    for (const Event& e : rec_.events()) on_event(e);
    close_everything(rec_.last_time());
}

void Exporter::write_metadata() {
    for (const ProcessInfo& p : cast_.processes) {
        Args name{{"name", Cast::process_name(p)}};
        out_.write({.ph = 'M', .name = "process_name", .pid = p.pid, .tid = p.pid, .args = &name});
        Args order{{"sort_index", cast_.sort_index(p)}};
        out_.write({.ph = 'M', .name = "process_sort_index", .pid = p.pid, .tid = p.pid, .args = &order});
        std::int64_t next = 1;
        for (pid_t tid : p.tids) {
            Args tname{{"name", Cast::thread_name(p, tid)}};
            out_.write({.ph = 'M', .name = "thread_name", .pid = p.pid, .tid = tid, .args = &tname});
            Args torder{{"sort_index", tid == p.pid ? std::int64_t{0} : next++}};
            out_.write({.ph = 'M', .name = "thread_sort_index", .pid = p.pid, .tid = tid, .args = &torder});
        }
    }
}

ThreadTrack& Exporter::track(pid_t pid, pid_t tid) {
    ThreadTrack& th = threads_[{pid, tid}];
    th.pid = pid;
    th.tid = tid;
    return th;
}

void Exporter::instant(const ThreadTrack& th, std::string_view name, std::string_view cat, std::uint64_t t,
                       const Args& args) {
    out_.write({.ph = 'i', .name = name, .cat = cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
}

void Exporter::counter(pid_t pid, std::string_view name, std::uint64_t t, const Args& args) {
    out_.write({.ph = 'C', .name = name, .t_ns = t, .pid = pid, .tid = pid, .args = &args});
}

void Exporter::begin(ThreadTrack& th, Phase phase, std::uint64_t key, std::string name, std::string_view cat,
                     std::uint64_t t, const Args& args) {
    out_.write({.ph = 'B', .name = name, .cat = cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
    th.stack.push_back(OpenSlice{phase, key, std::move(name), cat});
}

void Exporter::end_top(ThreadTrack& th, std::uint64_t t, const Args& args) {
    const OpenSlice& s = th.stack.back();
    out_.write({.ph = 'E', .name = s.name, .cat = s.cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
    th.stack.pop_back();
}

// Ends the innermost open slice of `phase` (with `key`, unless key is 0),
// after whatever is open inside it, so the slices stay nested. False when
// none is open.
bool Exporter::close_slice(ThreadTrack& th, Phase phase, std::uint64_t key, std::uint64_t t, const Args& args) {
    auto match = [&](const OpenSlice& s) { return s.phase == phase && (key == 0 || s.key == key); };
    auto it = std::find_if(th.stack.rbegin(), th.stack.rend(), match);
    if (it == th.stack.rend()) return false;
    std::size_t depth = static_cast<std::size_t>(th.stack.rend() - it);  // stack size once it is on top
    Args cut{{"closed", std::string("its enclosing ") + th.stack[depth - 1].name + " ended"}};
    while (th.stack.size() > depth) end_top(th, t, cut);
    end_top(th, t, args);
    return true;
}

// `e` ends a slice of `phase`; when none is open (the recording began
// inside it, or a ring dropped its begin) `e` shows as an instant.
void Exporter::end(ThreadTrack& th, Phase phase, std::uint64_t key, const Event& e, Args args) {
    if (close_slice(th, phase, key, e.t_ns, args)) return;
    if (e.req) args.insert(args.begin(), {"req", format_id(e.req)});
    if (e.conn) args.insert(args.begin(), {"conn", format_id(e.conn)});
    instant(th, to_string(e.kind), kCatUnmatched, e.t_ns, args);
}

void Exporter::close_thread(ThreadTrack& th, std::uint64_t t, const std::string& why) {
    Args reason{{"closed", why}};
    while (!th.stack.empty()) end_top(th, t, reason);
}

// A thread that goes back to its loop (waits, accepts), parks its
// connection or hands it to another thread has left the connection it was
// serving; the connection itself lives on in its async span.
void Exporter::leave_connection(ThreadTrack& th, std::uint64_t t, std::string_view why) {
    auto it = std::find_if(th.stack.begin(), th.stack.end(),
                           [](const OpenSlice& s) { return s.phase == Phase::Connection; });
    if (it == th.stack.end()) return;
    Args reason{{"closed", std::string(why)}};
    while (th.stack.size() > static_cast<std::size_t>(it - th.stack.begin())) end_top(th, t, reason);
}

void Exporter::span_begin(Spans& spans, std::uint64_t id, const ThreadTrack& th, std::uint64_t conn,
                          std::uint64_t t, const Args& args) {
    if (!spans.open.try_emplace(id, OpenSpan{th.pid, th.tid, conn, std::nullopt}).second) return;
    out_.write({.ph = 'b', .name = spans.cat, .cat = spans.cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .id = id,
                .args = &args});
}

void Exporter::span_end(Spans& spans, std::uint64_t id, std::uint64_t t, Args args) {
    auto it = spans.open.find(id);
    if (it == spans.open.end()) return;
    if (it->second.status) args.push_back({"status", *it->second.status});
    const OpenSpan& span = it->second;
    out_.write({.ph = 'e', .name = spans.cat, .cat = spans.cat, .t_ns = t, .pid = span.pid, .tid = span.tid,
                .id = id, .args = &args});
    spans.open.erase(it);
}

// "Busy" workers: those with at least one accepted connection not yet closed.
void Exporter::update_busy(std::uint64_t t) {
    std::int64_t busy = 0;
    for (const auto& [pid, conns] : open_conns_) busy += conns.empty() ? 0 : 1;
    if (busy == busy_shown_) return;
    busy_shown_ = busy;
    counter(counter_pid_, "workers", t, Args{{"busy", busy}});
}

// The process `pid` is gone (it exited, or the master reaped it): close
// what it left open, where it died.
void Exporter::owner_gone(pid_t pid, std::uint64_t t, const std::string& why) {
    for (auto& [key, th] : threads_) {
        if (key.first == pid) close_thread(th, t, why);
    }
    auto owned = [pid](const OpenSpan& span) { return span.pid == pid; };
    end_spans_if(req_spans_, owned, t, {{"closed", why}});
    end_spans_if(conn_spans_, owned, t, {{"closed", why}});
    if (open_conns_.erase(pid)) update_busy(t);
}

void Exporter::close_everything(std::uint64_t t) {
    const std::string why = "end of recording";
    for (auto& [key, th] : threads_) close_thread(th, t, why);
    auto all = [](const OpenSpan&) { return true; };
    end_spans_if(req_spans_, all, t, {{"closed", why}});
    end_spans_if(conn_spans_, all, t, {{"closed", why}});
}

}  // namespace minicorn::trace::exporter
