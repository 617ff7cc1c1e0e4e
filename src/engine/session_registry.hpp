// The live sessions of one role, so that a stopping role can drain them: each ends after the
// command it is running (an idle one at once), and the role exits when none is left. It also
// holds the budget of the listener's connections that have not logged in yet, and counts
// those that never became sessions.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <unordered_set>

#include "engine/pre_auth_budget.hpp"
#include "obs/connection_counters.hpp"

namespace sqlgate::engine {

class ServerSession;

class SessionRegistry {
  public:
    void add(ServerSession* session);
    void remove(ServerSession* session) {
        sessions_.erase(session);
        open_.store(sessions_.size(), std::memory_order_relaxed);
    }
    // Asks every live session, and every one that registers later, to end once its current
    // command is answered.
    void drain();
    // Safe to read from another thread (a role's control thread counts its workers' sessions).
    std::size_t size() const { return open_.load(std::memory_order_relaxed); }
    std::uint64_t added() const { return added_; }  // every session it has known
    obs::ConnectionCounters& connections() { return connections_; }
    const obs::ConnectionCounters& connections() const { return connections_; }
    PreAuthBudget& pre_auth() { return pre_auth_; }
    // A worker thread's registry counts its clients against the listener's one budget.
    void share_pre_auth(const SessionRegistry& with) { pre_auth_ = with.pre_auth_; }

  private:
    obs::ConnectionCounters connections_;
    PreAuthBudget pre_auth_{PreAuthLimits{}};
    std::unordered_set<ServerSession*> sessions_;
    std::atomic<std::size_t> open_{0};  // sessions_.size(), for other threads
    std::uint64_t added_ = 0;
    bool draining_ = false;
};

}  // namespace sqlgate::engine
