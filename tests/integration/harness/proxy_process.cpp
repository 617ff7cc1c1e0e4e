#include "harness/proxy_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "mysql/auth.hpp"

namespace sqlgate::testing {
namespace {

unsigned next_port() {
    // Ports of their own per test process, so that parallel test binaries do not collide.
    static unsigned next = 20000 + static_cast<unsigned>(::getpid() % 2000) * 16;
    return next++;
}

bool port_accepts(unsigned port) {
    std::string error;
    ConnectOptions o{
        .host = kProxyAddress, .port = port, .user = kAppUser, .password = kAppPassword};
    return SqlClient::connect(o, &error) != nullptr;
}

}  // namespace

ProxyProcess::ProxyProcess(ProxyScenario s) : port_(s.port ? s.port : next_port()) {
    const TestCluster& cluster = TestCluster::get();
    dir_ = (std::filesystem::temp_directory_path() /
            ("sqlgate-proxy-" + std::to_string(::getpid()) + "-" + std::to_string(port_)))
               .string();
    std::filesystem::create_directories(dir_);
    if (s.servers.empty()) {
        for (const ClusterNode& n : cluster.nodes()) {
            s.servers.push_back({n.name, n.host, n.port, n.name == "primary"});
        }
    }
    std::ostringstream toml;
    toml << "[listener]\naddress = \"" << kProxyAddress << "\"\nport = " << port_
         << "\ndefault_route = \"" << s.default_route << "\"\n";
    if (s.max_statement_bytes) toml << "max_statement_bytes = " << s.max_statement_bytes << "\n";
    toml << "\n"
         << "[backend]\nuser = \"" << cluster.value("CLUSTER_PROXY_USER")
         << "\"\npassword_file = \"" << cluster.value("CLUSTER_PROXY_PASSWORD_FILE")
         << "\"\nsource_address = \"" << kProxyAddress << "\"\n\n"
         << "[monitor]\nuser = \"" << cluster.value("CLUSTER_MONITOR_USER")
         << "\"\npassword_file = \"" << cluster.value("CLUSTER_MONITOR_PASSWORD_FILE")
         << "\"\ninterval_ms = " << s.monitor_interval_ms
         << "\nfailure_threshold = " << s.failure_threshold << "\n\n";
    for (const auto& server : s.servers) {
        toml << "[[servers]]\nname = \"" << server.name << "\"\naddress = \"" << server.address
             << "\"\nport = " << server.port << "\nrole = \""
             << (server.primary ? "primary" : "replica") << "\"\n\n";
    }
    toml << "[[users]]\nname = \"" << kAppUser << "\"\npassword_hash = \""
         << mysql::native_password_hash(kAppPassword) << "\"\n";
    if (!s.user_default_route.empty())
        toml << "default_route = \"" << s.user_default_route << "\"\n";
    toml << s.extra_toml;
    const std::string config = dir_ + "/proxy.toml";
    std::ofstream(config) << toml.str();

    const std::string binary = sqlgate_binary();
    const std::string log = dir_ + "/proxy.log";
    pid_ = ::fork();
    if (pid_ == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execl(binary.c_str(), "sqlgate", "proxy", "--config", config.c_str(), nullptr);
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!port_accepts(port_)) {
        if (!running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "proxy did not start; its log:\n" << this->log();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

ProxyProcess::~ProxyProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_, ignored);
}

bool ProxyProcess::running() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
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
    std::ifstream in(dir_ + "/proxy.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void ProxyProcess::wait_until_replicas_serve() const {
    auto client = connect();
    if (!client) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (client->server_id("/* sqlgate:route=random */ ") <= 1) {
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "replicas never served a read; proxy log:\n" << log();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace sqlgate::testing
