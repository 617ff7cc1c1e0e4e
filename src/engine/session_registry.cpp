#include "engine/session_registry.hpp"

#include <vector>

#include "engine/server_session.hpp"

namespace sqlgate::engine {

void SessionRegistry::add(ServerSession* session) {
    sessions_.insert(session);
    open_.store(sessions_.size(), std::memory_order_relaxed);
    ++added_;
    if (draining_) session->drain();
}

void SessionRegistry::drain() {
    draining_ = true;
    // A session may leave the registry while it is told: walk a copy.
    const std::vector<ServerSession*> live(sessions_.begin(), sessions_.end());
    for (ServerSession* session : live)
        session->drain();
}

}  // namespace sqlgate::engine
