#include "workload/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace sqlgate::workload {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<nanoseconds> us(std::initializer_list<int> values) {
    std::vector<nanoseconds> out;
    for (int v : values)
        out.push_back(microseconds(v));
    return out;
}

TEST(Percentile, NoSamplesHasNoValue) {
    EXPECT_FALSE(percentile({}, 50).has_value());
    EXPECT_FALSE(percentile({}, 95).has_value());
}

TEST(Percentile, OneSampleIsEveryPercentile) {
    for (double p : {0.0, 1.0, 50.0, 95.0, 100.0}) {
        EXPECT_EQ(percentile(us({42}), p), microseconds(42)) << p;
    }
}

TEST(Percentile, NearestRankOnUnsortedInput) {
    // 1..20 shuffled: p50 is the 10th smallest, p95 the 19th, p100 the largest.
    auto samples = us({7, 20, 3, 15, 1, 12, 9, 18, 5, 11, 2, 19, 14, 6, 17, 4, 10, 16, 8, 13});
    EXPECT_EQ(percentile(samples, 50), microseconds(10));
    EXPECT_EQ(percentile(samples, 95), microseconds(19));
    EXPECT_EQ(percentile(samples, 100), microseconds(20));
    EXPECT_EQ(percentile(samples, 0), microseconds(1));
    EXPECT_EQ(percentile(samples, 5), microseconds(1));
    EXPECT_EQ(percentile(samples, 5.1), microseconds(2));
}

TEST(Percentile, IsAlwaysASampleNeverInterpolated) {
    EXPECT_EQ(percentile(us({10, 20}), 50), microseconds(10));
    EXPECT_EQ(percentile(us({10, 20}), 51), microseconds(20));
    EXPECT_EQ(percentile(us({10, 20, 30, 40}), 95), microseconds(40));
}

TEST(Percentile, OutOfRangePercentIsClamped) {
    EXPECT_EQ(percentile(us({3, 1, 2}), -5), microseconds(1));
    EXPECT_EQ(percentile(us({3, 1, 2}), 250), microseconds(3));
}

TEST(FormatLatency, PrecisionFollowsMagnitude) {
    EXPECT_EQ(format_latency(std::nullopt), "-");
    EXPECT_EQ(format_latency(microseconds(432)), "0.43 ms");
    EXPECT_EQ(format_latency(microseconds(4'250)), "4.2 ms");
    EXPECT_EQ(format_latency(microseconds(250'400)), "250 ms");
}

TEST(NodeLabel, KnownIdsByNameUnknownById) {
    std::map<std::uint32_t, std::string> names{{1, "primary"}, {2, "replica-1"}};
    EXPECT_EQ(node_label(2, names), "replica-1");
    EXPECT_EQ(node_label(7, names), "server-7");
}

ReadSample ok(std::uint32_t server_id, int latency_us) {
    return {server_id, microseconds(latency_us), {}};
}

ReadSample failed(const std::string& error) {
    return {std::nullopt, microseconds(900), error};
}

TEST(TallyReads, CountsPerNodeIncludingUnknownIdsAndSeparatesErrors) {
    std::map<std::uint32_t, std::string> names{{1, "primary"}, {2, "replica-1"}};
    const auto tally =
        tally_reads({ok(2, 100), ok(2, 300), ok(9, 200), failed("ERROR 2013"), ok(1, 50)}, names);
    EXPECT_EQ(tally.by_node.at("replica-1"), 2);
    EXPECT_EQ(tally.by_node.at("primary"), 1);
    EXPECT_EQ(tally.by_node.at("server-9"), 1);
    EXPECT_EQ(tally.by_node.size(), 3u);
    EXPECT_EQ(tally.errors, 1);
    // Failed reads do not pollute the latency figures.
    EXPECT_EQ(tally.latencies.size(), 4u);
    EXPECT_EQ(percentile(tally.latencies, 100), microseconds(300));
}

TEST(TallyReads, SuccessWithoutServerIdCountsAsError) {
    const auto tally = tally_reads({{std::nullopt, microseconds(1), {}}}, {});
    EXPECT_EQ(tally.errors, 1);
    EXPECT_TRUE(tally.by_node.empty());
}

const std::vector<std::string> kNodes{"primary", "replica-1", "replica-2", "replica-3"};

TableReplication replicated(const std::string& table, std::vector<std::uint64_t> counts) {
    TableReplication t{table, {}, true};
    for (std::size_t i = 0; i < counts.size(); ++i) {
        t.nodes.push_back({kNodes[i], counts[i], {}});
        t.converged = t.converged && counts[i] == counts[0];
    }
    return t;
}

StrategyReads reads(const std::string& strategy, std::vector<ReadSample> samples) {
    return {strategy, strategy + "_table", std::move(samples)};
}

std::vector<ReadSample> repeat(int n, std::uint32_t server_id, int latency_us) {
    return std::vector<ReadSample>(static_cast<std::size_t>(n), ok(server_id, latency_us));
}

SendRequestsResult healthy_run() {
    SendRequestsResult r;
    r.nodes = kNodes;
    r.node_by_server_id = {{1, "primary"}, {2, "replica-1"}, {3, "replica-2"}, {4, "replica-3"}};
    r.writes = {{"direct_table", 20, 20, {}},
                {"random_table", 20, 20, {}},
                {"customized_table", 20, 20, {}}};
    auto random = repeat(7, 2, 400);
    for (auto& s : repeat(6, 3, 500))
        random.push_back(s);
    for (auto& s : repeat(7, 4, 700))
        random.push_back(s);
    r.reads = {reads("direct", repeat(20, 1, 400)), reads("random", random),
               reads("customized", repeat(20, 2, 300))};
    r.replication_checked = true;
    r.replication = {replicated("direct_table", {60, 60, 60, 60}),
                     replicated("random_table", {60, 60, 60, 60}),
                     replicated("customized_table", {60, 60, 60, 60})};
    r.replication_wait = std::chrono::milliseconds(120);
    return r;
}

std::string report(const SendRequestsResult& r) {
    std::ostringstream out;
    print_report(r, out);
    return out.str();
}

TEST(Report, HealthyRunReadsAtAGlance) {
    const auto r = healthy_run();
    EXPECT_EQ(report(r),
              "writes      direct_table 20/20   random_table 20/20   customized_table 20/20\n"
              "replicated  direct_table:      primary 60 rows  replica-1 60  replica-2 60  "
              "replica-3 60\n"
              "replicated  random_table:      primary 60 rows  replica-1 60  replica-2 60  "
              "replica-3 60\n"
              "replicated  customized_table:  primary 60 rows  replica-1 60  replica-2 60  "
              "replica-3 60\n"
              "reads       served by:  primary  replica-1  replica-2  replica-3  p50      p95      "
              "errors\n"
              "direct                  20       -          -          -          0.40 ms  0.40 ms  "
              "0\n"
              "random                  -        7          6          7          0.50 ms  0.70 ms  "
              "0\n"
              "customized              -        20         -          -          0.30 ms  0.30 ms  "
              "0\n"
              "result: OK (replicas converged in 0.12 s)\n");
    EXPECT_TRUE(succeeded(r));
    EXPECT_EQ(exit_code(r), 0);
}

TEST(Report, UnknownServerIdsGetTheirOwnColumnAfterTheNodes) {
    auto r = healthy_run();
    r.reads[1].samples[0] = ok(12, 400);
    r.reads[1].samples[1] = ok(9, 400);
    EXPECT_EQ(served_by_columns(r),
              (std::vector<std::string>{"primary", "replica-1", "replica-2", "replica-3",
                                        "server-9", "server-12"}));
    EXPECT_THAT(report(r), HasSubstr("replica-3  server-9  server-12  p50"));
}

TEST(Report, ReadErrorsAreCountedGroupedAndFailTheRun) {
    auto r = healthy_run();
    const std::string gone = "ERROR 1146 (42S02): Table 'main_db.random_table' doesn't exist";
    r.reads[1].samples[0] = failed(gone);
    r.reads[1].samples[5] = failed(gone);
    r.reads[1].samples[9] = failed("ERROR 2013 (HY000): Lost connection to server during query");
    r.reads[2].samples[0] = failed("ERROR 2013 (HY000): Lost connection to server during query");
    const auto text = report(r);
    // Samples 0 and 5 were replica-1's, sample 9 replica-2's; the errors column says 3.
    EXPECT_THAT(text, HasSubstr("\nrandom                  -        5          5          7"
                                "          0.50 ms  0.70 ms  3\n"));
    EXPECT_THAT(text, HasSubstr("problems:\n  - random read: " + gone +
                                "  (x2)\n"
                                "  - random read: ERROR 2013 (HY000): Lost connection"));
    EXPECT_THAT(text, HasSubstr("result: FAILED (4 reads failed)\n"));
    EXPECT_EQ(exit_code(r), 1);
}

TEST(Report, VerdictCountsInTheSingular) {
    auto r = healthy_run();
    r.reads[0].samples[3] = failed("ERROR 2013 (HY000): Lost connection to server during query");
    EXPECT_THAT(report(r), HasSubstr("result: FAILED (1 read failed)\n"));
}

TEST(Report, ManyDistinctErrorsAreCapped) {
    auto r = healthy_run();
    for (int i = 0; i < 6; ++i)
        r.reads[0].samples[i] = failed("error " + std::to_string(i));
    const auto text = report(r);
    EXPECT_THAT(text, HasSubstr("direct read: error 2\n"));
    EXPECT_THAT(text, Not(HasSubstr("direct read: error 3")));
    EXPECT_THAT(text, HasSubstr("direct read: 3 more distinct errors not shown"));
}

TEST(Report, FailedWritesShowInTheWritesLineAndTheVerdict) {
    auto r = healthy_run();
    r.writes[0].acknowledged = 19;
    r.writes[0].errors = {"ERROR 1062 (23000): Duplicate entry"};
    r.writes[2].acknowledged = 18;
    r.writes[2].errors = {"ERROR 1290 (HY000): read-only", "ERROR 1290 (HY000): read-only"};
    const auto text = report(r);
    EXPECT_THAT(text, HasSubstr("customized_table 18/20\n"));
    EXPECT_THAT(text, HasSubstr("  - write to customized_table: ERROR 1290 (HY000): read-only  "
                                "(x2)\n"));
    EXPECT_THAT(text, HasSubstr("result: FAILED (3 writes failed)\n"));
    EXPECT_EQ(exit_code(r), 1);
}

TEST(Report, LaggingReplicaIsMarkedAndExplained) {
    auto r = healthy_run();
    r.replication[0] = replicated("direct_table", {60, 60, 57, 60});
    r.replication_wait = std::chrono::milliseconds(10'004);
    ASSERT_FALSE(r.replication[0].converged);
    const auto text = report(r);
    EXPECT_THAT(text, HasSubstr("replicated  direct_table:      primary 60 rows  replica-1 60  "
                                "replica-2 57 (lagging)  replica-3 60\n"));
    EXPECT_THAT(text, HasSubstr("  - replica-2 has 57 rows in direct_table, primary has 60 "
                                "(still different after 10.00 s)\n"));
    EXPECT_THAT(text, HasSubstr("result: FAILED (replicas did not converge within 10.00 s)\n"));
    EXPECT_EQ(exit_code(r), 1);
}

TEST(Report, NodeThatNeverAnsweredIsShownAsError) {
    auto r = healthy_run();
    r.replication[1].nodes[3] = {"replica-3", std::nullopt,
                                 "ERROR 1105 (HY000): backend replica-3 is down"};
    r.replication[1].converged = false;
    const auto text = report(r);
    EXPECT_THAT(text, HasSubstr("replica-2 60  replica-3 error\n"));
    EXPECT_THAT(text, HasSubstr("  - replica-3 could not count random_table: ERROR 1105 (HY000): "
                                "backend replica-3 is down\n"));
    EXPECT_THAT(text, HasSubstr("result: FAILED (some nodes could not be counted within"));
    EXPECT_EQ(exit_code(r), 1);
}

TEST(Report, NoNodesMeansNoReplicationCheckAndStillOk) {
    auto r = healthy_run();
    r.nodes.clear();
    r.node_by_server_id.clear();
    r.replication.clear();
    r.replication_checked = false;
    const auto text = report(r);
    EXPECT_THAT(text, HasSubstr("replicated  not checked (no --nodes given)\n"));
    EXPECT_THAT(text, HasSubstr("served by:  server-1  server-2  server-3  server-4  p50"));
    EXPECT_THAT(text, HasSubstr("result: OK\n"));
    EXPECT_EQ(exit_code(r), 0);
}

TEST(Report, WarningsArePrintedAsNotes) {
    auto r = healthy_run();
    r.warnings.push_back("nodes primary and replica-1 both answered with @@server_id 1");
    EXPECT_THAT(report(r), HasSubstr("note: nodes primary and replica-1 both answered"));
    EXPECT_EQ(exit_code(r), 0);
}

TEST(Report, FatalErrorIsAllThatIsShown) {
    SendRequestsResult r;
    r.nodes = kNodes;
    r.fatal_error = "cannot connect to 127.0.0.1:3306: ERROR 2002 (HY000): refused";
    EXPECT_EQ(report(r),
              "send-requests: cannot connect to 127.0.0.1:3306: ERROR 2002 (HY000): refused\n"
              "result: FAILED (the workload could not run)\n");
    EXPECT_FALSE(succeeded(r));
    EXPECT_EQ(exit_code(r), 2);
}

}  // namespace
}  // namespace sqlgate::workload
