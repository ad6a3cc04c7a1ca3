// engine/trace/recording_load.cpp — Recording::load and Recording::read: a
// .rec file back into a Recording, or a message that says in plain words why
// not. A recording is opened by hand (`minicorn-studio run.rec`, File → Open,
// a drop on the window, `minicorn export`), so any file at all may arrive: a
// Perfetto JSON, a recording from another version, one cut short by a full
// disk or a copy taken mid-run, plain garbage. None of them may crash the
// reader or anything that folds what it returns.
//
// Checks, in order (the first that fails names the problem):
//   1. the magic: MCREC001 (another MCREC version, a JSON trace, or anything else is named as such)
//   2. the header whole: magic, u64 count, u64 dropped
//   3. the count against the file's size (count 0 with events after it: a file
//      RecordingFile never finished — the server was killed — read what is whole)
//   4. every event: a kind this build knows, times never going back
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "engine/trace/recording.h"

namespace minicorn::trace {

namespace {

constexpr std::size_t kHeaderBytes = sizeof kRecordingMagic + 2 * sizeof(std::uint64_t);
constexpr std::size_t kChunkEvents = 1 << 16;  // read and appended this many at a time (4 MB)

std::string quoted(const std::string& name) { return "'" + name + "'"; }

// What the first bytes of a file that is not MCREC001 say it is.
std::string not_a_recording(const std::string& name, const char* head, std::size_t n) {
    if (n == 0) return quoted(name) + " is empty: not a minicorn recording";
    if (n >= 5 && std::memcmp(head, kRecordingMagic, 5) == 0) {
        return quoted(name) + " was made by another version of minicorn: its format is " + std::string(head, std::min<std::size_t>(n, 8)) +
               ", this one reads " + std::string(kRecordingMagic, 8) + ". Open it with the minicorn that made it.";
    }
    std::size_t i = 0;
    while (i < n && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) ++i;
    if (i < n && (head[i] == '{' || head[i] == '[')) {
        return quoted(name) + " is a JSON trace (for ui.perfetto.dev), not a minicorn recording: record one with "
               "`minicorn serve --trace run.rec`.";
    }
    return quoted(name) + " is not a minicorn recording (it does not begin with " + std::string(kRecordingMagic, 8) + ").";
}

// Checks one chunk of events read: known kinds, times in order after `last_t`.
bool check_events(const std::vector<Event>& events, std::size_t first_index, std::uint64_t& last_t,
                  const std::string& name, std::string* error) {
    for (std::size_t i = 0; i < events.size(); ++i) {
        const Event& e = events[i];
        const auto kind = static_cast<std::size_t>(e.kind);
        if (kind == 0 || kind >= kEventKindCount) {
            if (error) {
                *error = quoted(name) + " is damaged or from another version of minicorn: event #" +
                         std::to_string(first_index + i) + " has kind " + std::to_string(kind) +
                         ", which this minicorn does not know.";
            }
            return false;
        }
        if (e.t_ns < last_t) {
            if (error) *error = quoted(name) + " is corrupt: events out of time order at #" + std::to_string(first_index + i);
            return false;
        }
        last_t = e.t_ns;
    }
    return true;
}

}  // namespace

std::optional<Recording> Recording::load(const std::string& path, std::string* error, ReadProgress* progress) {
    std::FILE* f = std::fopen(path.c_str(), "rbe");
    if (!f) {
        if (error) *error = "cannot open " + quoted(path) + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::optional<Recording> rec = read(f, path, error, progress);
    std::fclose(f);
    return rec;
}

std::optional<Recording> Recording::read(std::FILE* f, const std::string& name, std::string* error,
                                         ReadProgress* progress) {
    auto fail = [error](std::string why) -> std::optional<Recording> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    // The file's size (a directory or a pipe has none we can use).
    if (std::fseek(f, 0, SEEK_END) != 0) return fail("cannot read " + quoted(name) + ": it is not a regular file");
    const long end = std::ftell(f);
    if (end < 0 || std::fseek(f, 0, SEEK_SET) != 0) return fail("cannot read " + quoted(name) + ": it is not a regular file");
    const auto size = static_cast<std::uint64_t>(end);

    char head[kHeaderBytes] = {};
    const std::size_t got = std::fread(head, 1, sizeof head, f);
    if (got < sizeof kRecordingMagic || std::memcmp(head, kRecordingMagic, sizeof kRecordingMagic) != 0) {
        return fail(not_a_recording(name, head, got));
    }
    if (got < kHeaderBytes) return fail(quoted(name) + " is truncated: it ends inside its header (" + std::to_string(size) + " bytes)");
    std::uint64_t count = 0;
    std::uint64_t dropped = 0;
    std::memcpy(&count, head + 8, sizeof count);
    std::memcpy(&dropped, head + 16, sizeof dropped);

    const std::uint64_t room = (size - kHeaderBytes) / sizeof(Event);
    const std::uint64_t loose = (size - kHeaderBytes) % sizeof(Event);
    if (count == 0) {
        count = room;  // never finished (its server was killed): the whole events it holds
    } else if (count > room) {
        return fail(quoted(name) + " is truncated: its header promises " + std::to_string(count) +
                    " events, the file holds " + std::to_string(room) +
                    " (copied before the server finished writing it, or cut short?)");
    } else if (count < room || loose != 0) {
        return fail(quoted(name) + " is damaged: " + std::to_string(size - kHeaderBytes - count * sizeof(Event)) +
                    " bytes follow its last event");
    }

    if (progress) progress->total = count;
    Recording rec;
    std::vector<Event> chunk;
    std::uint64_t last_t = 0;
    for (std::uint64_t done = 0; done < count;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkEvents, count - done));
        chunk.resize(n);
        if (std::fread(chunk.data(), sizeof(Event), n, f) != n) {
            return fail(quoted(name) + " is truncated: expected " + std::to_string(count) + " events");
        }
        if (!check_events(chunk, static_cast<std::size_t>(done), last_t, name, error)) return std::nullopt;
        rec.append(chunk);
        done += n;
        if (progress) {
            progress->events = done;
            if (progress->cancel) return fail("cancelled");
        }
    }
    rec.dropped_ = std::max(rec.dropped_, dropped);  // a file from before RingDrops were counted has only the header
    return rec;
}

}  // namespace minicorn::trace
