// The connections of one listener that have not authenticated yet: a budget of their own
// (in total and per source address), one closed when a new one needs room (the oldest of the
// source with the most waiting), and a shorter handshake time while the budget is more than
// half used. Silent connections cannot keep clients out; authenticated ones never pay.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sqlgate::engine {

// The default is no budget: internal listeners (the trusted host, the proxy) take bursts of
// logins from one trusted address; the gatekeeper's config gives its public listeners one.
struct PreAuthLimits {
    std::size_t total = 0;       // 0: no budget (every connection may wait to log in)
    std::size_t per_source = 0;  // 0: no limit per source address
    std::chrono::milliseconds timeout{10'000};                // to log in, normally
    std::chrono::milliseconds timeout_under_pressure{2'000};  // once over half is used
};

class PreAuthBudget {
  public:
    // One connection's place in the budget until it authenticates (release) or ends.
    class Ticket {
      public:
        Ticket() = default;
        Ticket(Ticket&& other) noexcept { *this = std::move(other); }
        Ticket& operator=(Ticket&& other) noexcept;
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
        ~Ticket() { release(); }
        void release() noexcept;

      private:
        friend class PreAuthBudget;
        std::weak_ptr<struct PreAuthState> state_;
        std::uint64_t id_ = 0;
    };

    enum class Refusal { none, source_full };

    explicit PreAuthBudget(PreAuthLimits limits);
    void set_limits(PreAuthLimits limits);

    // A place for a connection from `source`: refused (source_full) when the source has
    // its maximum waiting; otherwise given, after closing a waiting connection (its `evict`
    // is called, once) when the total is reached: the oldest of the source with the most
    // waiting. `evict` must stay callable while the ticket lives.
    Refusal admit(const std::string& source, std::function<void()> evict, Ticket& ticket);
    // How long a connection admitted now may take to log in.
    std::chrono::milliseconds handshake_timeout() const;
    std::size_t waiting() const;
    std::uint64_t evicted() const;

  private:
    std::shared_ptr<struct PreAuthState> state_;
};

}  // namespace sqlgate::engine
