// Automatic failover: decides that the primary is lost (never while a replica still streams
// from it), promotes the most advanced replica, points the others at it, and rejoins a
// former primary that comes back. Runs beside the ReplicaMonitor, on the proxy's thread.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <vector>

#include "config/proxy_config.hpp"
#include "net/mysql_client.hpp"
#include "obs/log.hpp"
#include "proxy/gtid_position.hpp"
#include "proxy/proxy_runtime.hpp"

namespace sqlgate::proxy {

// What a replica reported when failover asked how far it has got.
struct PromotionCandidate {
    std::size_t index = 0;
    int priority = 0;
    GtidPosition received;  // Gtid_IO_Pos: everything in its relay log
};

// The candidate to promote: the one whose received position covers every other's; if none
// does (diverged domains), the one with the most transactions. Ties go to the higher
// priority, then to the earlier listed. nullopt for an empty list.
std::optional<std::size_t> choose_promotion(std::span<const PromotionCandidate> candidates);

// Why a former primary may not rejoin as a replica of `primary`, or nullopt when it may:
// its binary log must hold nothing the new primary lacks.
std::optional<std::string> rejoin_refusal(const GtidPosition& former, const GtidPosition& primary);

class FailoverCoordinator {
  public:
    FailoverCoordinator(boost::asio::any_io_executor executor, ProxyRuntime& runtime);

    // Starts checking every monitor interval; runs until the executor stops.
    void start();
    // A planned switchover to replica `to`: writes paused in the sessions, the primary made
    // read-only, `to` applies everything it wrote, the roles swap, writes resume there; the
    // former primary rejoins as a replica. Empty on success, else why not (and nothing
    // changed: what was done is undone).
    boost::asio::awaitable<std::string> switchover(std::string to);

  private:
    boost::asio::awaitable<void> run();
    // At start: the configured primary is out of date when a failover happened before this
    // proxy started; the servers' replication settings say which one the others follow.
    boost::asio::awaitable<void> discover_primary();
    boost::asio::awaitable<void> check();
    boost::asio::awaitable<void> promote(std::vector<std::size_t> replicas);
    boost::asio::awaitable<void> promote_candidate(std::vector<std::size_t> replicas);
    // Turns the replica on `node` into a primary; when a step fails, puts it back to
    // replicating and says why (empty: done).
    boost::asio::awaitable<std::string> take_over(class AdminConnection& node);
    // Points `replica` at the current primary (slave_pos), logged either way.
    boost::asio::awaitable<void> repoint(class AdminConnection& replica, const BackendState& b);
    boost::asio::awaitable<void> rejoin(BackendState& former);
    // Gives the other event-loop threads the new primary or pause at once, not a round later.
    boost::asio::awaitable<void> publish();
    // Waits until `replica` has applied what it received; why not, if it cannot.
    boost::asio::awaitable<std::optional<std::string>> apply_relay_log(
        class AdminConnection& replica, const std::string& received);
    // CHANGE MASTER TO the current primary with `use_gtid`, then START SLAVE.
    std::string point_at_primary_statement(std::string_view use_gtid) const;
    // Reports the failover state once per change: in the log and in write errors.
    void report(std::string status, std::string_view event,
                std::initializer_list<obs::LogField> fields = {});

    boost::asio::any_io_executor executor_;
    ProxyRuntime& runtime_;
    const config::ProxyConfig& config_;
    net::Login login_;  // the monitor account
    std::string last_event_;
    bool busy_ = false;  // a promotion or a switchover is under way
};

}  // namespace sqlgate::proxy
