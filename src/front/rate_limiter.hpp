// Admission limits of a front: token buckets per user and per source address for statements,
// and counts of open connections per source, per user and in total.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace sqlgate::front {

// Everything here is used from the server's single io_context thread, so nothing locks.

using Clock = std::chrono::steady_clock;

// Lets maps keyed by std::string be searched with a string_view, without a copy.
struct StringKeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept {
        return std::hash<std::string_view>{}(key);
    }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringKeyHash, std::equal_to<>>;

// A bucket of `burst` tokens refilled at `rate_per_second`, starting full. It keeps the time
// at which it will be full again rather than a token count, so every computation is in whole
// clock ticks: a caller that waits exactly time_until() is then served.
class TokenBucket {
  public:
    // Throws std::invalid_argument unless both are finite and positive.
    TokenBucket(double rate_per_second, double burst);

    // Takes `tokens` if the bucket holds that many at `now`; false leaves it unchanged.
    bool try_take(Clock::time_point now, double tokens = 1);
    double available(Clock::time_point now) const noexcept;
    // Zero when `tokens` are available now; Clock::duration::max() when more than the burst.
    Clock::duration time_until(Clock::time_point now, double tokens = 1) const noexcept;
    bool full(Clock::time_point now) const noexcept { return full_at_ <= now; }
    Clock::time_point full_at() const noexcept { return full_at_; }

  private:
    Clock::duration debt(Clock::time_point now) const noexcept;
    Clock::duration cost(double tokens) const noexcept;

    double burst_;
    double ticks_per_token_;    // clock ticks one token takes to refill
    Clock::duration capacity_;  // the burst, in ticks
    Clock::time_point full_at_{};
};

struct RateLimit {
    double per_second = 0;  // 0: unlimited
    double burst = 1;       // at least 1 when limited
};

enum class LimitHit { none, user, source };

struct Decision {
    LimitHit hit = LimitHit::none;
    Clock::duration retry_after{};  // zero when allowed

    bool allowed() const noexcept { return hit == LimitHit::none; }
};

// Statement rate per user and per source address: a statement passes only when both buckets
// have a token, and then takes one from each.
class RateLimiter {
  public:
    static constexpr std::size_t kDefaultMaxKeys = 10'000;

    // Throws std::invalid_argument for a limit with a rate below 0 or a burst below 1.
    RateLimiter(RateLimit per_user, RateLimit per_source, std::size_t max_keys = kDefaultMaxKeys);

    Decision check(std::string_view user, std::string_view source, Clock::time_point now);

    std::size_t tracked_users() const noexcept { return users_.size(); }
    std::size_t tracked_sources() const noexcept { return sources_.size(); }

  private:
    // One bucket per key, at most max_keys of them (a flood of new source addresses must not
    // grow memory without bound).
    class Buckets {
      public:
        Buckets(RateLimit limit, std::size_t max_keys)
            : limit_(limit), max_keys_(max_keys == 0 ? 1 : max_keys) {}

        bool unlimited() const noexcept { return limit_.per_second == 0; }
        // The key's bucket, created full when missing.
        TokenBucket& at(std::string_view key, Clock::time_point now);
        std::size_t size() const noexcept { return buckets_.size(); }

      private:
        void make_room(Clock::time_point now);

        RateLimit limit_;
        std::size_t max_keys_;
        StringMap<TokenBucket> buckets_;
    };

    Buckets users_;
    Buckets sources_;
};

struct ConnectionLimits {
    std::size_t max_total = 0;       // 0: unlimited, as for the other two
    std::size_t max_per_source = 0;  // per source address
    std::size_t max_per_user = 0;
};

class ConnectionLimiter;

// One open connection as counted by a ConnectionLimiter; destroying (or moving over) it
// gives the connection back. The limiter must outlive its slots.
class ConnectionSlot {
  public:
    ConnectionSlot(ConnectionSlot&& other) noexcept;
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept;
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;
    ~ConnectionSlot() { release(); }

    // After authentication: counts the connection for `user`, false when the user already
    // has the maximum. Binding again (COM_CHANGE_USER) moves the count; on refusal the slot
    // stays with its previous user.
    bool bind_user(std::string_view user);
    void release() noexcept;

    const std::string& source() const noexcept { return source_; }
    const std::optional<std::string>& user() const noexcept { return user_; }

  private:
    friend class ConnectionLimiter;
    ConnectionSlot(ConnectionLimiter& limiter, std::string source)
        : limiter_(&limiter), source_(std::move(source)) {}

    ConnectionLimiter* limiter_ = nullptr;  // null once released or moved from
    std::string source_;
    std::optional<std::string> user_;
};

// Shared by a front role's event-loop threads: its counts are behind a mutex, taken once when
// a connection arrives, logs in and ends (never per statement).
class ConnectionLimiter {
  public:
    explicit ConnectionLimiter(ConnectionLimits limits) : limits_(limits) {}
    ConnectionLimiter(const ConnectionLimiter&) = delete;
    ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

    // At accept time: empty when the total or the source's maximum is reached.
    std::optional<ConnectionSlot> try_acquire(std::string_view source);

    std::size_t total() const noexcept;
    std::size_t from_source(std::string_view source) const noexcept;
    std::size_t of_user(std::string_view user) const noexcept;

  private:
    friend class ConnectionSlot;
    // Keys are erased at zero, so the maps hold only sources and users with open connections.
    using Counts = StringMap<std::size_t>;
    static std::size_t count_in(const Counts& counts, std::string_view key) noexcept;
    static void decrement(Counts& counts, const std::string& key) noexcept;

    ConnectionLimits limits_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    Counts per_source_;
    Counts per_user_;
};

}  // namespace sqlgate::front
