#include "proxy/failover.hpp"

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "obs/log.hpp"
#include "proxy/admin_connection.hpp"
#include "proxy/proxy_shards.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

namespace {

std::string milliseconds_since(Clock::time_point since, Clock::time_point now = Clock::now()) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count());
}

awaitable<void> sleep_for(boost::asio::any_io_executor executor, Clock::duration duration) {
    boost::asio::steady_timer timer(executor, duration);
    co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace

std::optional<std::size_t> choose_promotion(std::span<const PromotionCandidate> candidates) {
    const PromotionCandidate* best = nullptr;
    for (const PromotionCandidate& c : candidates) {
        if (best == nullptr) {
            best = &c;
            continue;
        }
        const bool ahead = c.received.covers(best->received);
        const bool behind = best->received.covers(c.received);
        bool better;
        if (ahead && behind) {
            better = c.priority > best->priority;  // equally advanced
        } else if (ahead != behind) {
            better = ahead;
        } else {
            // Neither has all the other has (diverged domains): the one with more, logged.
            better = c.received.total() > best->received.total() ||
                     (c.received.total() == best->received.total() && c.priority > best->priority);
        }
        if (better) best = &c;
    }
    if (best == nullptr) return std::nullopt;
    return best->index;
}

std::optional<std::string> rejoin_refusal(const GtidPosition& former, const GtidPosition& primary) {
    for (const auto& [domain, last] : former.domains()) {
        const auto theirs = primary.domains().find(domain);
        const std::string gtid = std::to_string(domain) + "-" + std::to_string(last.server_id) +
                                 "-" + std::to_string(last.sequence);
        if (theirs == primary.domains().end() || theirs->second.sequence < last.sequence) {
            return "its binary log ends with " + gtid + ", which the new primary never received";
        }
        if (theirs->second.sequence == last.sequence &&
            theirs->second.server_id != last.server_id) {
            return "its " + gtid + " differs from the new primary's transaction of that number";
        }
    }
    return std::nullopt;
}

FailoverCoordinator::FailoverCoordinator(boost::asio::any_io_executor executor,
                                         ProxyRuntime& runtime)
    : executor_(std::move(executor)), runtime_(runtime), config_(runtime.config()) {
    login_.user = config_.monitor.user;
    login_.password = config_.monitor.password;
}

void FailoverCoordinator::start() {
    if (config_.failover == config::FailoverMode::off) return;
    boost::asio::co_spawn(executor_, run(), boost::asio::detached);
}

awaitable<void> FailoverCoordinator::run() {
    co_await discover_primary();
    for (;;) {
        co_await sleep_for(executor_, config_.monitor_interval);
        co_await check();
    }
}

awaitable<void> FailoverCoordinator::discover_primary() {
    auto& backends = runtime_.backends();
    auto endpoint_of = [](const BackendState& b) {
        return b.address.endpoint.address().to_string() + ":" +
               std::to_string(b.address.endpoint.port());
    };
    // What each server replicates from ("address:port"; empty: nobody), if it answered.
    std::vector<std::optional<std::string>> source(backends.size());
    for (const BackendState& b : backends) {
        AdminConnection c(executor_, b);
        bool asked = co_await c.open(login_, config_.connect_timeout);
        if (asked) asked = co_await c.run("SHOW SLAVE STATUS", config_.connect_timeout);
        if (!asked) continue;
        const auto host = c.result().first_row_value("Master_Host");
        source[b.index] = host && !host->empty()
                              ? *host + ":" + c.result().first_row_value("Master_Port").value_or("")
                              : std::string();
    }
    // The primary replicates from nobody and the others replicate from it: the one most of
    // them name (read_only says nothing: every node starts read-only).
    std::optional<std::size_t> found;
    int best = 0;
    for (const BackendState& b : backends) {
        if (!source[b.index] || !source[b.index]->empty()) continue;
        int followers = 0;
        for (const auto& s : source)
            followers += s && *s == endpoint_of(b);
        if (followers > best || (followers == best && found && b.is_primary)) {
            best = followers;
            found = b.index;
        }
    }
    const std::size_t configured = runtime_.primary().index;
    if (!found || best == 0 || *found == configured) co_return;
    runtime_.promote(*found);
    // The configured primary may already replicate from the one found (rejoined after an
    // earlier failover): then it is an ordinary replica, not a former primary to fence.
    BackendState& former = backends[configured];
    former.fenced = source[configured] != endpoint_of(backends[*found]);
    obs::log(obs::LogLevel::warn, "primary_discovered",
             {{"primary", backends[*found].name},
              {"configured", former.name},
              {"configured_is", !source[configured] ? "unreachable"
                                : former.fenced     ? "not its replica"
                                                    : "its replica"},
              {"advice",
               "a failover happened before this proxy started; update role in the "
               "config's [[servers]]"}});
    co_await publish();
}

void FailoverCoordinator::report(std::string status, std::string_view event,
                                 std::initializer_list<obs::LogField> fields) {
    runtime_.set_failover_status(std::move(status));
    if (event == last_event_) return;
    last_event_ = event;
    obs::log(obs::LogLevel::warn, event, fields);
}

awaitable<void> FailoverCoordinator::check() {
    if (busy_) co_return;  // a switchover runs
    const int threshold = config_.failure_threshold;
    for (BackendState& b : runtime_.backends()) {
        if (b.fenced && !b.rejoin_refused && b.reachable(threshold) &&
            config_.failover == config::FailoverMode::automatic) {
            co_await rejoin(b);
        }
    }
    if (!runtime_.primary_down()) {
        // Every node starts read-only (so a former primary that restarts takes no writes);
        // the one the proxy sends writes to is made writable.
        BackendState& primary = runtime_.primary();
        if (primary.read_only && config_.failover == config::FailoverMode::automatic) {
            AdminConnection c(executor_, primary);
            bool asked = co_await c.open(login_, config_.connect_timeout);
            if (asked) asked = co_await c.run("SHOW SLAVE STATUS", config_.connect_timeout);
            if (!asked) co_return;
            // Never a server that replicates from another: writing there forks the data.
            if (const auto source = c.result().first_row_value("Master_Host");
                source && !source->empty()) {
                report("the configured primary replicates from " + *source, "primary_is_a_replica",
                       {{"server", primary.name}, {"source", *source}});
                co_return;
            }
            const bool writable =
                co_await c.run("SET GLOBAL read_only = OFF", config_.connect_timeout);
            if (writable) {
                primary.read_only = false;
                obs::log(obs::LogLevel::warn, "primary_made_writable", {{"server", primary.name}});
            }
        }
        last_event_.clear();
        co_return;
    }
    const BackendState& primary = runtime_.primary();
    if (config_.failover == config::FailoverMode::manual) {
        report("failover is manual: an operator must promote a replica", "failover_needed",
               {{"primary", primary.name}, {"error", primary.last_error}});
        co_return;
    }
    // The split-brain guard: a replica that still streams from the primary proves it alive;
    // only the proxy has lost it. Only replicas that lost it too are candidates.
    std::vector<std::size_t> candidates;
    const BackendState* streaming = nullptr;
    for (const BackendState& b : runtime_.backends()) {
        if (b.is_primary || b.fenced || b.removed || !b.reachable(threshold)) continue;
        if (b.replication == ReplicationLink::streaming) streaming = &b;
        if (b.replication == ReplicationLink::reconnecting) candidates.push_back(b.index);
    }
    if (streaming != nullptr) {
        report("not failing over: replica '" + streaming->name +
                   "' still replicates from it, so it is alive and only this proxy lost it",
               "failover_blocked", {{"primary", primary.name}, {"replicating", streaming->name}});
        co_return;
    }
    if (candidates.empty()) {
        report("no replica that replicated from it is reachable to take over",
               "failover_impossible", {{"primary", primary.name}});
        co_return;
    }
    if (Clock::now() - primary.failing_since < config_.failover_after) {
        report("failover in progress", "failover_pending", {{"primary", primary.name}});
        co_return;
    }
    co_await promote(std::move(candidates));
}

awaitable<void> FailoverCoordinator::promote(std::vector<std::size_t> replicas) {
    busy_ = true;
    co_await promote_candidate(std::move(replicas));
    busy_ = false;
}

awaitable<void> FailoverCoordinator::promote_candidate(std::vector<std::size_t> replicas) {
    auto& backends = runtime_.backends();
    const std::size_t former = runtime_.primary().index;
    const auto decided = Clock::now();
    const std::string detection_ms = milliseconds_since(backends[former].failing_since, decided);
    report("failover in progress", "failover_started",
           {{"primary", backends[former].name}, {"detection_ms", detection_ms}});
    const auto timeout = config_.connect_timeout;
    auto fail = [&](const std::string& why) {
        // Tried again on the next check; writes are told why meanwhile.
        report("failover failed: " + why, "failover_failed",
               {{"primary", backends[former].name}, {"error", why}});
    };

    // How far each candidate got, over connections kept for the steps that follow.
    std::vector<std::unique_ptr<AdminConnection>> connections(backends.size());
    std::vector<PromotionCandidate> candidates;
    for (const std::size_t index : replicas) {
        auto c = std::make_unique<AdminConnection>(executor_, backends[index]);
        bool asked = co_await c->open(login_, timeout);
        if (asked) asked = co_await c->run("SHOW SLAVE STATUS", timeout);
        if (!asked) {
            obs::log(obs::LogLevel::warn, "failover_candidate_skipped",
                     {{"server", backends[index].name}, {"error", c->error()}});
            continue;
        }
        if (c->result().first_row_value("Slave_IO_Running") == "Yes") {
            fail("replica '" + backends[index].name + "' reconnected to the primary");
            co_return;
        }
        const auto received =
            GtidPosition::parse(c->result().first_row_value("Gtid_IO_Pos").value_or(""));
        if (!received) {
            obs::log(obs::LogLevel::warn, "failover_candidate_skipped",
                     {{"server", backends[index].name}, {"error", "unreadable Gtid_IO_Pos"}});
            continue;
        }
        candidates.push_back({index, backends[index].priority, *received});
        connections[index] = std::move(c);
    }
    const auto chosen = choose_promotion(candidates);
    if (!chosen) {
        fail("no replica could be asked how far it got");
        co_return;
    }
    BackendState& successor = backends[*chosen];
    AdminConnection& admin = *connections[*chosen];
    std::string received;
    for (const PromotionCandidate& c : candidates) {
        if (c.index == *chosen) received = c.received.to_string();
    }
    obs::log(obs::LogLevel::info, "failover_candidate_chosen",
             {{"server", successor.name}, {"received_gtid", received}});

    // It applies everything it received before it takes writes: nothing acknowledged that
    // reached it is lost.
    if (const auto why = co_await apply_relay_log(admin, received)) {
        fail(successor.name + ": " + *why);
        co_return;
    }
    const std::string refused = co_await take_over(admin);
    if (!refused.empty()) {
        fail("promoting " + successor.name + ": " + refused);
        co_return;
    }
    runtime_.promote(*chosen);
    ++runtime_.counters().failovers;
    co_await publish();
    last_event_.clear();
    obs::log(obs::LogLevel::warn, "failover_promoted",
             {{"primary", successor.name},
              {"former", backends[former].name},
              {"gtid", received},
              {"detection_ms", detection_ms},
              {"promotion_ms", milliseconds_since(decided)},
              {"outage_ms", milliseconds_since(backends[former].failing_since)}});

    for (const PromotionCandidate& c : candidates) {
        if (c.index != *chosen) co_await repoint(*connections[c.index], backends[c.index]);
    }
}

awaitable<std::string> FailoverCoordinator::take_over(AdminConnection& node) {
    static constexpr std::array<std::string_view, 3> kPromote{"STOP SLAVE", "RESET SLAVE ALL",
                                                              "SET GLOBAL read_only = OFF"};
    const bool promoted = co_await node.run_each(kPromote, config_.connect_timeout);
    if (promoted) co_return std::string();
    std::string why = node.error();
    // Back to a replica that replicates, so that it stays a candidate (a node without
    // replication would neither serve reads nor be promoted next time).
    static constexpr std::array<std::string_view, 2> kBack{"SET GLOBAL read_only = ON",
                                                           "START SLAVE"};
    co_await node.run_each(kBack, config_.connect_timeout);
    co_return why;
}

awaitable<void> FailoverCoordinator::repoint(AdminConnection& replica, const BackendState& b) {
    const std::string point = point_at_primary_statement("slave_pos");
    const std::array<std::string_view, 3> steps{"STOP SLAVE", point, "START SLAVE"};
    const bool moved = co_await replica.run_each(steps, config_.connect_timeout);
    obs::log(moved ? obs::LogLevel::info : obs::LogLevel::error,
             moved ? "replica_repointed" : "replica_repoint_failed",
             {{"server", b.name},
              {"primary", runtime_.primary().name},
              {"error", moved ? "" : replica.error()}});
}

awaitable<void> FailoverCoordinator::publish() {
    if (ProxyShards* shards = runtime_.shards()) co_await shards->publish();
}

awaitable<std::string> FailoverCoordinator::switchover(std::string to) {
    if (busy_) co_return "a failover or switchover is already running";
    BackendState* target = runtime_.find_backend(to);
    if (target == nullptr) co_return "no server named '" + to + "'";
    if (target->is_primary) co_return "'" + to + "' is the primary already";
    if (runtime_.primary_down()) co_return "the primary is down: that is failover's to handle";
    if (target->fenced || !target->reachable(config_.failure_threshold) ||
        target->replication != ReplicationLink::streaming) {
        co_return "'" + to + "' is not a healthy replica (reachable, replicating)";
    }
    busy_ = true;
    const auto started = Clock::now();
    BackendState& former = runtime_.primary();
    const auto timeout = config_.connect_timeout;
    const auto wait_limit = config_.promotion_timeout + timeout;
    // Writes wait in the sessions from here until the new primary takes them (or the old one
    // again, if this fails): none reaches a server that is not the primary.
    runtime_.pause_writes(true);
    co_await publish();
    AdminConnection old(executor_, former);
    AdminConnection next(executor_, *target);
    std::string error;
    std::string position;
    bool ok = co_await old.open(login_, timeout);
    if (ok) ok = co_await next.open(login_, timeout);
    if (!ok) error = !old.error().empty() ? old.error() : next.error();
    if (error.empty()) {
        ok = co_await old.run("SET GLOBAL read_only = ON", wait_limit);
        if (ok) ok = co_await old.run("SELECT @@gtid_binlog_pos", timeout);
        if (!ok) error = old.error();
    }
    if (error.empty()) {
        const auto p = GtidPosition::parse(old.result().first_value().value_or(""));
        if (p) position = p->to_string();
        if (!p) error = former.name + ": unreadable @@gtid_binlog_pos";
    }
    if (error.empty()) {
        // Everything the old primary acknowledged, applied on the new one first.
        const auto wait_s = std::chrono::duration<double>(config_.promotion_timeout).count();
        const std::string wait =
            "SELECT MASTER_GTID_WAIT('" + position + "', " + std::to_string(wait_s) + ")";
        ok = co_await next.run(wait, wait_limit);
        if (!ok) error = next.error();
        if (ok && next.result().first_value() != "0") {
            error = to + " did not catch up with " + former.name + " within " +
                    std::to_string(config_.promotion_timeout.count()) + " ms";
        }
    }
    if (error.empty()) {
        const std::string refused = co_await take_over(next);
        if (!refused.empty()) error = "promoting " + to + ": " + refused;
    }
    if (!error.empty()) {
        co_await old.run("SET GLOBAL read_only = OFF", timeout);  // back as it was
        runtime_.pause_writes(false);
        co_await publish();
        busy_ = false;
        obs::log(obs::LogLevel::error, "switchover_failed",
                 {{"primary", former.name}, {"target", to}, {"error", error}});
        co_return error;
    }
    runtime_.promote(target->index);
    runtime_.pause_writes(false);
    co_await publish();
    const std::string paused_ms = milliseconds_since(started);
    for (BackendState& b : runtime_.backends()) {
        if (b.is_primary || b.index == former.index || b.removed ||
            !b.reachable(config_.failure_threshold)) {
            continue;
        }
        AdminConnection replica(executor_, b);
        const bool opened = co_await replica.open(login_, timeout);
        if (opened) co_await repoint(replica, b);
    }
    // Fenced by promote(); it is reachable, read-only, and its history is the new primary's:
    // it rejoins now, as a former primary does after a failover (whatever the mode).
    co_await rejoin(former);
    busy_ = false;
    ++runtime_.counters().switchovers;
    obs::log(obs::LogLevel::warn, "switchover_done",
             {{"primary", target->name},
              {"former", former.name},
              {"gtid", position},
              {"writes_paused_ms", paused_ms},
              {"total_ms", milliseconds_since(started)}});
    co_return std::string();
}

awaitable<std::optional<std::string>> FailoverCoordinator::apply_relay_log(
    AdminConnection& replica, const std::string& received) {
    const auto deadline = Clock::now() + config_.promotion_timeout;
    const auto target = GtidPosition::parse(received).value_or(GtidPosition{});
    for (;;) {
        const bool asked = co_await replica.run("SHOW SLAVE STATUS", config_.connect_timeout);
        if (!asked) co_return replica.error();
        const auto state = replica.result().first_row_value("Slave_SQL_Running_State");
        if (replica.result().first_row_value("Slave_SQL_Running") != "Yes") {
            co_return "its SQL thread stopped: " +
                replica.result().first_row_value("Last_SQL_Error").value_or("");
        }
        const bool read = co_await replica.run("SELECT @@gtid_slave_pos", config_.connect_timeout);
        if (!read) co_return replica.error();
        const auto applied = GtidPosition::parse(replica.result().first_value().value_or(""));
        if (applied && applied->covers(target)) co_return std::nullopt;
        // A transaction whose end never arrived (the primary died while sending it) is never
        // applied; it was never acknowledged either (semi-sync acks whole transactions).
        if (state && state->find("read all relay log") != std::string::npos) {
            obs::log(obs::LogLevel::warn, "failover_incomplete_transaction_dropped",
                     {{"received", received},
                      {"applied", applied ? applied->to_string() : std::string("?")}});
            co_return std::nullopt;
        }
        if (Clock::now() >= deadline) {
            co_return "did not apply its relay log within " +
                std::to_string(config_.promotion_timeout.count()) + " ms";
        }
        co_await sleep_for(executor_, std::chrono::milliseconds(20));
    }
}

std::string FailoverCoordinator::point_at_primary_statement(std::string_view use_gtid) const {
    const BackendState& primary = runtime_.primary();
    // The credentials were checked for quotes and backslashes when the config was read.
    return "CHANGE MASTER TO MASTER_HOST = '" + primary.address.endpoint.address().to_string() +
           "', MASTER_PORT = " + std::to_string(primary.address.endpoint.port()) +
           ", MASTER_USER = '" + config_.replication.user + "', MASTER_PASSWORD = '" +
           config_.replication.password + "', MASTER_USE_GTID = " + std::string(use_gtid);
}

awaitable<void> FailoverCoordinator::rejoin(BackendState& former) {
    const auto timeout = config_.connect_timeout;
    auto refuse = [&](const std::string& why) {
        former.rejoin_refused = true;
        obs::log(obs::LogLevel::error, "rejoin_refused",
                 {{"server", former.name},
                  {"error", why},
                  {"advice",
                   "it stays out of rotation, read_only; inspect its extra transactions, then "
                   "rebuild it from the primary (or reset its GTID state) and restart the proxy"}});
    };
    AdminConnection node(executor_, former);
    // Fenced first: whatever follows, it takes no more writes.
    static constexpr std::array<std::string_view, 2> kFence{"SET GLOBAL read_only = ON",
                                                            "SELECT @@gtid_binlog_pos"};
    bool ok = co_await node.open(login_, timeout);
    if (ok) ok = co_await node.run_each(kFence, timeout);
    if (!ok) co_return;  // tried again on the next check
    const auto history = GtidPosition::parse(node.result().first_value().value_or(""));
    AdminConnection primary(executor_, runtime_.primary());
    ok = co_await primary.open(login_, timeout);
    if (ok) ok = co_await primary.run("SELECT @@gtid_binlog_pos", timeout);
    if (!ok) co_return;
    const auto primary_history = GtidPosition::parse(primary.result().first_value().value_or(""));
    if (!history || !primary_history) {
        refuse("unreadable @@gtid_binlog_pos");
        co_return;
    }
    if (const auto why = rejoin_refusal(*history, *primary_history)) {
        refuse(*why);
        co_return;
    }
    // current_pos: where its own binary log ends, which as a primary it never recorded as a
    // replica position.
    const std::string point = point_at_primary_statement("current_pos");
    const std::array<std::string_view, 3> steps{"STOP SLAVE", point, "START SLAVE"};
    ok = co_await node.run_each(steps, timeout);
    if (!ok) {
        obs::log(obs::LogLevel::warn, "rejoin_failed",
                 {{"server", former.name}, {"error", node.error()}});
        co_return;
    }
    // The primary checks the position when the IO thread connects: a history it does not
    // have is refused there (error 1236), which the GTID comparison cannot always see.
    const auto deadline = Clock::now() + config_.promotion_timeout;
    while (Clock::now() < deadline) {
        co_await sleep_for(executor_, config_.monitor_interval);
        const bool asked = co_await node.run("SHOW SLAVE STATUS", timeout);
        if (!asked) co_return;
        const auto& r = node.result();
        if (r.first_row_value("Slave_IO_Running") == "Yes") {
            former.fenced = false;
            obs::log(obs::LogLevel::warn, "rejoined",
                     {{"server", former.name},
                      {"primary", runtime_.primary().name},
                      {"gtid", history->to_string()}});
            co_return;
        }
        if (const auto errno_text = r.first_row_value("Last_IO_Errno");
            errno_text && *errno_text != "0") {
            co_await node.run("STOP SLAVE", timeout);
            const auto text = r.first_row_value("Last_IO_Error").value_or("");
            refuse("the new primary refused its position (error " + *errno_text +
                   (text.empty() ? std::string(")") : "): " + text));
            co_return;
        }
    }
    obs::log(obs::LogLevel::warn, "rejoin_pending",
             {{"server", former.name}, {"error", "replication has not connected yet"}});
}

}  // namespace sqlgate::proxy
