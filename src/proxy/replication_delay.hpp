// How long ago a replica's primary had what the replica still lacks: replication delay in
// time, from GTID positions and heartbeat beats, precise to one interval and far below a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "proxy/backend_state.hpp"
#include "proxy/gtid_position.hpp"

namespace sqlgate::proxy {

// Positions of the primary (GTID positions, heartbeat beats), each with the time the monitor
// first saw it there. A replica whose position does not cover one of them has lacked it at
// least since then; that is its delay. Unlike Seconds_Behind_Master it has no whole-second
// grain, it also sees an IO thread that lags (or a SQL thread that is stopped), uses the
// monitor's clock only (no skew between hosts), and it is 0 for a replica that has every
// position seen, however long ago the last one was.
template <class Position>
class PositionTimeline {
  public:
    // A position of the primary as just seen; positions that did not move are not kept again.
    void note(const Position& position, Clock::time_point now) {
        if (!seen_.empty() && seen_.back().position.covers(position)) return;
        if (seen_.size() == kKept) seen_.pop_front();
        seen_.push_back({position, now});
    }

    // 0 when `replica` covers every position seen; else the age of the oldest it lacks.
    Clock::duration delay_of(const Position& replica, Clock::time_point now) const {
        // Positions only grow: walking back from the newest, the replica lacks each one until
        // the first it covers; the last one passed is the oldest it lacks. A replica that is
        // caught up stops at the newest.
        const Seen* oldest_lacking = nullptr;
        for (auto it = seen_.rbegin(); it != seen_.rend() && !replica.covers(it->position); ++it)
            oldest_lacking = &*it;
        if (oldest_lacking == nullptr || now <= oldest_lacking->at) return {};
        return now - oldest_lacking->at;
    }

  private:
    struct Seen {
        Position position;
        Clock::time_point at;
    };
    // Oldest first; bounded, so a replica behind all of it reads as at least the oldest's age.
    static constexpr std::size_t kKept = 4096;
    std::deque<Seen> seen_;
};

using PrimaryTimeline = PositionTimeline<GtidPosition>;

// The number of the heartbeat row's latest write a server holds (0: none yet); beats only grow.
struct HeartbeatBeat {
    std::uint64_t number = 0;
    bool covers(const HeartbeatBeat& other) const noexcept { return number >= other.number; }
};

using HeartbeatTimeline = PositionTimeline<HeartbeatBeat>;

// Whether a replica is held back from reads for its lag, with hysteresis: held once its lag
// exceeds `max_lag`, released only when back within half of it, so a replica hovering near
// the limit does not flap in and out of the reads.
bool held_back_for_lag(bool held_now, double lag_s, double max_lag_s) noexcept;

}  // namespace sqlgate::proxy
