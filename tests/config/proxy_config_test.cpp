#include "config/proxy_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace sqlgate::config {
namespace {

class ProxyConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sqlgate-config-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        std::ofstream(dir_ / "proxy.pw") << "proxy-secret\n";
        std::ofstream(dir_ / "monitor.pw") << "monitor-secret";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    ProxyConfig parse(const std::string& text) {
        return parse_proxy_config(text, dir_ / "proxy.toml");
    }

    // The error message for `text`, or "" when it parses.
    std::string error_of(const std::string& text) {
        try {
            parse(text);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }

    std::filesystem::path dir_;
};

const std::string kValid = R"(
[listener]
address = "127.0.10.3"
port = 3306
default_route = "customized"

[backend]
user = "sqlgate_proxy"
password_file = "proxy.pw"
source_address = "127.0.10.3"

[monitor]
user = "sqlgate_monitor"
password_file = "monitor.pw"
interval_ms = 100

[[servers]]
name = "primary"
address = "127.0.20.1"
role = "primary"

[[servers]]
name = "replica-1"
address = "127.0.20.2"
port = 3307
role = "replica"

[[users]]
name = "demo"
password_hash = "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"
default_route = "random"
)";

TEST_F(ProxyConfigTest, ParsesAValidFile) {
    const ProxyConfig c = parse(kValid);
    EXPECT_EQ(c.listen_address, "127.0.10.3");
    EXPECT_EQ(c.default_route, RouteStrategy::customized);
    EXPECT_EQ(c.backend.password, "proxy-secret");  // relative to the file, newline dropped
    EXPECT_EQ(c.monitor.password, "monitor-secret");
    EXPECT_EQ(c.monitor_interval, std::chrono::milliseconds(100));
    ASSERT_EQ(c.servers.size(), 2u);
    EXPECT_EQ(c.servers[1].port, 3307);
    EXPECT_EQ(c.servers[1].role, ServerRole::replica);
    ASSERT_EQ(c.users.size(), 1u);
    EXPECT_EQ(c.users[0].default_route, RouteStrategy::random);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST_F(ProxyConfigTest, UnknownKeyNamesFileLineAndKey) {
    const auto e = error_of(replace(kValid, "port = 3306", "prot = 3306"));
    EXPECT_NE(e.find("proxy.toml:4: listener.prot: unknown key"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, UnknownRouteIsAnError) {
    const auto e =
        error_of(replace(kValid, "default_route = \"random\"", "default_route = \"fast\""));
    EXPECT_NE(e.find("users[0].default_route: unknown route 'fast'"), std::string::npos) << e;
    EXPECT_NE(e.find("proxy.toml:31"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, BadAddressIsAnError) {
    const auto e = error_of(replace(kValid, "\"127.0.20.2\"", "\"127.0.20\""));
    EXPECT_NE(e.find("servers[1].address: '127.0.20' is not an IP address"), std::string::npos)
        << e;
}

TEST_F(ProxyConfigTest, MissingPasswordFileIsAnError) {
    const auto e = error_of(replace(kValid, "\"monitor.pw\"", "\"nope.pw\""));
    EXPECT_NE(e.find("monitor.password_file: cannot read"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, InlinePasswordIsRefused) {
    const auto e = error_of(
        replace(kValid, "user = \"sqlgate_proxy\"", "user = \"sqlgate_proxy\"\npassword = \"x\""));
    EXPECT_NE(e.find("backend.password: passwords are not written in the config"),
              std::string::npos)
        << e;
}

TEST_F(ProxyConfigTest, WrongTypeIsAnError) {
    const auto e = error_of(replace(kValid, "port = 3306", "port = \"3306\""));
    EXPECT_NE(e.find("listener.port: expected an integer"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, OutOfRangePortIsAnError) {
    const auto e = error_of(replace(kValid, "port = 3306", "port = 70000"));
    EXPECT_NE(e.find("listener.port: out of range"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, ReplicaSafeFunctions) {
    const std::string with_routing =
        kValid + "\n[routing]\nreplica_safe_functions = [\"price_of\", \"shop.tax\"]\n";
    EXPECT_EQ(parse(with_routing).replica_safe_functions,
              (std::vector<std::string>{"price_of", "shop.tax"}));
    EXPECT_TRUE(parse(kValid).replica_safe_functions.empty());
    for (const std::string bad : {"\"a.b.c\"", "\".f\"", "\"db.\"", "\"\""}) {
        const auto e = error_of(kValid + "\n[routing]\nreplica_safe_functions = [" + bad + "]\n");
        EXPECT_NE(e.find("routing.replica_safe_functions: '"), std::string::npos) << e;
        EXPECT_NE(e.find("is not a function name"), std::string::npos) << e;
    }
}

TEST_F(ProxyConfigTest, FailoverIsOffUnlessConfigured) {
    const ProxyConfig off = parse(kValid);
    EXPECT_EQ(off.failover, FailoverMode::off);
    EXPECT_EQ(off.servers.at(1).priority, 0);
    std::ofstream(dir_ / "repl.pw") << "repl-secret\n";
    const std::string automatic =
        replace(kValid, "port = 3307\n", "port = 3307\npriority = 5\n") +
        "\n[failover]\nmode = \"auto\"\nfailover_after_ms = 1500\nuser = \"repl\"\n"
        "password_file = \"repl.pw\"\n";
    const ProxyConfig on = parse(automatic);
    EXPECT_EQ(on.failover, FailoverMode::automatic);
    EXPECT_EQ(on.failover_after, std::chrono::milliseconds(1500));
    EXPECT_EQ(on.replication.user, "repl");
    EXPECT_EQ(on.replication.password, "repl-secret");
    EXPECT_EQ(on.servers.at(1).priority, 5);
    auto e = error_of(replace(automatic, "\"auto\"", "\"sometimes\""));
    EXPECT_NE(e.find("failover.mode: must be \"auto\", \"manual\" or \"off\""), std::string::npos)
        << e;
    e = error_of(replace(automatic, "user = \"repl\"", "user = \"re'pl\""));
    EXPECT_NE(e.find("failover.user: quotes"), std::string::npos) << e;
    e = error_of(replace(automatic, "user = \"repl\"\n", ""));
    EXPECT_NE(e.find("failover.user"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, ExactlyOnePrimary) {
    const auto e = error_of(replace(kValid, "role = \"replica\"", "role = \"primary\""));
    EXPECT_NE(e.find("exactly one server"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, MalformedHashIsAnError) {
    const auto e = error_of(replace(kValid, "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19", "secret"));
    EXPECT_NE(e.find("users[0].password_hash"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, TomlSyntaxErrorHasLine) {
    const auto e = error_of(replace(kValid, "[monitor]", "[monitor"));
    EXPECT_NE(e.find("proxy.toml:12"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, UnknownTopLevelTableIsAnError) {
    const auto e = error_of(kValid + "\n[listner]\nport = 1\n");
    EXPECT_NE(e.find("listner: unknown key"), std::string::npos) << e;
}

TEST_F(ProxyConfigTest, MissingFileIsAnError) {
    EXPECT_THROW(load_proxy_config(dir_ / "absent.toml"), ConfigError);
}

TEST_F(ProxyConfigTest, ReplicationLagInMillisecondsOrSeconds) {
    EXPECT_EQ(parse(kValid).max_replication_lag_s, 30);
    const auto ms =
        replace(kValid, "interval_ms = 100", "interval_ms = 100\nmax_replication_lag_ms = 500");
    EXPECT_DOUBLE_EQ(parse(ms).max_replication_lag_s, 0.5);
    const auto s =
        replace(kValid, "interval_ms = 100", "interval_ms = 100\nmax_replication_lag_s = 2");
    EXPECT_DOUBLE_EQ(parse(s).max_replication_lag_s, 2);
    const auto both =
        replace(ms, "interval_ms = 100", "interval_ms = 100\nmax_replication_lag_s = 2");
    EXPECT_NE(error_of(both).find(
                  "monitor.max_replication_lag_ms: give max_replication_lag_s or _ms, not both"),
              std::string::npos)
        << error_of(both);
    const auto negative =
        replace(kValid, "interval_ms = 100", "interval_ms = 100\nmax_replication_lag_ms = -1");
    EXPECT_NE(error_of(negative).find("cannot be negative"), std::string::npos)
        << error_of(negative);
}

TEST_F(ProxyConfigTest, BackendConnectionsAreSharedAndUnlimitedUnlessConfigured) {
    const auto defaults = parse(kValid);
    EXPECT_TRUE(defaults.multiplex);
    EXPECT_EQ(defaults.max_connections_per_server, 0u);
    EXPECT_EQ(defaults.connection_wait_timeout.count(), 10'000);
    const auto set = parse(replace(kValid, "source_address = \"127.0.10.3\"",
                                   "source_address = \"127.0.10.3\"\nmultiplex = false\n"
                                   "max_connections_per_server = 64\n"
                                   "connection_wait_timeout_ms = 500"));
    EXPECT_FALSE(set.multiplex);
    EXPECT_EQ(set.max_connections_per_server, 64u);
    EXPECT_EQ(set.connection_wait_timeout.count(), 500);
    const auto no_wait = replace(kValid, "source_address = \"127.0.10.3\"",
                                 "source_address = \"127.0.10.3\"\nconnection_wait_timeout_ms = 0");
    EXPECT_NE(error_of(no_wait).find("backend.connection_wait_timeout_ms: must be at least 1"),
              std::string::npos)
        << error_of(no_wait);
    const auto word = replace(kValid, "source_address = \"127.0.10.3\"",
                              "source_address = \"127.0.10.3\"\nmultiplex = \"yes\"");
    EXPECT_NE(error_of(word).find("backend.multiplex"), std::string::npos) << error_of(word);
    const auto negative =
        replace(kValid, "source_address = \"127.0.10.3\"",
                "source_address = \"127.0.10.3\"\nmax_connections_per_server = -1");
    EXPECT_NE(error_of(negative).find("backend.max_connections_per_server"), std::string::npos)
        << error_of(negative);
}

TEST_F(ProxyConfigTest, PipeliningIsOffUnlessADepthFrom2To64IsGiven) {
    EXPECT_EQ(parse(kValid).pipeline_depth, 1u);
    const auto with = [](const std::string& line) {
        return replace(kValid, "source_address = \"127.0.10.3\"",
                       "source_address = \"127.0.10.3\"\n" + line);
    };
    EXPECT_EQ(parse(with("pipeline_depth = 16")).pipeline_depth, 16u);
    EXPECT_EQ(parse(with("pipeline_depth = 64")).pipeline_depth, 64u);
    for (const char* bad : {"pipeline_depth = 0", "pipeline_depth = 65", "pipeline_depth = -2",
                            "pipeline_depth = \"4\""}) {
        const std::string error = error_of(with(bad));
        EXPECT_NE(error.find("backend.pipeline_depth"), std::string::npos) << bad << ": " << error;
    }
    EXPECT_NE(error_of(with("pipeline_depth = 0")).find("must be from 1 (no pipelining) to 64"),
              std::string::npos);
}

TEST_F(ProxyConfigTest, EventLoopThreadsAreCountedOrOnePerCore) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    EXPECT_EQ(parse(kValid).threads, cores);
    EXPECT_EQ(parse(kValid + "\n[runtime]\nthreads = 0\n").threads, cores);
    EXPECT_EQ(parse(kValid + "\n[runtime]\nthreads = 1\n").threads, 1u);
    EXPECT_EQ(parse(kValid + "\n[runtime]\nthreads = 4\n").threads, 4u);
    const std::string too_many = kValid + "\n[runtime]\nthreads = 65\n";
    EXPECT_NE(error_of(too_many).find("runtime.threads: at most 64"), std::string::npos)
        << error_of(too_many);
    const std::string word = kValid + "\n[runtime]\nthreads = \"many\"\n";
    EXPECT_NE(error_of(word).find("runtime.threads"), std::string::npos) << error_of(word);
    const std::string unknown = kValid + "\n[runtime]\nworkers = 2\n";
    EXPECT_NE(error_of(unknown).find("runtime.workers"), std::string::npos) << error_of(unknown);
}

// [runtime] io: the workers' loop, io_uring unless epoll is asked for; anything else is refused.
TEST_F(ProxyConfigTest, TheWorkersLoopIsIoUringUnlessEpollIsAskedFor) {
    EXPECT_EQ(parse(kValid).io, EventLoopIo::io_uring);
    EXPECT_EQ(parse(kValid + "\n[runtime]\nio = \"io_uring\"\n").io, EventLoopIo::io_uring);
    EXPECT_EQ(parse(kValid + "\n[runtime]\nthreads = 2\nio = \"epoll\"\n").io, EventLoopIo::epoll);
    const std::string other = kValid + "\n[runtime]\nio = \"select\"\n";
    EXPECT_NE(error_of(other).find("runtime.io: \"io_uring\" or \"epoll\""), std::string::npos)
        << error_of(other);
    const std::string number = kValid + "\n[runtime]\nio = 1\n";
    EXPECT_NE(error_of(number).find("runtime.io"), std::string::npos) << error_of(number);
}

TEST_F(ProxyConfigTest, TheHeartbeatIsOffUnlessGivenAnIntervalAndNamesAPlainTable) {
    EXPECT_EQ(parse(kValid).heartbeat_interval.count(), 0);
    EXPECT_EQ(parse(kValid).heartbeat_table, "sqlgate.heartbeat");
    const auto on = replace(kValid, "interval_ms = 100",
                            "interval_ms = 100\nheartbeat_interval_ms = 200\n"
                            "heartbeat_table = \"ops.replication_beat\"");
    EXPECT_EQ(parse(on).heartbeat_interval.count(), 200);
    EXPECT_EQ(parse(on).heartbeat_table, "ops.replication_beat");
    const auto too_often =
        replace(kValid, "interval_ms = 100", "interval_ms = 100\nheartbeat_interval_ms = 5");
    EXPECT_NE(error_of(too_often).find("heartbeat_interval_ms: must be 0 (off) or at least 10"),
              std::string::npos)
        << error_of(too_often);
    for (const char* bad : {"heartbeat", ".t", "s.", "s.t; DROP TABLE x", "s.`t`", "a.b.c"}) {
        const auto named =
            replace(kValid, "interval_ms = 100",
                    std::string("interval_ms = 100\nheartbeat_table = \"") + bad + "\"");
        EXPECT_NE(error_of(named).find("monitor.heartbeat_table: must be schema.table"),
                  std::string::npos)
            << bad << ": " << error_of(named);
    }
}

TEST_F(ProxyConfigTest, AUserMayHaveAStricterReplicationLag) {
    EXPECT_FALSE(parse(kValid).users.at(0).max_replication_lag_s);
    const auto strict = replace(kValid, "[[users]]\n", "[[users]]\nmax_replication_lag_ms = 200\n");
    EXPECT_DOUBLE_EQ(*parse(strict).users.at(0).max_replication_lag_s, 0.2);
    const auto negative =
        replace(kValid, "[[users]]\n", "[[users]]\nmax_replication_lag_ms = -5\n");
    EXPECT_NE(error_of(negative).find("max_replication_lag_ms: cannot be negative"),
              std::string::npos)
        << error_of(negative);
}

}  // namespace
}  // namespace sqlgate::config
