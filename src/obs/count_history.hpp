// Cumulative counts sampled about once a second, so that a status page can say how many were
// added in the last minute while the code that counts keeps plain increments and no clock.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sqlgate::obs {

template <std::size_t N>
class CountHistory {
  public:
    using Counts = std::array<std::uint64_t, N>;
    using Clock = std::chrono::steady_clock;
    static constexpr auto kWindow = std::chrono::seconds(60);

    // Keeps `counts` as they stand at `now`, unless the last sample is under a second old.
    void sample(Clock::time_point now, const Counts& counts) {
        if (size_ > 0 && now - ring_[newest()].at < std::chrono::seconds(1)) return;
        ring_[next_] = {now, counts};
        next_ = (next_ + 1) % ring_.size();
        if (size_ < ring_.size()) ++size_;
    }

    // What was added to each count between the sample nearest a minute before `now` (the
    // oldest one, while fewer than a minute's are kept) and `current`.
    Counts added_in_window(Clock::time_point now, const Counts& current) const {
        Counts added = current;
        if (size_ == 0) return added;
        const Sample* base = nullptr;
        for (std::size_t i = 0; i < size_; ++i) {  // oldest first
            const Sample& s = ring_[(next_ + ring_.size() - size_ + i) % ring_.size()];
            if (base == nullptr || now - s.at >= kWindow) base = &s;
        }
        for (std::size_t k = 0; k < N; ++k) {
            added[k] = current[k] >= base->counts[k] ? current[k] - base->counts[k] : 0;
        }
        return added;
    }

  private:
    struct Sample {
        Clock::time_point at{};
        Counts counts{};
    };
    std::size_t newest() const { return (next_ + ring_.size() - 1) % ring_.size(); }

    std::array<Sample, 62> ring_{};  // a minute of one-second samples, and one to spare
    std::size_t next_ = 0;
    std::size_t size_ = 0;
};

}  // namespace sqlgate::obs
