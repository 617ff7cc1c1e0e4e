#include "harness/test_cluster.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "eventually.hpp"

namespace sqlgate::testing {

std::string source_dir() {
    return SQLGATE_SOURCE_DIR;
}
std::string sqlgate_binary() {
    return SQLGATE_BINARY;
}

int run_command(const std::string& command, std::string* output) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    std::array<char, 4096> buf{};
    std::string out;
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    if (output != nullptr) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
    std::string text = read_file(path);
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << path;
    text.replace(at, from.size(), to);
    std::ofstream(path + ".next") << text;
    std::filesystem::rename(path + ".next", path);
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

TestCluster& TestCluster::get() {
    static TestCluster cluster({kClusterDir, kClusterNet, 3});
    [[maybe_unused]] static const bool started = (cluster.ensure_up(), true);
    return cluster;
}

std::unique_ptr<TestCluster> TestCluster::fresh(ClusterPlace place) {
    std::unique_ptr<TestCluster> cluster(new TestCluster(std::move(place)));
    std::string out;
    if (run_command(cluster->cluster_command("destroy"), &out) != 0) {
        throw std::runtime_error("scripts/cluster.sh destroy failed:\n" + out);
    }
    cluster->destroy_on_exit_ = true;
    cluster->ensure_up();
    return cluster;
}

TestCluster::~TestCluster() {
    // SQLGATE_KEEP_CLUSTERS=1 keeps it (data, error logs) for a look after a failure.
    const char* keep = std::getenv("SQLGATE_KEEP_CLUSTERS");
    if (destroy_on_exit_ && (keep == nullptr || std::string(keep) != "1")) {
        run_command(cluster_command("destroy"));
    }
}

std::string TestCluster::cluster_command(const std::string& arguments) const {
    return "cd '" + source_dir() + "' && scripts/cluster.sh " + arguments + " --dir " + place_.dir +
           " 2>&1";
}

void TestCluster::ensure_up() {
    const std::string cmd = cluster_command("up --net " + place_.net + " --replicas " +
                                            std::to_string(place_.replicas) + " --client-host '" +
                                            kClientHostPattern + "'");
    std::string out;
    if (run_command(cmd, &out) != 0) {
        throw std::runtime_error("scripts/cluster.sh up failed:\n" + out);
    }
    load_env();
}

void TestCluster::start_node(const std::string& name) {
    std::string out;
    if (run_command(cluster_command("start-node --node " + name), &out) != 0) {
        throw std::runtime_error("scripts/cluster.sh start-node failed:\n" + out);
    }
}

const ClusterNode& TestCluster::writable_node() const {
    for (const ClusterNode& node : nodes_) {
        try {
            if (admin_sql(node, "SELECT @@read_only") == "0") return node;
        } catch (const std::runtime_error&) {
            // a node that is down is not it
        }
    }
    throw std::runtime_error("no node of " + place_.dir + " is writable");
}

void TestCluster::load_env() {
    std::ifstream in(source_dir() + "/" + place_.dir + "/cluster.env");
    if (!in) throw std::runtime_error("no cluster.env after cluster.sh up");
    env_.clear();
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        std::string v = line.substr(eq + 1);
        if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"')) v = v.substr(1, v.size() - 2);
        env_[line.substr(0, eq)] = v;
    }
    nodes_.clear();
    const int count = std::stoi(value("CLUSTER_NODES"));
    for (int k = 1; k <= count; ++k) {
        const std::string p = "NODE_" + std::to_string(k) + "_";
        nodes_.push_back({value(p + "NAME"), value(p + "HOST"), std::stoi(value(p + "PORT")),
                          std::stoi(value(p + "SERVER_ID")), value(p + "SOCKET")});
    }
}

std::string TestCluster::value(const std::string& key) const {
    const auto it = env_.find(key);
    if (it == env_.end()) throw std::runtime_error("cluster.env has no " + key);
    return it->second;
}

void TestCluster::kill_node(const std::string& name) {
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
        if (nodes_[k].name != name) continue;
        std::ifstream pidfile(value("NODE_" + std::to_string(k + 1) + "_PID_FILE"));
        pid_t pid = 0;
        pidfile >> pid;
        if (pid <= 0) throw std::runtime_error("no pid for " + name);
        ::kill(pid, SIGKILL);
        return;
    }
    throw std::runtime_error("no node " + name);
}

bool TestCluster::primary_sleeping(int seconds) const {
    const std::string like = "'%SLEEP(" + std::to_string(seconds) + ")%'";
    return admin_sql(primary(),
                     "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                     " WHERE STATE = 'User sleep' AND INFO LIKE " +
                         like) == "1";
}

std::string TestCluster::admin_sql(const ClusterNode& node, const std::string& sql) const {
    std::string out;
    const std::string cmd =
        "mariadb --socket='" + node.socket + "' -uroot -N -B -e \"" + sql + "\" 2>&1";
    if (run_command(cmd, &out) != 0)
        throw std::runtime_error("admin SQL failed on " + node.name + ": " + out);
    while (!out.empty() && out.back() == '\n')
        out.pop_back();
    return out;
}

void TestCluster::wait_for_replication() const {
    const std::string target = admin_sql(primary(), "SELECT @@gtid_binlog_pos");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    for (std::size_t k = 1; k < nodes_.size(); ++k) {
        const auto caught_up = eventually(
            nodes_[k].name + " at " + target, deadline - std::chrono::steady_clock::now(),
            [&] { return admin_sql(nodes_[k], "SELECT @@gtid_slave_pos") == target; });
        if (!caught_up) throw std::runtime_error(caught_up.message());
    }
}

}  // namespace sqlgate::testing
