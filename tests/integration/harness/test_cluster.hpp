// The MariaDB cluster of the integration tests: started (or reused) through
// scripts/cluster.sh on its own loopback addresses, described by its cluster.env.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sqlgate::testing {

struct ClusterNode {
    std::string name;
    std::string host;
    int port = 3306;
    int server_id = 0;
    std::string socket;
};

// Where a cluster lives: its state folder (under the source tree), its three address octets
// and its number of replicas.
struct ClusterPlace {
    std::string dir;
    std::string net;
    int replicas = 3;
};

class TestCluster {
  public:
    // The cluster every integration test shares; brought up on first use.
    static TestCluster& get();
    // A cluster of the caller's own (tests that change which node is primary), started fresh:
    // whatever an earlier run left in `place.dir` is destroyed first.
    static std::unique_ptr<TestCluster> fresh(ClusterPlace place);
    ~TestCluster();

    const std::vector<ClusterNode>& nodes() const { return nodes_; }
    const ClusterNode& primary() const { return nodes_.front(); }
    std::string value(const std::string& key) const;  // a cluster.env entry

    // Brings every node back (after a test killed one) and waits for replication.
    void ensure_up();
    // SIGKILLs a node's mariadbd.
    void kill_node(const std::string& name);
    // Starts a killed node again with its data, leaving its replication as it was.
    void start_node(const std::string& name);
    // The node that answers @@read_only = 0 (the primary, after any failover).
    const ClusterNode& writable_node() const;
    // Runs SQL as root on a node's unix socket; returns the output (tab-separated, no headers).
    std::string admin_sql(const ClusterNode& node, const std::string& sql) const;
    // Waits until every replica has applied all the primary's transactions.
    void wait_for_replication() const;
    // Whether the primary is running SELECT SLEEP(seconds) now (a statement to interrupt).
    bool primary_sleeping(int seconds) const;

  private:
    explicit TestCluster(ClusterPlace place) : place_(std::move(place)) {}
    void load_env();
    std::string cluster_command(const std::string& arguments) const;

    ClusterPlace place_;
    bool destroy_on_exit_ = false;
    std::map<std::string, std::string> env_;
    std::vector<ClusterNode> nodes_;
};

// Paths the build passes in.
std::string source_dir();
std::string sqlgate_binary();
// Runs a shell command; returns its exit status and fills `output` with stdout.
int run_command(const std::string& command, std::string* output = nullptr);
// A file's whole text ("" when it cannot be read).
std::string read_file(const std::string& path);
// Replaces the first `from` in the file (a test failure if absent), through a file renamed
// over it, so a role reloading meanwhile never reads half of it.
void replace_in_file(const std::string& path, const std::string& from, const std::string& to);
// How often `what` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& what);

// Addresses of the test topology (all loopback; see README "Addresses").
constexpr const char* kClusterDir = ".sqlgate/test-cluster";
constexpr const char* kClusterNet = "127.0.30";
constexpr const char* kClientHostPattern = "127.0.31.%";
constexpr const char* kProxyAddress = "127.0.31.1";

}  // namespace sqlgate::testing
