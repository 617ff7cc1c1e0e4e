// Metrics for Prometheus: each family declared once (name, type, help), latency histograms
// with one set of buckets, and the text exposition format (0.0.4) a role's /metrics writes.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sqlgate::obs {

enum class MetricType : std::uint8_t { counter, gauge, histogram };

struct MetricFamily {
    std::string_view name;
    MetricType type;
    std::string_view help;
};

// Upper bounds, in seconds, of every latency histogram: from a cached point read on a local
// replica (sub-millisecond) to a statement that should have been a batch job.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

// Counts of observations per bucket (not cumulative: the writer sums them), their sum and
// count. One thread owns it; observing costs a short scan and no allocation.
class LatencyHistogram {
  public:
    void observe(double seconds) {
        std::size_t i = 0;
        while (i < kLatencyBuckets.size() && seconds > kLatencyBuckets[i])
            ++i;
        ++counts_[i];
        sum_ += seconds;
    }
    const std::array<std::uint64_t, kLatencyBuckets.size() + 1>& counts() const { return counts_; }
    double sum() const { return sum_; }
    std::uint64_t count() const;
    // Adds another thread's observations (figures merged for /metrics).
    void add(const LatencyHistogram& other) {
        for (std::size_t i = 0; i < counts_.size(); ++i)
            counts_[i] += other.counts_[i];
        sum_ += other.sum_;
    }

  private:
    std::array<std::uint64_t, kLatencyBuckets.size() + 1> counts_{};  // the last: +Inf only
    double sum_ = 0;
};

using MetricLabel = std::pair<std::string_view, std::string_view>;

// Writes the text exposition: a family's HELP and TYPE once, then its samples. Label values
// are escaped (backslash, double quote, newline), so server and user names can be anything.
class PrometheusText {
  public:
    // Starts `family`; its samples follow.
    void family(const MetricFamily& family);
    void sample(std::string_view name, std::initializer_list<MetricLabel> labels, double value);
    // The _bucket, _sum and _count samples of the current histogram family.
    void histogram(std::string_view name, std::initializer_list<MetricLabel> labels,
                   const LatencyHistogram& histogram);
    const std::string& text() const { return out_; }

    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  private:
    void labels(std::initializer_list<MetricLabel> labels, std::string_view le = {});
    void value(double v);

    std::string out_;
};

}  // namespace sqlgate::obs
