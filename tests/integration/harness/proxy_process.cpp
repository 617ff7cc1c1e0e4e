#include "harness/proxy_process.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mysql.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "eventually.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::testing {
namespace {

bool port_accepts(unsigned port) {
    std::string error;
    ConnectOptions o{
        .host = kProxyAddress, .port = port, .user = kAppUser, .password = kAppPassword};
    return SqlClient::connect(o, &error) != nullptr;
}

}  // namespace

bool port_listens(unsigned port, const char* address) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &sa.sin_addr);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

namespace {

std::string proxy_toml(ProxyScenario s, unsigned port) {
    const TestCluster& cluster = s.cluster != nullptr ? *s.cluster : TestCluster::get();
    if (s.servers.empty()) {
        for (const ClusterNode& n : cluster.nodes()) {
            s.servers.push_back({n.name, n.host, n.port, n.name == "primary"});
        }
    }
    std::ostringstream toml;
    toml << "[listener]\naddress = \"" << kProxyAddress << "\"\nport = " << port
         << "\ndefault_route = \"" << s.default_route << "\"\n";
    if (s.max_statement_bytes) toml << "max_statement_bytes = " << s.max_statement_bytes << "\n";
    std::size_t threads = s.threads;
    if (const char* from_env = std::getenv("SQLGATE_TEST_PROXY_THREADS"); threads == 0 && from_env)
        threads = std::strtoul(from_env, nullptr, 10);
    if (threads > 0) toml << "\n[runtime]\nthreads = " << threads << "\n";
    toml << "\n"
         << "[backend]\nuser = \""
         << (s.backend_user.empty() ? cluster.value("CLUSTER_PROXY_USER") : s.backend_user)
         << "\"\npassword_file = \""
         << (s.backend_password_file.empty() ? cluster.value("CLUSTER_PROXY_PASSWORD_FILE")
                                             : s.backend_password_file)
         << "\"\nsource_address = \"" << kProxyAddress << "\"\n"
         << s.backend_toml << "\n"
         << "[monitor]\nuser = \"" << cluster.value("CLUSTER_MONITOR_USER")
         << "\"\npassword_file = \"" << cluster.value("CLUSTER_MONITOR_PASSWORD_FILE")
         << "\"\ninterval_ms = " << s.monitor_interval_ms
         << "\nfailure_threshold = " << s.failure_threshold << "\n";
    if (s.max_replication_lag_ms > 0)
        toml << "max_replication_lag_ms = " << s.max_replication_lag_ms << "\n";
    if (s.heartbeat_interval_ms > 0)
        toml << "heartbeat_interval_ms = " << s.heartbeat_interval_ms << "\n";
    toml << "\n";
    for (const auto& server : s.servers) {
        toml << "[[servers]]\nname = \"" << server.name << "\"\naddress = \"" << server.address
             << "\"\nport = " << server.port << "\nrole = \""
             << (server.primary ? "primary" : "replica") << "\"\n\n";
    }
    toml << "[[users]]\nname = \"" << kAppUser << "\"\npassword_hash = \""
         << mysql::native_password_hash(kAppPassword) << "\"\n";
    if (!s.user_default_route.empty())
        toml << "default_route = \"" << s.user_default_route << "\"\n";
    if (s.user_max_replication_lag_ms > 0)
        toml << "max_replication_lag_ms = " << s.user_max_replication_lag_ms << "\n";
    toml << s.extra_toml;
    return toml.str();
}

}  // namespace

ProxyProcess::ProxyProcess(ProxyScenario s) : port_(s.port ? s.port : next_port()) {
    const unsigned port = port_;
    const bool plain = s.client_tls.empty();
    process_ = std::make_unique<RoleProcess>(
        "proxy", scratch_dir("proxy-" + std::to_string(port_)), proxy_toml(std::move(s), port_),
        [port, plain] { return plain ? port_accepts(port) : port_listens(port); });
}

void ProxyProcess::rewrite_config(ProxyScenario scenario) const {
    process_->rewrite_config(proxy_toml(std::move(scenario), port_));
}

ProxyProcess::~ProxyProcess() = default;

void ProxyProcess::signal(int signal) const {
    ::kill(process_->pid(), signal);
}

bool ProxyProcess::running() const {
    return process_->running();
}

ConnectOptions ProxyProcess::client_options() const {
    return {.host = kProxyAddress, .port = port_, .user = kAppUser, .password = kAppPassword};
}

std::unique_ptr<SqlClient> ProxyProcess::connect() const {
    std::string error;
    auto c = SqlClient::connect(client_options(), &error);
    EXPECT_TRUE(c) << "connecting to the proxy failed: " << error << "\nproxy log:\n" << log();
    return c;
}

std::string ProxyProcess::log() const {
    return process_->log();
}

void ProxyProcess::wait_until_replicas_serve() const {
    auto client = connect();
    if (!client) return;
    EXPECT_TRUE(eventually("a random read served by a replica", std::chrono::seconds(10),
                           [&] { return client->server_id("/* sqlgate:route=random */ ") > 1; }))
        << "proxy log:\n"
        << log();
}

std::string admin_of(unsigned port, const std::string& address) {
    return address + ":" + std::to_string(port);
}

void expect_kill_query_interrupts(SqlClient& victim, SqlClient& killer) {
    const unsigned long id = mysql_thread_id(victim.handle());
    QueryResult sleeping;
    const auto started = std::chrono::steady_clock::now();
    std::thread slow(
        [&] { sleeping = victim.query("/* sqlgate:route=direct */ SELECT SLEEP(20)"); });
    // KILL QUERY must meet the statement running on the primary, not still on its way there.
    EXPECT_TRUE(eventually("SELECT SLEEP(20) running on the primary", std::chrono::seconds(5),
                           [] { return TestCluster::get().primary_sleeping(20); }));
    const QueryResult kill_query = killer.query("KILL QUERY " + std::to_string(id));
    slow.join();
    ASSERT_TRUE(kill_query.ok) << kill_query.error;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    // SLEEP() answers 1 when interrupted (or the statement fails with 1317).
    EXPECT_TRUE((sleeping.ok && sleeping.scalar() == "1") || sleeping.error_code == 1317u)
        << sleeping.error;
    EXPECT_EQ(victim.query("SELECT 'alive'").scalar(), "alive");
}

double metric_sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
            line[series.size()] == ' ') {
            return std::stod(line.substr(series.size() + 1));
        }
    }
    return 0;
}

std::string admin_toml(unsigned port, const std::string& address,
                       const std::vector<std::string>& peers) {
    std::ostringstream toml;
    toml << "\n[admin]\naddress = \"" << address << "\"\nport = " << port << "\n";
    if (!peers.empty()) {
        toml << "peers = [";
        for (std::size_t i = 0; i < peers.size(); ++i)
            toml << (i > 0 ? ", \"" : "\"") << peers[i] << '"';
        toml << "]\n";
    }
    return toml.str();
}

}  // namespace sqlgate::testing
