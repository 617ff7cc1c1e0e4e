// Automatic failover on a real cluster of its own (127.0.32.x: failover changes which node is
// primary, and the shared cluster's tests expect node 1): the primary SIGKILLed under load,
// and the proxy cut off from a primary that is alive; the kill and a switchover again with the
// load coming through the whole chain.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "harness/delay_relay.hpp"
#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kFailoverDir = ".sqlgate/failover-cluster";
constexpr const char* kFailoverNet = "127.0.32";

std::string failover_toml(const TestCluster& cluster) {
    return "\n[failover]\nmode = \"auto\"\nfailover_after_ms = 1000\nuser = \"" +
           cluster.value("CLUSTER_REPL_USER") + "\"\npassword_file = \"" +
           cluster.value("CLUSTER_REPL_PASSWORD_FILE") + "\"\n";
}

int server_id_of(const ClusterNode& node) {
    return node.server_id;
}

// Writers insert rows and remember each one the proxy acknowledged; readers count failures.
class MixedLoad {
  public:
    using Connect = std::function<std::unique_ptr<SqlClient>()>;
    // Rows go to `table`, with a unique `row_key` column; each thread has its own session.
    MixedLoad(Connect connect, std::string table, int writers, int readers)
        : connect_(std::move(connect)), table_(std::move(table)) {
        for (int w = 0; w < writers; ++w) {
            threads_.emplace_back([this, w] { write(w); });
        }
        for (int r = 0; r < readers; ++r) {
            threads_.emplace_back([this] { read(); });
        }
    }
    MixedLoad(const ProxyProcess& proxy, int writers, int readers)
        : MixedLoad([&proxy] { return proxy.connect(); }, "ft.acked", writers, readers) {}
    ~MixedLoad() { stop(); }

    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }
    // Rows as "writer-n", every one whose INSERT the client saw succeed.
    std::set<std::string> acknowledged() const {
        std::lock_guard lock(mutex_);
        return acknowledged_;
    }
    // When writes came back: the first acknowledged after the last that failed (a write in
    // flight at the kill may still be acknowledged just after it, between failures).
    std::optional<Clock::time_point> writes_resumed() const {
        std::lock_guard lock(mutex_);
        if (failure_times_.empty()) return std::nullopt;
        const auto last = *std::max_element(failure_times_.begin(), failure_times_.end());
        return first_after(write_times_, last);
    }
    int failed_reads() const { return failed_reads_; }
    int reads() const { return reads_; }
    // The distinct messages failed writes got.
    std::set<std::string> write_errors() const {
        std::lock_guard lock(mutex_);
        return write_errors_;
    }

  private:
    static std::optional<Clock::time_point> first_after(const std::vector<Clock::time_point>& v,
                                                        Clock::time_point t) {
        std::optional<Clock::time_point> first;
        for (const auto at : v) {
            if (at > t && (!first || at < *first)) first = at;
        }
        return first;
    }

    void write(int writer) {
        auto client = connect_();
        for (int n = 0; !stop_ && client; ++n) {
            const std::string row = std::to_string(writer) + "-" + std::to_string(n);
            const auto r =
                client->query("INSERT INTO " + table_ + " (row_key) VALUES ('" + row + "')");
            if (r.ok) {
                std::lock_guard lock(mutex_);
                acknowledged_.insert(row);
                write_times_.push_back(Clock::now());
            } else {
                {
                    std::lock_guard lock(mutex_);
                    failure_times_.push_back(Clock::now());
                    write_errors_.insert(r.error);
                }
                std::this_thread::sleep_for(20ms);
                if (r.error_code >= 2000) client = connect_();  // the client lost it
            }
        }
    }
    void read() {
        auto client = connect_();
        while (!stop_ && client) {
            const auto r = client->query("SELECT COUNT(*) FROM " + table_);
            ++reads_;
            if (!r.ok) {
                ++failed_reads_;
                if (r.error_code >= 2000) client = connect_();
            }
            std::this_thread::sleep_for(5ms);
        }
    }

    Connect connect_;
    std::string table_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stop_ = false;
    mutable std::mutex mutex_;
    std::set<std::string> acknowledged_;
    std::vector<Clock::time_point> write_times_;
    std::vector<Clock::time_point> failure_times_;
    std::set<std::string> write_errors_;
    std::atomic<int> failed_reads_ = 0;
    std::atomic<int> reads_ = 0;
};

std::set<std::string> rows_on(const TestCluster& cluster, const ClusterNode& node,
                              const std::string& table = "ft.acked") {
    std::set<std::string> rows;
    const std::string out = cluster.admin_sql(node, "SELECT row_key FROM " + table);
    std::size_t at = 0;
    while (at < out.size()) {
        const std::size_t end = std::min(out.find('\n', at), out.size());
        rows.insert(out.substr(at, end - at));
        at = end + 1;
    }
    return rows;
}

// Every acknowledged row is on `successor` and on each other node (but those in `skip`),
// once they have caught up with it.
void expect_everywhere(const TestCluster& cluster, const ClusterNode& successor,
                       const std::set<std::string>& acknowledged, const std::string& table,
                       const std::string& skip, const std::string& log) {
    ASSERT_FALSE(acknowledged.empty());
    const std::string target = cluster.admin_sql(successor, "SELECT @@gtid_binlog_pos");
    for (const ClusterNode& node : cluster.nodes()) {
        if (node.name == skip) continue;
        ASSERT_TRUE(eventually(node.name + " at " + target, 15s, [&] {
            return cluster.admin_sql(node, "SELECT @@gtid_current_pos") == target;
        })) << log;
        const auto rows = rows_on(cluster, node, table);
        for (const std::string& row : acknowledged) {
            EXPECT_TRUE(rows.count(row)) << row << " acknowledged but missing on " << node.name;
        }
    }
}

class Failover : public ::testing::Test {
  protected:
    void SetUp() override {
        cluster_ = TestCluster::fresh({kFailoverDir, kFailoverNet, 2});
        cluster_->admin_sql(cluster_->primary(),
                            "CREATE DATABASE ft; CREATE TABLE ft.acked (id INT AUTO_INCREMENT "
                            "PRIMARY KEY, row_key VARCHAR(32) NOT NULL UNIQUE)");
        cluster_->wait_for_replication();
        // Semi-sync on, with both replicas acknowledging: else the primary may run
        // asynchronously for a while, and the former primary hold writes nobody else has.
        const bool acknowledged = eventually("both replicas acknowledging (semi-sync)", 10s, [&] {
            return cluster_->admin_sql(
                       cluster_->primary(),
                       "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                       "WHERE VARIABLE_NAME = 'RPL_SEMI_SYNC_MASTER_CLIENTS'") == "2";
        });
        ASSERT_TRUE(acknowledged);
    }
    // The load's table where the chain's users may write; returns its name.
    std::string create_chain_table() {
        const std::string table = std::string(kChainSchema) + ".acked";
        cluster_->admin_sql(cluster_->primary(),
                            std::string("CREATE DATABASE ") + kChainSchema + "; CREATE TABLE " +
                                table +
                                " (id INT AUTO_INCREMENT PRIMARY KEY, row_key VARCHAR(32) NOT "
                                "NULL UNIQUE)");
        cluster_->wait_for_replication();
        return table;
    }
    std::unique_ptr<TestCluster> cluster_;
};

TEST_F(Failover, KilledPrimaryIsReplacedWithNoAcknowledgedWriteLostAndRejoins) {
    ProxyScenario scenario;
    scenario.cluster = cluster_.get();
    scenario.extra_toml = failover_toml(*cluster_);
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    MixedLoad load(proxy, 4, 16);
    std::this_thread::sleep_for(1s);
    const auto killed_at = Clock::now();
    cluster_->kill_node("primary");
    ASSERT_TRUE(eventually("a replica promoted", 20s, [&] {
        return proxy.log().find("event=failover_promoted") != std::string::npos;
    })) << proxy.log();
    std::this_thread::sleep_for(1s);
    load.stop();
    ASSERT_TRUE(load.writes_resumed()) << "no write failed, or none succeeded after";
    const auto resumed = *load.writes_resumed();
    std::cout << "[ figures  ] writes resumed "
              << std::chrono::duration_cast<std::chrono::milliseconds>(resumed - killed_at).count()
              << " ms after the kill; " << load.failed_reads() << " of " << load.reads()
              << " reads failed; " << load.acknowledged().size() << " inserts acknowledged\n";

    const std::string log = proxy.log();
    EXPECT_NE(log.find("event=failover_promoted"), std::string::npos) << log;
    // Reads never needed the primary: at most those in flight at the kill could fail.
    EXPECT_LE(load.failed_reads(), 16) << log;
    const ClusterNode& successor = cluster_->writable_node();
    EXPECT_NE(successor.name, "primary");
    auto client = proxy.connect();
    EXPECT_EQ(client->server_id("/* sqlgate:route=direct */ "), server_id_of(successor));

    // Every acknowledged insert is on the new primary and on the other replica.
    expect_everywhere(*cluster_, successor, load.acknowledged(), "ft.acked", "primary", log);

    // The former primary, started again, rejoins as a replica of its successor.
    cluster_->start_node("primary");
    ASSERT_TRUE(eventually("the former primary rejoined", 20s, [&] {
        return proxy.log().find("event=rejoined server=primary") != std::string::npos;
    })) << proxy.log();
    const ClusterNode& former = cluster_->nodes().front();
    EXPECT_EQ(cluster_->admin_sql(former, "SELECT @@read_only"), "1");
    ASSERT_TRUE(eventually("the former primary caught up", 15s, [&] {
        return rows_on(*cluster_, former).size() == rows_on(*cluster_, successor).size();
    }));
    // And it serves reads again.
    EXPECT_TRUE(eventually("a read served by the former primary", 10s, [&] {
        return client->server_id("/* sqlgate:route=random */ ") == server_id_of(former);
    })) << proxy.log();

    // A proxy started now with the same, outdated config (primary = node 1) finds the
    // primary from the servers themselves, and keeps the former one as a replica.
    ProxyProcess restarted(scenario);
    auto late = restarted.connect();
    ASSERT_TRUE(eventually("the restarted proxy writes on the new primary", 10s, [&] {
        return late->query("INSERT INTO ft.acked (row_key) VALUES ('late')").ok;
    })) << restarted.log();
    EXPECT_EQ(late->server_id("/* sqlgate:route=direct */ "), server_id_of(successor));
    EXPECT_NE(restarted.log().find("event=primary_discovered primary=" + successor.name +
                                   " configured=primary configured_is=\"its replica\""),
              std::string::npos)
        << restarted.log();
    EXPECT_TRUE(eventually("a read served by the former primary", 10s, [&] {
        return late->server_id("/* sqlgate:route=random */ ") == server_id_of(former);
    })) << restarted.log();
}

// A planned switchover through the proxy's admin listener (`sqlgate switchover`): writes
// wait while the roles swap, no read fails, nothing acknowledged is lost, and the former
// primary follows the new one.
TEST_F(Failover, SwitchoverUnderLoadLosesNoAcknowledgedWriteAndFailsNoRead) {
    const unsigned admin_port = next_port();
    ProxyScenario scenario;
    scenario.cluster = cluster_.get();
    scenario.extra_toml = failover_toml(*cluster_) + admin_toml(admin_port);
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    std::ostringstream command;
    command << "'" << sqlgate_binary() << "' switchover --admin " << kProxyAddress << ":"
            << admin_port << " --to ";
    const std::string cli = command.str();
    std::string out;
    EXPECT_EQ(run_command(cli + "primary 2>&1", &out), 1);
    EXPECT_NE(out.find("is the primary already"), std::string::npos) << out;
    EXPECT_EQ(run_command(cli + "nosuch 2>&1", &out), 1);
    EXPECT_NE(out.find("no server named 'nosuch'"), std::string::npos) << out;

    MixedLoad load(proxy, 4, 16);
    std::this_thread::sleep_for(1s);
    // Asked as an operator would, naming the proxy's config (whose [admin] says where to ask).
    std::ostringstream by_config;
    by_config << "'" << sqlgate_binary() << "' switchover --config '" << proxy.config_file()
              << "' --to replica-2 2>&1";
    const int status = run_command(by_config.str(), &out);
    std::this_thread::sleep_for(1s);
    load.stop();
    ASSERT_EQ(status, 0) << out << proxy.log();
    EXPECT_NE(out.find("\"primary\": \"replica-2\""), std::string::npos) << out;
    const std::string log = proxy.log();
    const std::size_t done = log.find("event=switchover_done");
    ASSERT_NE(done, std::string::npos) << log;
    std::cout << "[ figures  ] " << log.substr(done, log.find('\n', done) - done) << "; "
              << load.failed_reads() << " of " << load.reads() << " reads failed\n";
    EXPECT_EQ(load.failed_reads(), 0) << log;
    EXPECT_EQ(cluster_->writable_node().name, "replica-2");
    auto client = proxy.connect();
    EXPECT_EQ(client->server_id("/* sqlgate:route=direct */ "),
              server_id_of(cluster_->nodes().at(2)));

    ASSERT_TRUE(eventually("the former primary rejoined", 20s, [&] {
        return proxy.log().find("event=rejoined server=primary") != std::string::npos;
    })) << proxy.log();
    expect_everywhere(*cluster_, cluster_->nodes().at(2), load.acknowledged(), "ft.acked", "",
                      proxy.log());
}

// The whole chain (gatekeeper over TLS -> trusted host -> proxy) under the same load: the
// front roles see a failover only as writes refused for a moment, with errors that name
// the database server, not a hop; reads go on.
TEST_F(Failover, KilledPrimaryUnderLoadThroughTheWholeChain) {
    const std::string table = create_chain_table();
    ChainScenario scenario;
    scenario.cluster = cluster_.get();
    scenario.proxy_toml = failover_toml(*cluster_);
    Chain chain(scenario);
    MixedLoad load([&chain] { return chain.connect(); }, table, 4, 16);
    std::this_thread::sleep_for(1s);
    const auto killed_at = Clock::now();
    cluster_->kill_node("primary");
    ASSERT_TRUE(eventually("a replica promoted", 20s, [&] {
        return chain.proxy_log().find("event=failover_promoted") != std::string::npos;
    })) << chain.proxy_log();
    std::this_thread::sleep_for(1s);
    load.stop();
    ASSERT_TRUE(load.writes_resumed()) << "no write failed, or none succeeded after";
    std::cout << "[ figures  ] through the chain: writes resumed "
              << std::chrono::duration_cast<std::chrono::milliseconds>(*load.writes_resumed() -
                                                                       killed_at)
                     .count()
              << " ms after the kill; " << load.failed_reads() << " of " << load.reads()
              << " reads failed; " << load.acknowledged().size() << " inserts acknowledged\n";
    EXPECT_LE(load.failed_reads(), 16) << chain.proxy_log();
    const ClusterNode& former = cluster_->primary();
    const std::string named = "'primary' (" + former.host + ":" + std::to_string(former.port) + ")";
    for (const std::string& error : load.write_errors()) {
        EXPECT_NE(error.find(named), std::string::npos) << error;
    }
    EXPECT_TRUE(chain.all_running());
    const ClusterNode& successor = cluster_->writable_node();
    EXPECT_NE(successor.name, "primary");
    expect_everywhere(*cluster_, successor, load.acknowledged(), table, "primary",
                      chain.proxy_log());
}

TEST_F(Failover, AProxyCutOffFromALivePrimaryPromotesNothing) {
    // The proxy reaches the primary only through a relay the test takes away; the replicas
    // replicate directly, so they see it alive.
    const std::string relay_address = std::string(kFailoverNet) + ".50";
    const ClusterNode& primary = cluster_->primary();
    auto relay = std::make_optional<DelayRelay>(relay_address, 3306, primary.host, primary.port,
                                                kProxyAddress, 0ms);
    ProxyScenario scenario;
    scenario.cluster = cluster_.get();
    scenario.extra_toml = failover_toml(*cluster_);
    for (const ClusterNode& n : cluster_->nodes()) {
        const bool is_primary = n.name == "primary";
        scenario.servers.push_back(
            {n.name, is_primary ? relay_address : n.host, n.port, is_primary});
    }
    ProxyProcess proxy(scenario);
    proxy.wait_until_replicas_serve();
    auto client = proxy.connect();
    ASSERT_TRUE(client->query("INSERT INTO ft.acked (row_key) VALUES ('before')").ok);

    relay.reset();
    EXPECT_TRUE(eventually("writes refused: replicas still replicate", 10s, [&] {
        const auto w = client->query("INSERT INTO ft.acked (row_key) VALUES ('cut')");
        return !w.ok && w.error.find("still replicates from it") != std::string::npos;
    })) << proxy.log();
    // Well past failover_after_ms: still nothing promoted, reads go on.
    std::this_thread::sleep_for(2s);
    for (int i = 0; i < 10; ++i) {
        const auto r = client->query("SELECT COUNT(*) FROM ft.acked");
        EXPECT_TRUE(r.ok) << r.error;
    }
    EXPECT_EQ(proxy.log().find("event=failover_promoted"), std::string::npos) << proxy.log();
    EXPECT_NE(proxy.log().find("event=failover_blocked"), std::string::npos) << proxy.log();
    EXPECT_EQ(cluster_->writable_node().name, "primary");

    relay.emplace(relay_address, 3306, primary.host, primary.port, kProxyAddress, 0ms);
    EXPECT_TRUE(eventually("writes resume on the same primary", 10s, [&] {
        return client->query("INSERT INTO ft.acked (row_key) VALUES ('after')").ok;
    })) << proxy.log();
    EXPECT_EQ(cluster_->admin_sql(primary,
                                  "SELECT COUNT(*) FROM ft.acked WHERE row_key IN "
                                  "('before', 'after')"),
              "2");
}

// A switchover with the load coming through the whole chain: no read fails, no
// acknowledged write is lost.
TEST_F(Failover, SwitchoverUnderLoadThroughTheWholeChain) {
    const std::string table = create_chain_table();
    const unsigned admin_port = next_port();
    ChainScenario scenario;
    scenario.cluster = cluster_.get();
    scenario.proxy_toml = failover_toml(*cluster_) + admin_toml(admin_port);
    Chain chain(scenario);
    MixedLoad load([&chain] { return chain.connect(); }, table, 4, 16);
    std::this_thread::sleep_for(1s);
    std::ostringstream command;
    command << "'" << sqlgate_binary() << "' switchover --admin " << kProxyAddress << ":"
            << admin_port << " --to replica-1 2>&1";
    std::string out;
    const int status = run_command(command.str(), &out);
    std::this_thread::sleep_for(1s);
    load.stop();
    ASSERT_EQ(status, 0) << out << chain.proxy_log();
    EXPECT_EQ(load.failed_reads(), 0) << chain.proxy_log();
    EXPECT_GT(load.reads(), 0);
    EXPECT_EQ(cluster_->writable_node().name, "replica-1");
    ASSERT_TRUE(eventually("the former primary rejoined", 20s, [&] {
        return chain.proxy_log().find("event=rejoined server=primary") != std::string::npos;
    })) << chain.proxy_log();
    expect_everywhere(*cluster_, cluster_->nodes().at(1), load.acknowledged(), table, "",
                      chain.proxy_log());
}

}  // namespace
}  // namespace sqlgate::testing
