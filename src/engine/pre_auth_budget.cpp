#include "engine/pre_auth_budget.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sqlgate::engine {

// Shared with the tickets, so that a ticket that outlives the listener (a session frame
// destroyed after its role at exit) releases into something that still exists; and by every
// event-loop thread of the listener, hence the mutex (taken once per connection, never per
// statement).
struct PreAuthState {
    std::mutex mutex;
    struct Waiting {
        std::string source;
        std::function<void()> evict;
    };
    PreAuthLimits limits;
    std::map<std::uint64_t, Waiting> waiting;  // by admission order: the oldest first
    std::unordered_map<std::string, std::set<std::uint64_t>> by_source;
    std::uint64_t next_id = 1;
    std::uint64_t evicted = 0;

    // Takes `id` out (when it is still in) and returns its eviction callback.
    std::function<void()> remove(std::uint64_t id) {
        const auto it = waiting.find(id);
        if (it == waiting.end()) return {};
        const auto source = by_source.find(it->second.source);
        if (source != by_source.end()) {
            source->second.erase(id);
            if (source->second.empty()) by_source.erase(source);
        }
        std::function<void()> evict = std::move(it->second.evict);
        waiting.erase(it);
        return evict;
    }

    // Whom to close for room: the oldest connection of the source with the most waiting
    // (the oldest of all when every source has one), so that a flood spread over many
    // addresses evicts its own connections before a client's single one.
    std::uint64_t eviction_candidate() const {
        std::uint64_t chosen = waiting.begin()->first;
        std::size_t most = 0;
        for (const auto& [source, ids] : by_source) {
            if (ids.size() > most || (ids.size() == most && *ids.begin() < chosen)) {
                most = ids.size();
                chosen = *ids.begin();
            }
        }
        return chosen;
    }
};

PreAuthBudget::Ticket& PreAuthBudget::Ticket::operator=(Ticket&& other) noexcept {
    if (this != &other) {
        release();
        state_ = std::move(other.state_);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

void PreAuthBudget::Ticket::release() noexcept {
    if (id_ == 0) return;
    if (const auto state = state_.lock()) {
        const std::lock_guard lock(state->mutex);
        state->remove(id_);
    }
    id_ = 0;
    state_.reset();
}

PreAuthBudget::PreAuthBudget(PreAuthLimits limits) : state_(std::make_shared<PreAuthState>()) {
    state_->limits = limits;
}

void PreAuthBudget::set_limits(PreAuthLimits limits) {
    const std::lock_guard lock(state_->mutex);
    state_->limits = limits;
}

PreAuthBudget::Refusal PreAuthBudget::admit(const std::string& source, std::function<void()> evict,
                                            Ticket& ticket) {
    PreAuthState& s = *state_;
    ticket.release();
    // Called once out of the budget and the lock: closing may release its ticket at once.
    std::vector<std::function<void()>> closes;
    {
        const std::lock_guard lock(s.mutex);
        if (s.limits.total == 0) return Refusal::none;
        if (s.limits.per_source != 0) {
            const auto ids = s.by_source.find(source);
            if (ids != s.by_source.end() && ids->second.size() >= s.limits.per_source) {
                return Refusal::source_full;
            }
        }
        while (s.waiting.size() >= s.limits.total) {
            closes.push_back(s.remove(s.eviction_candidate()));
            ++s.evicted;
        }
        const std::uint64_t id = s.next_id++;
        s.waiting.emplace(id, PreAuthState::Waiting{source, std::move(evict)});
        s.by_source[source].insert(id);
        ticket.state_ = state_;
        ticket.id_ = id;
    }
    for (const std::function<void()>& close : closes) {
        if (close) close();
    }
    return Refusal::none;
}

std::chrono::milliseconds PreAuthBudget::handshake_timeout() const {
    PreAuthState& s = *state_;
    const std::lock_guard lock(s.mutex);
    const bool pressed = s.limits.total != 0 && s.waiting.size() * 2 > s.limits.total;
    return pressed ? std::min(s.limits.timeout, s.limits.timeout_under_pressure) : s.limits.timeout;
}

std::size_t PreAuthBudget::waiting() const {
    const std::lock_guard lock(state_->mutex);
    return state_->waiting.size();
}

std::uint64_t PreAuthBudget::evicted() const {
    const std::lock_guard lock(state_->mutex);
    return state_->evicted;
}

}  // namespace sqlgate::engine
