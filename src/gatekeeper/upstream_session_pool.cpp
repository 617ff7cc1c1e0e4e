#include "gatekeeper/upstream_session_pool.hpp"

#include <algorithm>

namespace sqlgate::gatekeeper {

void UpstreamSessionPool::drop_expired(std::vector<Idle>& sessions, Clock::time_point now) const {
    // Parked in time order: the expired ones are at the front.
    const auto live = std::find_if(sessions.begin(), sessions.end(), [&](const Idle& idle) {
        return now - idle.since < limits_.max_idle;
    });
    for (auto it = sessions.begin(); it != live; ++it)
        it->session->close();
    sessions.erase(sessions.begin(), live);
}

std::unique_ptr<net::PacketChannel> UpstreamSessionPool::take(std::string_view user,
                                                              Clock::time_point now) {
    const auto found = idle_.find(std::string(user));
    if (found == idle_.end()) return nullptr;
    auto& sessions = found->second;
    drop_expired(sessions, now);
    if (sessions.empty()) return nullptr;
    auto session = std::move(sessions.back().session);
    sessions.pop_back();
    return session;
}

void UpstreamSessionPool::give_back(std::string_view user,
                                    std::unique_ptr<net::PacketChannel> session,
                                    Clock::time_point now) {
    if (session == nullptr) return;
    auto& sessions = idle_[std::string(user)];
    drop_expired(sessions, now);
    if (sessions.size() >= limits_.idle_per_user) {
        session->close();
        return;
    }
    sessions.push_back({std::move(session), now});
}

std::size_t UpstreamSessionPool::idle_count(std::string_view user) const {
    const auto found = idle_.find(std::string(user));
    return found == idle_.end() ? 0 : found->second.size();
}

}  // namespace sqlgate::gatekeeper
