#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mysql/messages.hpp"
#include "net/loop_timer.hpp"
#include "obs/log.hpp"
#include "proxy/proxy_session.hpp"
#include "proxy/proxy_shards.hpp"
#include "proxy/replica_selector.hpp"

// Running a client's command on a backend: choosing the replica, read-your-writes waits,
// relaying the reply, and trying another server when one cannot be reached.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

// A switchover pauses writes for as long as the new primary takes to catch up (bounded by
// its promotion_timeout); past this a statement goes on regardless and meets what it meets.
constexpr auto kLongestWritePause = std::chrono::seconds(30);

}  // namespace

StatementRoute ProxySession::route_of(const RouteDecision& route) {
    using Target = RouteDecision::Target;
    switch (route.target) {
        case Target::replica:
            return static_cast<StatementRoute>(static_cast<int>(StatementRoute::direct) +
                                               static_cast<int>(route.strategy));
        case Target::named_server:
            return StatementRoute::named;
        case Target::previous_server:
            return StatementRoute::previous;
        case Target::primary:
            return route.by_strategy ? StatementRoute::direct : StatementRoute::primary;
        case Target::reject:
            break;
    }
    return StatementRoute::primary;
}

awaitable<ProxySession::Ran> ProxySession::run_on_primary(mysql::ByteView payload,
                                                          ReplyShape shape) {
    co_return co_await run_on(runtime_.primary(), payload, shape);
}

awaitable<ProxySession::Ran> ProxySession::run_on(BackendState& backend, mysql::ByteView payload,
                                                  ReplyShape shape,
                                                  const PreparedExecution* prepared) {
    if (backend.is_primary && runtime_.writes_paused()) {
        // A switchover is swapping the primary: wait, then run on whichever it is now.
        net::LoopTimer timer(client_.channel().executor());
        const auto deadline = Clock::now() + kLongestWritePause;
        while (runtime_.writes_paused() && Clock::now() < deadline) {
            timer.expires_after(std::chrono::milliseconds(2));
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        co_return co_await run_on(runtime_.primary(), payload, shape, prepared);
    }
    const int threshold = runtime_.limits().failure_threshold;
    if (backend.is_primary && backend.known_down(threshold)) {
        // Known down: say so at once rather than wait for a connect to time out.
        runtime_.counters().count(ProxyError::primary_down);
        const std::string message = "sqlgate: primary " + backend.described() + " is down (" +
                                    backend.last_error + "); " + runtime_.failover_status();
        co_return Ran{co_await client_.send_error(errc::option_prevents, "HY000", message), {}};
    }
    const Executed executed = co_await execute(backend, payload, shape, false, prepared);
    if (executed.outcome == Outcome::replied) co_return Ran{true, executed.reply};
    if (executed.outcome == Outcome::broken) co_return Ran{false, {}};
    runtime_.counters().count(ProxyError::server_unavailable);
    const std::string message = backend.unavailable(last_backend_error_);
    co_return Ran{co_await client_.send_error(errc::backend_unavailable, "HY000", message), {}};
}

awaitable<bool> ProxySession::run_read(mysql::ByteView payload, const RouteDecision& route,
                                       const PreparedExecution* prepared) {
    const ReplyShape shape = prepared != nullptr ? ReplyShape::execute : ReplyShape::result;
    if (route.target == RouteDecision::Target::reject) {
        runtime_.counters().count(ProxyError::unknown_route);
        co_return co_await client_.send_error(errc::unknown_route, "HY000", route.error);
    }
    if (route.target != RouteDecision::Target::replica) {
        BackendState* backend = route.target == RouteDecision::Target::previous_server
                                    ? &runtime_.backends()[previous_backend_]
                                    : runtime_.find_backend(route.server);
        if (backend == nullptr) {
            runtime_.counters().count(ProxyError::unknown_route);
            const std::string message =
                "sqlgate: no server named '" + std::string(route.server) + "' in route hint";
            co_return co_await client_.send_error(errc::unknown_route, "HY000", message);
        }
        if (route.target == RouteDecision::Target::previous_server && lost_diagnostics_) {
            co_await restore_diagnostics(*backend);
        }
        co_return (co_await run_on(*backend, payload, shape, prepared)).goes_on;
    }
    const bool read_your_writes = runtime_.config().read_your_writes;
    if (read_your_writes && writes_.gtid_unknown() && !runtime_.primary_down()) {
        co_await writes_.learn_gtid(links_.find(runtime_.primary().index), capabilities_);
    }
    // A replica that cannot be reached is taken out of rotation at once and the read tried
    // on another: the client sees an answer, not the failure.
    // A replica still behind the session's last write is only skipped for this read.
    BackendMask tried = 0;
    auto& backends = runtime_.backends();
    SelectionLimits limits = runtime_.limits();
    if (user_->max_replication_lag_s) {
        limits.max_replication_lag_s =
            std::min(limits.max_replication_lag_s, *user_->max_replication_lag_s);
    }
    for (std::size_t attempt = 0; attempt < backends.size(); ++attempt) {
        const auto chosen =
            select_replica(route.strategy, backends, limits, runtime_.rng(), Clock::now(), tried);
        if (!chosen) break;
        tried |= BackendMask{1} << *chosen;
        reads_may_follow_ = true;
        const Executed executed =
            co_await execute(backends[*chosen], payload, shape, read_your_writes, prepared);
        reads_may_follow_ = false;
        if (executed.outcome == Outcome::replied) co_return true;
        if (executed.outcome == Outcome::broken) co_return false;
        if (executed.outcome == Outcome::not_reached) {
            mark_unreachable(backends[*chosen], last_backend_error_);
        }
    }
    if (!runtime_.config().fallback_to_primary) {
        runtime_.counters().count(ProxyError::no_replica);
        co_return co_await client_.send_error(errc::backend_unavailable, "HY000",
                                              "sqlgate: no replica is available for reads");
    }
    co_return (co_await run_on(runtime_.primary(), payload, shape, prepared)).goes_on;
}

awaitable<ProxySession::Executed> ProxySession::execute(BackendState& backend,
                                                        mysql::ByteView payload, ReplyShape shape,
                                                        bool read_your_writes,
                                                        const PreparedExecution* prepared) {
    const Executed executed =
        co_await execute_once(backend, payload, shape, read_your_writes, prepared);
    if (executed.outcome == Outcome::not_reached && followed_) {
        // The connection it followed on broke, which the session ahead reports: this read
        // runs on a link of its own.
        reads_may_follow_ = false;
        co_return co_await execute(backend, payload, shape, read_your_writes, prepared);
    }
    // A pooled connection may have been closed while idle (the server restarted, or its
    // wait_timeout passed): that says nothing of the server. Its idle siblings are suspect
    // too; one fresh connection decides.
    if (executed.outcome != Outcome::not_reached || !borrowed_link_) co_return executed;
    backend.links->close_idle();
    co_return co_await execute_once(backend, payload, shape, read_your_writes, prepared);
}

awaitable<ProxySession::Executed> ProxySession::execute_once(BackendState& backend,
                                                             mysql::ByteView payload,
                                                             ReplyShape shape,
                                                             bool read_your_writes,
                                                             const PreparedExecution* prepared) {
    borrowed_link_ = false;
    followed_ = false;
    if (may_pipeline(shape)) {
        BackendLink* busy = links_.followable(backend, runtime_.config().pipeline_depth);
        if (busy != nullptr && (!read_your_writes || writes_.caught_up(*busy))) {
            // A prepared statement follows only where it is prepared already (preparing it
            // would be a round trip of its own on a connection busy with others' reads).
            BackendStatement* there = nullptr;
            if (prepared != nullptr) {
                const auto known = busy->statements_by_text.find(prepared->statement.text);
                if (known != busy->statements_by_text.end()) there = &known->second;
            }
            if (prepared == nullptr || there != nullptr) {
                co_return co_await follow(backend, *busy, payload, shape, prepared, there);
            }
        }
    }
    BackendLink* link = co_await links_.connect(backend, last_backend_error_);
    if (link == nullptr) {
        // A saturated server is skipped like one that is behind, never called down.
        co_return Executed{links_.pool_exhausted() ? Outcome::behind : Outcome::not_reached, {}};
    }
    borrowed_link_ = std::exchange(link->reused, false);
    // The session's writes first, then its state: the state may name what the writes made.
    if (read_your_writes) {
        const auto timeout = runtime_.config().read_your_writes_timeout;
        const bool caught_up = co_await writes_.catch_up(*link, timeout, capabilities_);
        if (!caught_up) co_return Executed{Outcome::behind, {}};
    }
    switch (co_await links_.replay(*link, backend, last_backend_error_)) {
        case BackendLinks::Replay::done:
            break;
        case BackendLinks::Replay::refused:
            co_return Executed{Outcome::behind, {}};
        case BackendLinks::Replay::broken:
            co_return Executed{Outcome::not_reached, {}};
    }
    mysql::ByteView message = payload;
    if (prepared != nullptr) {
        const auto bound = co_await bind_prepared(*link, *prepared, payload);
        if (!bound) co_return Executed{Outcome::behind, {}};
        message = *bound;
    }
    std::uint8_t sequence = 0;
    if (const auto ec = co_await link->channel.write_message(message, sequence)) {
        last_backend_error_ = ec.message();
        links_.drop(backend.index);
        co_return Executed{Outcome::not_reached, {}};
    }
    if (may_pipeline(shape)) links_.take_followers(backend.index);
    co_return co_await relay_from(backend, *link, payload, shape, prepared);
}

bool ProxySession::may_pipeline(ReplyShape shape) const {
    return reads_may_follow_ && !discard_reply_ && runtime_.config().pipeline_depth > 1 &&
           (shape == ReplyShape::result || shape == ReplyShape::execute);
}

awaitable<ProxySession::Executed> ProxySession::follow(BackendState& backend, BackendLink& busy,
                                                       mysql::ByteView payload, ReplyShape shape,
                                                       const PreparedExecution* prepared,
                                                       BackendStatement* there) {
    followed_ = true;
    const std::shared_ptr<LinkQueue> queue = busy.queue;
    const mysql::ByteView message =
        prepared != nullptr ? bind_to(*there, *prepared, payload) : payload;
    // The turn comes when the link is handed over, or never (the link broke or went away):
    // either cancels the wait, which has no deadline of its own.
    net::LoopTimer timer(client_.channel().executor());
    struct Queued {
        std::shared_ptr<LinkQueue> queue;
        std::list<LinkQueue::Turn>::iterator at;
        ~Queued() { queue->turns.erase(at); }
    } queued{queue, queue->turns.insert(queue->turns.end(), LinkQueue::Turn{&timer, {}})};
    busy.channel.expect_reply_behind();
    queue->writing = true;
    std::uint8_t sequence = 0;
    const auto write_error = co_await busy.channel.write_message(message, sequence);
    queue->writing = false;
    if (write_error) {
        // Whoever relays there meets the same failure and ends the others' turns.
        last_backend_error_ = write_error.message();
        if (!queue->gone) busy.channel.close();
        co_return Executed{Outcome::not_reached, {}};
    }
    ++runtime_.counters().pipelined;
    while (!queued.at->ended) {
        timer.expires_never();
        boost::system::error_code ignored;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    }
    if (!queued.at->link) {
        last_backend_error_ = "the connection it was pipelined on broke";
        co_return Executed{Outcome::not_reached, {}};
    }
    BackendLink& link = links_.adopt(backend.index, std::move(queued.at->link));
    link.channel.reply_behind_taken();
    co_return co_await relay_from(backend, link, payload, shape, prepared);
}

awaitable<void> ProxySession::restore_diagnostics(BackendState& backend) {
    const LostDiagnostics lost = std::move(*lost_diagnostics_);
    lost_diagnostics_.reset();
    std::optional<PreparedExecution> execution;
    if (lost.prepared) {
        std::uint32_t id = 0;
        PreparedStatement* statement = prepared_statement(lost.payload, id);
        if (statement == nullptr) co_return;  // closed since: nothing to run again
        const auto head = mysql::parse_stmt_execute_head(lost.payload, statement->parameters);
        if (!head) co_return;
        execution.emplace(PreparedExecution{*statement, id, *head});
    }
    discard_reply_ = true;
    co_await execute_once(backend, lost.payload, lost.shape, false,
                          execution ? &*execution : nullptr);
    discard_reply_ = false;
}

awaitable<ProxySession::Executed> ProxySession::relay_from(BackendState& backend, BackendLink& link,
                                                           mysql::ByteView payload,
                                                           ReplyShape shape,
                                                           const PreparedExecution* prepared) {
    mysql::ResponseTracker tracker(capabilities_, shape);
    previous_backend_ = backend.index;
    ++backend.in_flight;
    const auto started = Clock::now();
    mysql::SessionChangeFilter* filter =
        link.filters_session_changes ? &link.session_changes : nullptr;
    if (filter != nullptr) filter->forget_gtid();
    const auto ec = co_await link.channel.relay_reply(
        tracker, discard_reply_ ? nullptr : &client_.channel(), filter,
        shape == ReplyShape::prepare ? statement_id_for_client_ : 0);
    --backend.in_flight;
    if (ec) {
        last_backend_error_ = ec.message();
        const bool nothing_sent = link.channel.relayed_bytes() == 0;
        links_.drop(backend.index);
        // Once part of a reply has reached the client, the stream cannot be repaired.
        co_return Executed{
            (nothing_sent && client_.is_open()) ? Outcome::not_reached : Outcome::broken, {}};
    }
    const auto now = Clock::now();
    if (!discard_reply_) {
        const std::chrono::duration<double> took = now - started;
        backend.query_ms.add(took.count() * 1000, runtime_.config().ewma_weight);
        backend.last_query_sample = now;
        ++backend.statements[static_cast<std::size_t>(route_)];
        backend.latency.observe(took.count());
        runtime_.counters().route_latency[static_cast<std::size_t>(route_)].observe(took.count());
    }
    if (backend.is_primary) note_primary_status(tracker);
    if (filter != nullptr && !filter->last_gtid().empty()) writes_.learned(filter->last_gtid());
    Reply reply{
        .answered = true,
        .succeeded = !tracker.failed(),
        .gtid_reported = link.reports_gtids && !tracker.failed() && tracker.ended_with_ok()};
    if (shape == ReplyShape::prepare) {
        reply.prepared_id = tracker.prepared_statement_id();
        reply.prepared_parameters = tracker.prepared_parameters();
    }
    // The next session whose read was written behind this one relays its reply now; this
    // reply's warnings or error are then gone from that connection (the server ran the next
    // statement), so a question about them runs this statement again (restore_diagnostics).
    const bool left_diagnostics = tracker.failed() || tracker.warnings() > 0;
    lost_diagnostics_.reset();
    previous_left_diagnostics_ = left_diagnostics;
    if (links_.hand_on(backend.index) && left_diagnostics) {
        previous_left_diagnostics_ = false;
        lost_diagnostics_.emplace(LostDiagnostics{mysql::Bytes(payload.begin(), payload.end()),
                                                  shape, prepared != nullptr});
    }
    co_return Executed{Outcome::replied, reply};
}

void ProxySession::note_primary_status(const mysql::ResponseTracker& tracker) {
    const auto status = tracker.session_status();
    if (!status) return;
    in_transaction_ = has(*status, mysql::ServerStatus::in_trans);
    autocommit_ = has(*status, mysql::ServerStatus::autocommit);
}

void ProxySession::mark_unreachable(BackendState& backend, const std::string& error) {
    if (backend.consecutive_failures < runtime_.limits().failure_threshold) {
        obs::log(obs::LogLevel::warn, "backend_unreachable",
                 {{"server", backend.name}, {"peer", client_.peer()}, {"error", error}});
    }
    // The monitor brings it back once it answers pings again.
    backend.note_failure(runtime_.limits().failure_threshold, true, Clock::now());
    backend.last_error = error;
    // On a worker thread: the control thread's health is what every thread gets next.
    if (runtime_.thread_index() != 0) runtime_.shards()->report_unreachable(backend.index, error);
}

}  // namespace sqlgate::proxy
