#include "proxy/replication_delay.hpp"

namespace sqlgate::proxy {

void PrimaryTimeline::note_primary(const GtidPosition& position, Clock::time_point now) {
    if (!seen_.empty() && seen_.back().position.covers(position)) return;
    if (seen_.size() == kKept) seen_.pop_front();
    seen_.push_back({position, now});
}

Clock::duration PrimaryTimeline::delay_of(const GtidPosition& replica,
                                          Clock::time_point now) const {
    // Positions only grow: walking back from the newest, the replica lacks each one until the
    // first it covers; the last one passed is the oldest it lacks. A replica that is caught
    // up stops at the newest.
    const Seen* oldest_lacking = nullptr;
    for (auto it = seen_.rbegin(); it != seen_.rend() && !replica.covers(it->position); ++it)
        oldest_lacking = &*it;
    if (oldest_lacking == nullptr || now <= oldest_lacking->at) return Clock::duration::zero();
    return now - oldest_lacking->at;
}

bool held_back_for_lag(bool held_now, double lag_s, double max_lag_s) noexcept {
    if (lag_s > max_lag_s) return true;
    return held_now && lag_s > max_lag_s / 2;
}

}  // namespace sqlgate::proxy
