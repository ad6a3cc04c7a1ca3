// engine/trace/model.h — TraceModel: the Recording folded into a World.
//
// apply() is the whole model: one pure step, (World, Event) → World, one
// function per family of kinds (schema.h says what each kind means;
// model_fold.h lists the functions). TraceModel
// runs it over a Recording as it grows and keeps a copy of the World every
// `keyframe_every` events, so the World at any earlier time t is a keyframe
// restored and at most keyframe_every - 1 events replayed.
//
// Does not own the Recording; it must outlive the model. update() only reads
// events appended since the last call; a Recording that shrank (replaced)
// starts the model over.
//
// Thread affinity: none of its own — call it on the thread that owns the
// Recording (the studio's main thread), or lock both together.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "engine/trace/event.h"
#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::trace {

class TraceModel {
public:
    static constexpr std::size_t kDefaultKeyframeEvery = 4096;

    // keyframe_every > 0: a keyframe after every that many events.
    explicit TraceModel(const Recording& rec, std::size_t keyframe_every = kDefaultKeyframeEvery);

    // Folds the events appended to the Recording since the last call.
    void update();

    // The World after the last folded event (now_ns = that event's time).
    const World& latest() const { return latest_; }

    // The World at t: every folded event with t_ns <= t applied, now_ns = t.
    // Restores the last keyframe at or before that point and replays the rest;
    // `replayed`, if given, receives how many events that took.
    World world_at(std::uint64_t t_ns, std::size_t* replayed = nullptr) const;

    std::size_t keyframe_count() const { return keyframes_.size(); }
    std::size_t keyframe_every() const { return keyframe_every_; }
    std::size_t folded() const { return folded_; }

    // The fold step: applies one event to a World. Pure — depends on nothing else.
    static void apply(World& world, const Event& e);
    // A fresh World from events (apply over all of them, in order).
    static World fold(std::span<const Event> events);

private:
    struct Keyframe {
        std::size_t next = 0;  // events [0, next) are folded into `world`
        World world;
    };

    const Recording* rec_;
    std::size_t keyframe_every_;
    std::size_t folded_ = 0;
    World latest_;
    // Ascending `next`, multiples of keyframe_every_. A deque, not a vector:
    // World holds deques, so its move may throw and a growing vector would
    // copy every keyframe (a freeze of about a second at 3 M events).
    std::deque<Keyframe> keyframes_;
};

}  // namespace minicorn::trace
