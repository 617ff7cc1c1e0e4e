#include "front/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace sqlgate::front {
namespace {

// Spans are capped so that a rate of a few tokens per century cannot overflow the clock.
constexpr double kMaxTicks = static_cast<double>(
    std::chrono::duration_cast<Clock::duration>(std::chrono::years(10)).count());

void validate(const RateLimit& limit) {
    if (!(limit.per_second >= 0) || !std::isfinite(limit.per_second)) {
        throw std::invalid_argument("rate limit: per_second must be 0 (unlimited) or positive");
    }
    if (limit.per_second > 0 && (!(limit.burst >= 1) || !std::isfinite(limit.burst))) {
        throw std::invalid_argument("rate limit: burst must be at least 1");
    }
}

}  // namespace

TokenBucket::TokenBucket(double rate_per_second, double burst) : burst_(burst) {
    if (!(rate_per_second > 0) || !std::isfinite(rate_per_second) || !(burst > 0) ||
        !std::isfinite(burst)) {
        throw std::invalid_argument("token bucket: rate and burst must be finite and positive");
    }
    using Seconds = std::chrono::duration<double>;
    ticks_per_token_ =
        std::chrono::duration<double, Clock::period>(Seconds(1)).count() / rate_per_second;
    capacity_ = cost(burst);
}

// Rounding down keeps `burst` single takes within the capacity (n * floor(t) <= floor(n * t));
// the rate comes out faster by under a tick per token.
Clock::duration TokenBucket::cost(double tokens) const noexcept {
    return Clock::duration(
        static_cast<Clock::rep>(std::floor(std::min(tokens * ticks_per_token_, kMaxTicks))));
}

Clock::duration TokenBucket::debt(Clock::time_point now) const noexcept {
    return full_at_ > now ? full_at_ - now : Clock::duration::zero();
}

bool TokenBucket::try_take(Clock::time_point now, double tokens) {
    if (!(tokens > 0)) return true;
    const Clock::duration c = cost(tokens);
    if (debt(now) + c > capacity_) return false;
    full_at_ = std::max(full_at_, now) + c;
    return true;
}

double TokenBucket::available(Clock::time_point now) const noexcept {
    const Clock::duration d = debt(now);
    if (d == Clock::duration::zero()) return burst_;
    const double left = static_cast<double>((capacity_ - d).count()) / ticks_per_token_;
    return std::clamp(left, 0.0, burst_);
}

Clock::duration TokenBucket::time_until(Clock::time_point now, double tokens) const noexcept {
    const Clock::duration c = cost(tokens);
    if (c > capacity_) return Clock::duration::max();
    return std::max(debt(now) + c - capacity_, Clock::duration::zero());
}

RateLimiter::RateLimiter(RateLimit per_user, RateLimit per_source, std::size_t max_keys)
    : users_(per_user, max_keys), sources_(per_source, max_keys) {
    validate(per_user);
    validate(per_source);
}

Decision RateLimiter::check(std::string_view user, std::string_view source, Clock::time_point now) {
    TokenBucket* const by_user = users_.unlimited() ? nullptr : &users_.at(user, now);
    TokenBucket* const by_source = sources_.unlimited() ? nullptr : &sources_.at(source, now);
    const Clock::duration user_wait = by_user ? by_user->time_until(now) : Clock::duration{};
    const Clock::duration source_wait = by_source ? by_source->time_until(now) : Clock::duration{};
    if (user_wait == Clock::duration::zero() && source_wait == Clock::duration::zero()) {
        if (by_user) by_user->try_take(now);
        if (by_source) by_source->try_take(now);
        return {};
    }
    // The client has to wait for both buckets, so the longer wait names the limit.
    if (source_wait > user_wait) return {.hit = LimitHit::source, .retry_after = source_wait};
    return {.hit = LimitHit::user, .retry_after = user_wait};
}

TokenBucket& RateLimiter::Buckets::at(std::string_view key, Clock::time_point now) {
    if (const auto it = buckets_.find(key); it != buckets_.end()) return it->second;
    if (buckets_.size() >= max_keys_) make_room(now);
    return buckets_.try_emplace(std::string(key), limit_.per_second, limit_.burst).first->second;
}

void RateLimiter::Buckets::make_room(Clock::time_point now) {
    // A full bucket is what its key would get back new, so dropping it forgets nothing.
    std::erase_if(buckets_, [now](const auto& entry) { return entry.second.full(now); });
    // Each call frees a tenth of the keys or more, so its scans stay rare under a flood.
    const std::size_t target = max_keys_ - std::max<std::size_t>(max_keys_ / 10, 1);
    if (buckets_.size() <= target) return;
    // Busy keys everywhere: drop those closest to full, which forgets the least debt.
    std::vector<std::pair<Clock::time_point, StringMap<TokenBucket>::iterator>> by_full_at;
    by_full_at.reserve(buckets_.size());
    for (auto it = buckets_.begin(); it != buckets_.end(); ++it)
        by_full_at.emplace_back(it->second.full_at(), it);
    const auto cut = by_full_at.begin() + static_cast<std::ptrdiff_t>(buckets_.size() - target);
    std::ranges::nth_element(by_full_at, cut, {}, [](const auto& entry) { return entry.first; });
    // Erasing leaves the other iterators valid.
    for (auto entry = by_full_at.begin(); entry != cut; ++entry)
        buckets_.erase(entry->second);
}

std::optional<ConnectionSlot> ConnectionLimiter::try_acquire(std::string_view source) {
    const std::lock_guard lock(mutex_);
    if (limits_.max_total != 0 && total_ >= limits_.max_total) return std::nullopt;
    if (limits_.max_per_source != 0 && count_in(per_source_, source) >= limits_.max_per_source) {
        return std::nullopt;
    }
    std::string key(source);
    ++per_source_[key];  // the only step that may throw, before anything else is counted
    ++total_;
    return ConnectionSlot(*this, std::move(key));
}

std::size_t ConnectionLimiter::total() const noexcept {
    const std::lock_guard lock(mutex_);
    return total_;
}

std::size_t ConnectionLimiter::from_source(std::string_view source) const noexcept {
    const std::lock_guard lock(mutex_);
    return count_in(per_source_, source);
}

std::size_t ConnectionLimiter::of_user(std::string_view user) const noexcept {
    const std::lock_guard lock(mutex_);
    return count_in(per_user_, user);
}

std::size_t ConnectionLimiter::count_in(const Counts& counts, std::string_view key) noexcept {
    const auto it = counts.find(key);
    return it == counts.end() ? 0 : it->second;
}

void ConnectionLimiter::decrement(Counts& counts, const std::string& key) noexcept {
    const auto it = counts.find(key);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
}

ConnectionSlot::ConnectionSlot(ConnectionSlot&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)),
      source_(std::move(other.source_)),
      user_(std::exchange(other.user_, std::nullopt)) {}

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
        release();
        limiter_ = std::exchange(other.limiter_, nullptr);
        source_ = std::move(other.source_);
        user_ = std::exchange(other.user_, std::nullopt);
    }
    return *this;
}

bool ConnectionSlot::bind_user(std::string_view user) {
    if (limiter_ == nullptr) return false;
    if (user_ && *user_ == user) return true;
    ConnectionLimiter& limiter = *limiter_;
    const std::lock_guard lock(limiter.mutex_);
    const std::size_t max = limiter.limits_.max_per_user;
    if (max != 0 && ConnectionLimiter::count_in(limiter.per_user_, user) >= max) return false;
    std::string key(user);
    ++limiter.per_user_[key];
    if (user_) ConnectionLimiter::decrement(limiter.per_user_, *user_);
    user_ = std::move(key);
    return true;
}

void ConnectionSlot::release() noexcept {
    if (limiter_ == nullptr) return;
    const std::lock_guard lock(limiter_->mutex_);
    if (user_) ConnectionLimiter::decrement(limiter_->per_user_, *user_);
    ConnectionLimiter::decrement(limiter_->per_source_, source_);
    --limiter_->total_;
    limiter_ = nullptr;
    user_.reset();
}

}  // namespace sqlgate::front
