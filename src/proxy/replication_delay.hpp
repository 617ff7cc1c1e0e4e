// How long ago a replica's primary had what the replica still lacks: replication delay in
// time, from GTID positions alone, precise to one monitor interval and far below a second.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

#include "proxy/backend_state.hpp"
#include "proxy/gtid_position.hpp"

namespace sqlgate::proxy {

// The primary's GTID positions, each with the time the monitor first saw it. A replica whose
// position does not cover one of them has lacked that transaction at least since then; that
// is its delay. Unlike Seconds_Behind_Master it has no whole-second grain, it also sees an IO
// thread that lags (or a SQL thread that is stopped), and it is 0 for a replica that has
// every transaction, however long ago the last one was.
class PrimaryTimeline {
  public:
    // The primary's position as just read; positions that did not move are not kept again.
    void note_primary(const GtidPosition& position, Clock::time_point now);
    // 0 when `replica` covers every position seen; else the age of the oldest it lacks.
    Clock::duration delay_of(const GtidPosition& replica, Clock::time_point now) const;

  private:
    struct Seen {
        GtidPosition position;
        Clock::time_point at;
    };
    // Oldest first; bounded, so a replica behind all of it reads as at least the oldest's age.
    static constexpr std::size_t kKept = 4096;
    std::deque<Seen> seen_;
};

// Whether a replica is held back from reads for its lag, with hysteresis: held once its lag
// exceeds `max_lag`, released only when back within half of it, so a replica hovering near
// the limit does not flap in and out of the reads.
bool held_back_for_lag(bool held_now, double lag_s, double max_lag_s) noexcept;

}  // namespace sqlgate::proxy
