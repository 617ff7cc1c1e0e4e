#include "mysql/messages.hpp"
#include "net/errors.hpp"
#include "obs/log.hpp"
#include "proxy/client_session.hpp"
#include "proxy/replica_selector.hpp"

// Running a client's command on a backend: choosing the replica, opening the connection and
// replaying session state, read-your-writes waits, relaying the reply, and failing over.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

std::string describe_backend(const BackendState& b) {
    return "'" + b.name + "' (" + b.address.endpoint.address().to_string() + ":" +
           std::to_string(b.address.endpoint.port()) + ")";
}

}  // namespace

awaitable<bool> ClientSession::run_on_primary(mysql::ByteView payload, ReplyShape shape,
                                              bool* succeeded) {
    co_return co_await run_on(runtime_.primary(), payload, shape, succeeded);
}

awaitable<bool> ClientSession::run_on(BackendState& backend, mysql::ByteView payload,
                                      ReplyShape shape, bool* succeeded,
                                      const PreparedExecution* prepared) {
    // The awaited value goes into a local first: GCC 12 miscompiles `switch (co_await ...)`.
    const Outcome outcome = co_await execute(backend, payload, shape, succeeded, false, prepared);
    switch (outcome) {
        case Outcome::replied:
            co_return true;
        case Outcome::broken:
            co_return false;
        case Outcome::not_reached:
        case Outcome::behind:
            break;
    }
    const std::string message =
        "sqlgate: server " + describe_backend(backend) + " unavailable: " + last_backend_error_;
    co_return co_await send_error(errc::backend_unavailable, "HY000", message);
}

awaitable<bool> ClientSession::run_read(mysql::ByteView payload, const RouteDecision& route,
                                        const PreparedExecution* prepared) {
    if (route.target == RouteDecision::Target::reject) {
        co_return co_await send_error(errc::unknown_route, "HY000", route.error);
    }
    if (route.target != RouteDecision::Target::replica) {
        BackendState* backend = route.target == RouteDecision::Target::previous_server
                                    ? &runtime_.backends()[previous_backend_]
                                    : runtime_.find_backend(route.server);
        if (backend == nullptr) {
            const std::string message =
                "sqlgate: no server named '" + std::string(route.server) + "' in route hint";
            co_return co_await send_error(errc::unknown_route, "HY000", message);
        }
        co_return co_await run_on(*backend, payload, ReplyShape::result, nullptr, prepared);
    }
    const bool read_your_writes = runtime_.config().read_your_writes;
    if (read_your_writes && write_gtid_unknown_) co_await note_last_write();
    // A replica that cannot be reached is taken out of rotation at once and the read tried
    // on another: the client sees an answer, not the failure.
    // A replica still behind the session's last write is only skipped for this read.
    BackendMask tried = 0;
    auto& backends = runtime_.backends();
    for (std::size_t attempt = 0; attempt < backends.size(); ++attempt) {
        const auto chosen = select_replica(route.strategy, backends, runtime_.limits(),
                                           runtime_.rng(), Clock::now(), tried);
        if (!chosen) break;
        tried |= BackendMask{1} << *chosen;
        const Outcome outcome = co_await execute(backends[*chosen], payload, ReplyShape::result,
                                                 nullptr, read_your_writes, prepared);
        switch (outcome) {
            case Outcome::replied:
                co_return true;
            case Outcome::broken:
                co_return false;
            case Outcome::not_reached:
                mark_unreachable(backends[*chosen], last_backend_error_);
                break;
            case Outcome::behind:
                break;
        }
    }
    if (!runtime_.config().fallback_to_primary) {
        co_return co_await send_error(errc::backend_unavailable, "HY000",
                                      "sqlgate: no replica is available for reads");
    }
    co_return co_await run_on(runtime_.primary(), payload, ReplyShape::result, nullptr, prepared);
}

awaitable<ClientSession::Outcome> ClientSession::execute(BackendState& backend,
                                                         mysql::ByteView payload, ReplyShape shape,
                                                         bool* succeeded, bool read_your_writes,
                                                         const PreparedExecution* prepared) {
    BackendLink* link = co_await link_to(backend, last_backend_error_);
    if (link == nullptr) co_return Outcome::not_reached;
    if (read_your_writes && !co_await catch_up(*link)) co_return Outcome::behind;
    mysql::ByteView message = payload;
    if (prepared != nullptr) {
        const auto bound = co_await bind_prepared(*link, backend, *prepared, payload);
        if (!bound) co_return Outcome::behind;
        message = *bound;
    }
    std::uint8_t sequence = 0;
    if (const auto ec = co_await link->channel.write_message(message, sequence)) {
        last_backend_error_ = ec.message();
        links_[backend.index].reset();
        co_return Outcome::not_reached;
    }
    mysql::ResponseTracker tracker(capabilities_, shape);
    previous_backend_ = backend.index;
    ++backend.in_flight;
    const auto started = Clock::now();
    const auto ec = co_await link->channel.relay_reply(tracker, &client_);
    --backend.in_flight;
    if (ec) {
        last_backend_error_ = ec.message();
        const bool nothing_sent = link->channel.relayed_bytes() == 0;
        links_[backend.index].reset();
        // Once part of a reply has reached the client, the stream cannot be repaired.
        co_return (nothing_sent && client_.is_open()) ? Outcome::not_reached : Outcome::broken;
    }
    const auto now = Clock::now();
    backend.query_ms.add(std::chrono::duration<double, std::milli>(now - started).count(),
                         runtime_.config().ewma_weight);
    backend.last_query_sample = now;
    ++backend.statements_served;
    // Only replies that end with OK or EOF carry the status flags (a prepare's or
    // COM_STATISTICS' do not: reading theirs would turn autocommit off).
    if (backend.is_primary && !tracker.failed() &&
        (shape == ReplyShape::result || shape == ReplyShape::rows)) {
        in_transaction_ = has(tracker.status(), mysql::ServerStatus::in_trans);
        autocommit_ = has(tracker.status(), mysql::ServerStatus::autocommit);
    }
    if (shape == ReplyShape::prepare) {
        prepared_id_ = tracker.prepared_statement_id();
        prepared_parameters_ = tracker.prepared_parameters();
    }
    if (succeeded != nullptr) *succeeded = !tracker.failed();
    co_return Outcome::replied;
}

awaitable<std::optional<mysql::ByteView>> ClientSession::bind_prepared(
    BackendLink& link, const BackendState& backend, const PreparedExecution& execution,
    mysql::ByteView payload) {
    auto known = link.statements.find(execution.client_id);
    if (known == link.statements.end()) {
        if (backend.is_primary) {
            // A new connection to the primary: the client's id means nothing there any more.
            last_backend_error_ = "the prepared statement was lost with the previous connection";
            co_return std::nullopt;
        }
        net::CommandResult result;
        const auto ec = co_await net::run_command(link.channel, Command::stmt_prepare,
                                                  execution.statement.text, capabilities_, result);
        if (ec || result.failed) {
            // A replica that cannot prepare it (a table it has not replicated yet, say) is
            // skipped for this execution, like one behind the session's writes.
            if (ec) link.channel.close();
            co_return std::nullopt;
        }
        known = link.statements.emplace(execution.client_id, BackendStatement{result.prepared_id})
                    .first;
    }
    BackendStatement& there = known->second;
    const PreparedStatement& statement = execution.statement;
    const bool needs_types = !execution.head.carries_types && statement.types_version != 0 &&
                             there.types_version != statement.types_version;
    there.types_version = statement.types_version;
    // (An execute naming kLastPreparedStatement gets the real id: the server it goes to may
    // have prepared something else last.)
    if (!needs_types && there.id == execution.head.statement_id) co_return payload;
    rebound_.clear();
    mysql::serialize_stmt_execute_for(
        rebound_, payload, execution.head, there.id,
        needs_types ? mysql::ByteView(statement.types) : mysql::ByteView());
    co_return mysql::ByteView(rebound_);
}

awaitable<ClientSession::BackendLink*> ClientSession::link_to(BackendState& backend,
                                                              std::string& error) {
    auto& slot = links_[backend.index];
    if (!slot || !slot->channel.is_open()) {
        const auto& config = runtime_.config();
        slot = std::make_unique<BackendLink>(net::tcp::socket(client_.socket().get_executor()));
        const net::Login login{.user = config.backend.user,
                               .password = config.backend.password,
                               .capabilities = capabilities_,
                               .collation = collation_};
        net::ServerInfo info;
        std::string diagnostics;
        if (const auto ec = co_await net::connect_and_login(
                slot->channel, backend.address, login, config.connect_timeout, info, diagnostics)) {
            error = diagnostics.empty() ? ec.message() : diagnostics;
            slot.reset();
            co_return nullptr;
        }
        slot->thread_id = info.connection_id;
    }
    // Bring the backend session up to date with what the client set since it last ran here.
    net::CommandResult result;
    while (slot->applied_state < state_.size()) {
        const ReplayCommand& c = state_.at(slot->applied_state);
        const auto ec =
            co_await net::run_command(slot->channel, c.command, c.argument, capabilities_, result);
        if (ec || result.failed) {
            error = "replaying session state on " + backend.name +
                    " failed: " + (ec ? ec.message() : result.error_message);
            slot.reset();
            co_return nullptr;
        }
        ++slot->applied_state;
    }
    co_return slot.get();
}

awaitable<bool> ClientSession::catch_up(BackendLink& link) {
    if (last_write_gtid_.empty() || link.applied_gtid == last_write_gtid_) co_return true;
    const double seconds =
        std::chrono::duration<double>(runtime_.config().read_your_writes_timeout).count();
    // The GTID comes from the primary's @@last_gtid: digits and dashes, safe to quote.
    const std::string wait =
        "SELECT MASTER_GTID_WAIT('" + last_write_gtid_ + "', " + std::to_string(seconds) + ")";
    net::CommandResult result;
    const auto ec =
        co_await net::run_command(link.channel, Command::query, wait, capabilities_, result);
    if (ec || result.failed || result.first_value() != "0") {
        if (ec) link.channel.close();
        co_return false;
    }
    link.applied_gtid = last_write_gtid_;
    co_return true;
}

awaitable<void> ClientSession::note_last_write() {
    write_gtid_unknown_ = false;
    BackendLink* link = links_[runtime_.primary().index].get();
    if (link == nullptr) co_return;
    net::CommandResult result;
    if (co_await net::run_command(link->channel, Command::query, "SELECT @@last_gtid",
                                  capabilities_, result) ||
        result.failed) {
        co_return;
    }
    const std::string gtid = result.first_value().value_or("");
    if (!gtid.empty() && gtid.find_first_not_of("0123456789-,") == std::string::npos) {
        last_write_gtid_ = gtid;
    }
}

void ClientSession::mark_unreachable(BackendState& backend, const std::string& error) {
    if (backend.consecutive_failures < runtime_.limits().failure_threshold) {
        obs::log(obs::LogLevel::warn, "backend_unreachable",
                 {{"server", backend.name}, {"peer", peer_}, {"error", error}});
    }
    // The monitor brings it back once it answers pings again.
    backend.consecutive_failures = runtime_.limits().failure_threshold;
    backend.last_error = error;
}

}  // namespace sqlgate::proxy
