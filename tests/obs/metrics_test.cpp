// The Prometheus text a role writes: HELP and TYPE once per family, escaped label values,
// cumulative histogram buckets ending in +Inf with matching _count.
#include "obs/metrics.hpp"

#include <gtest/gtest.h>

namespace sqlgate::obs {
namespace {

constexpr MetricFamily kThings{"things_total", MetricType::counter, "Things.\nWith a \\ too."};

TEST(PrometheusText, FamilyThenSamplesWithEscapedLabels) {
    PrometheusText out;
    out.family(kThings);
    out.sample(kThings.name, {{"server", "a\"b\\c\nd"}, {"route", "random"}}, 3);
    out.sample(kThings.name, {}, 0.5);
    EXPECT_EQ(out.text(),
              "# HELP things_total Things.\\nWith a \\\\ too.\n"
              "# TYPE things_total counter\n"
              "things_total{server=\"a\\\"b\\\\c\\nd\",route=\"random\"} 3\n"
              "things_total 0.5\n");
}

TEST(PrometheusText, HistogramBucketsAreCumulative) {
    LatencyHistogram h;
    h.observe(0.0001);  // first bucket
    h.observe(0.003);   // le 0.005
    h.observe(0.003);
    h.observe(100);  // past the last bound: +Inf only
    EXPECT_EQ(h.count(), 4u);
    PrometheusText out;
    out.family({"took_seconds", MetricType::histogram, "Took."});
    out.histogram("took_seconds", {{"server", "r1"}}, h);
    const std::string& text = out.text();
    EXPECT_NE(text.find("took_seconds_bucket{server=\"r1\",le=\"0.00025\"} 1\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("took_seconds_bucket{server=\"r1\",le=\"0.0025\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("took_seconds_bucket{server=\"r1\",le=\"0.005\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("took_seconds_bucket{server=\"r1\",le=\"10\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("took_seconds_bucket{server=\"r1\",le=\"+Inf\"} 4\n"), std::string::npos);
    EXPECT_NE(text.find("took_seconds_sum{server=\"r1\"} 100.0061"), std::string::npos) << text;
    EXPECT_NE(text.find("took_seconds_count{server=\"r1\"} 4\n"), std::string::npos);
}

}  // namespace
}  // namespace sqlgate::obs
