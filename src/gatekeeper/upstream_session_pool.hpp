// Idle upstream sessions of the HTTP API, kept per user: a call that finds one skips the
// three TLS handshakes and logins through the chain (about 16 ms here) and pays one reset.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "net/packet_channel.hpp"

namespace sqlgate::gatekeeper {

struct SessionPoolLimits {
    // Idle sessions count against the trusted host's per-user connection limits: keep few.
    std::size_t idle_per_user = 4;
    // Well under the hops' idle timeouts, so a parked session is rarely already closed.
    std::chrono::steady_clock::duration max_idle = std::chrono::seconds(30);
};

// Owned by the gatekeeper's single-threaded io_context: no locking. A session is given back
// only after a complete exchange, so what is parked is in step with its peer; the caller resets
// it (COM_RESET_CONNECTION) before use, so nothing of one call's session state reaches the next.
class UpstreamSessionPool {
  public:
    using Clock = std::chrono::steady_clock;
    explicit UpstreamSessionPool(SessionPoolLimits limits = {}) : limits_(limits) {}

    // The most recently parked live session of `user`, or null. Expired ones are closed.
    std::unique_ptr<net::PacketChannel> take(std::string_view user, Clock::time_point now);
    // Parks `session`; closes it instead when `user` already has the maximum parked.
    void give_back(std::string_view user, std::unique_ptr<net::PacketChannel> session,
                   Clock::time_point now);
    std::size_t idle_count(std::string_view user) const;

  private:
    struct Idle {
        std::unique_ptr<net::PacketChannel> session;
        Clock::time_point since;
    };
    void drop_expired(std::vector<Idle>& sessions, Clock::time_point now) const;

    SessionPoolLimits limits_;
    std::unordered_map<std::string, std::vector<Idle>> idle_;
};

}  // namespace sqlgate::gatekeeper
