#include "proxy/client_session.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/deadline.hpp"
#include "net/errors.hpp"
#include "obs/log.hpp"
#include "proxy/replica_selector.hpp"
#include "sql/classifier.hpp"
#include "sql/kill_statement.hpp"

namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Capability;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

constexpr std::size_t kMaxHandshakeMessage = 64 * 1024;
constexpr std::uint16_t kAutocommitStatus =
    static_cast<std::uint16_t>(mysql::ServerStatus::autocommit);

std::string peer_of(const net::tcp::socket& s) {
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

std::string host_of(const std::string& peer) {
    return peer.substr(0, peer.rfind(':'));
}

std::string describe_backend(const BackendState& b) {
    return "'" + b.name + "' (" + b.address.endpoint.address().to_string() + ":" +
           std::to_string(b.address.endpoint.port()) + ")";
}

}  // namespace

struct ClientSession::BackendLink {
    explicit BackendLink(net::tcp::socket socket) : channel(std::move(socket)) {}
    net::PacketChannel channel;
    std::size_t applied_state = 0;  // how many SessionState commands this backend has run
    std::string applied_gtid;       // a session write this replica is known to have applied
    std::uint32_t thread_id = 0;    // the server's id for this connection
};

ClientSession::ClientSession(ProxyRuntime& runtime, net::tcp::socket socket)
    : runtime_(runtime),
      client_(std::move(socket)),
      peer_(peer_of(client_.socket())),
      connection_id_(runtime.next_connection_id()),
      links_(runtime.backends().size()),
      previous_backend_(runtime.primary().index) {
    runtime_.register_session(connection_id_, this);
}

ClientSession::~ClientSession() {
    runtime_.unregister_session(connection_id_);
}

std::vector<std::pair<std::size_t, std::uint32_t>> ClientSession::backend_threads() const {
    std::vector<std::pair<std::size_t, std::uint32_t>> threads;
    for (std::size_t i = 0; i < links_.size(); ++i) {
        if (links_[i] && links_[i]->channel.is_open())
            threads.emplace_back(i, links_[i]->thread_id);
    }
    return threads;
}

awaitable<void> ClientSession::run() {
    boost::system::error_code ignored;
    client_.socket().set_option(net::tcp::no_delay(true), ignored);
    if (co_await handshake()) {
        obs::log(obs::LogLevel::debug, "session_start", {{"peer", peer_}, {"user", user_->name}});
        for (;;) {
            std::uint8_t sequence = 0;
            std::uint8_t first_sequence = 0;
            const auto ec = co_await client_.read_message(
                payload_, sequence, runtime_.config().max_statement_bytes + 1, &first_sequence);
            reply_sequence_ = static_cast<std::uint8_t>(sequence + 1);
            if (ec == net::make_error(net::NetError::message_too_large)) {
                const std::string message = "sqlgate: statement larger than max_statement_bytes (" +
                                            std::to_string(runtime_.config().max_statement_bytes) +
                                            " bytes)";
                const bool sent = co_await send_error(errc::net_packet_too_large, "08S01", message);
                if (!sent) break;
                continue;
            }
            if (ec) break;
            if (first_sequence != 0) {
                // The client is out of step with the protocol: nothing it sends can be trusted.
                co_await send_error(errc::malformed_packet, "08S01",
                                    "sqlgate: packets out of order");
                break;
            }
            if (!co_await handle_command()) break;
        }
    }
    client_.close();
    for (auto& link : links_) {
        if (link) link->channel.close();
    }
}

awaitable<bool> ClientSession::handshake() {
    const auto& config = runtime_.config();
    net::DeadlineGuard deadline(client_.socket(), config.handshake_timeout);
    scramble_ = mysql::make_scramble();
    mysql::ServerGreeting greeting;
    greeting.server_version = runtime_.server_version();
    greeting.connection_id = connection_id_;
    greeting.auth_data = scramble_;
    greeting.capabilities = mysql::kProxyCapabilities;
    greeting.status = kAutocommitStatus;
    greeting.auth_plugin = mysql::kNativePasswordPlugin;
    reply_.clear();
    mysql::serialize_greeting(reply_, greeting);
    std::uint8_t sequence = 0;
    if (co_await client_.write_message(reply_, sequence)) co_return false;

    if (co_await client_.read_message(payload_, sequence, kMaxHandshakeMessage)) co_return false;
    if (mysql::is_ssl_request(payload_)) {
        co_await send_error(errc::handshake_error, "08S01",
                            "sqlgate: this listener does not offer TLS", sequence + 1);
        co_return false;
    }
    const auto response = mysql::parse_handshake_response(payload_);
    if (!response || !has(response->capabilities, mysql::kRequiredClientCapabilities)) {
        co_await send_error(errc::handshake_error, "08S01", "Bad handshake", sequence + 1);
        co_return false;
    }
    capabilities_ = response->capabilities & mysql::kProxyCapabilities;
    collation_ = response->collation;
    const std::string database(response->database);
    // Copies: the payload buffer is reused while authenticating.
    login_ = {std::string(response->user), std::string(response->auth_response),
              std::string(response->auth_plugin)};
    ++sequence;
    if (!co_await authenticate(sequence)) co_return false;
    if (!database.empty() && !co_await enter_schema(database, sequence)) co_return false;
    co_return co_await send_ok(sequence);
}

awaitable<bool> ClientSession::authenticate(std::uint8_t& sequence) {
    const std::string& user_name = login_.user;
    std::string& token = login_.token;
    if (has(capabilities_, Capability::plugin_auth) && !login_.plugin.empty() &&
        login_.plugin != mysql::kNativePasswordPlugin) {
        // Clients that default to another method (caching_sha2_password, ed25519) are asked
        // to answer the same scramble with mysql_native_password.
        reply_.clear();
        mysql::serialize_auth_switch(reply_,
                                     {.plugin = mysql::kNativePasswordPlugin, .data = scramble_});
        if (co_await client_.write_message(reply_, sequence)) co_return false;
        if (co_await client_.read_message(payload_, sequence, kMaxHandshakeMessage)) {
            co_return false;
        }
        token.assign(mysql::as_chars(payload_));
        ++sequence;
    }
    user_ = runtime_.find_user(user_name);
    if (user_ == nullptr ||
        !mysql::verify_native_password(token, scramble_, user_->password_hash)) {
        obs::log(obs::LogLevel::warn, "auth_failed", {{"peer", peer_}, {"user", user_name}});
        const std::string message = "Access denied for user '" + user_name + "'@'" +
                                    host_of(peer_) +
                                    "' (using password: " + (token.empty() ? "NO" : "YES") + ")";
        co_await send_error(errc::access_denied, "28000", message, sequence);
        user_ = nullptr;
        co_return false;
    }
    co_return true;
}

awaitable<bool> ClientSession::enter_schema(const std::string& database, std::uint8_t sequence) {
    // Checked now, on the primary, so a wrong schema fails the login as it would directly.
    std::string error;
    BackendLink* link = co_await link_to(runtime_.primary(), error);
    if (link == nullptr) {
        co_await send_error(errc::backend_unavailable, "HY000", error, sequence);
        co_return false;
    }
    net::CommandResult result;
    if (co_await net::run_command(link->channel, Command::init_db, database, capabilities_,
                                  result) ||
        result.failed) {
        co_await send_error(result.error_code, "42000", result.error_message, sequence);
        co_return false;
    }
    record_state(Command::init_db, database);
    co_return true;
}

awaitable<bool> ClientSession::handle_change_user(mysql::ByteView payload) {
    const auto request = mysql::parse_change_user(payload.subspan(1), capabilities_);
    if (!request) {
        co_await send_error(errc::malformed_packet, "08S01", "sqlgate: malformed COM_CHANGE_USER");
        co_return false;
    }
    // The new user starts a fresh session: nothing of the old one may leak into it.
    reset_session();
    if (request->collation) collation_ = *request->collation;
    const std::string database(request->database);
    login_ = {std::string(request->user), std::string(request->auth_response),
              std::string(request->auth_plugin)};
    std::uint8_t sequence = reply_sequence_;
    if (!co_await authenticate(sequence)) co_return false;
    if (!database.empty() && !co_await enter_schema(database, sequence)) co_return false;
    co_return co_await send_ok(sequence);
}

void ClientSession::record_state(Command command, std::string_view argument) {
    state_.record(command, argument);
    // The primary just ran it: only the other backends must replay it.
    if (auto& primary = links_[runtime_.primary().index]) primary->applied_state = state_.size();
}

void ClientSession::reset_session() {
    for (auto& link : links_) {
        if (link) link->channel.close();
        link.reset();
    }
    state_.clear();
    in_transaction_ = false;
    autocommit_ = true;
    pinned_to_primary_ = false;
    previous_backend_ = runtime_.primary().index;
    last_write_gtid_.clear();
    write_gtid_unknown_ = false;
}

awaitable<bool> ClientSession::handle_command() {
    if (payload_.empty()) {
        co_return co_await send_error(errc::malformed_packet, "08S01",
                                      "sqlgate: empty command packet");
    }
    const std::uint8_t command = payload_[0];
    const mysql::ByteView payload(payload_);
    switch (static_cast<Command>(command)) {
        case Command::quit:
            co_return false;
        case Command::ping:
            co_return co_await send_ok(reply_sequence_);
        case Command::query:
            co_return co_await handle_query(payload);
        case Command::init_db:
            co_return co_await handle_init_db(payload);
        case Command::field_list:
            co_return co_await run_on_primary(payload, mysql::reply_shape_of(Command::field_list));
        case Command::statistics:
            co_return co_await run_on_primary(payload, mysql::reply_shape_of(Command::statistics));
        case Command::set_option: {
            bool ok = false;
            if (!co_await run_on_primary(payload, mysql::reply_shape_of(Command::set_option),
                                         &ok)) {
                co_return false;
            }
            if (ok) record_state(Command::set_option, mysql::as_chars(payload.subspan(1)));
            co_return true;
        }
        case Command::reset_connection:
            // Fresh backend sessions are the simplest faithful reset of every server.
            reset_session();
            co_return co_await send_ok(reply_sequence_);
        case Command::change_user:
            co_return co_await handle_change_user(payload);
        // Prepared statements live on the session's primary connection (their ids are that
        // server's), so they run there; reads through them are not spread over replicas.
        case Command::process_kill: {
            mysql::ByteReader r(payload.subspan(1));
            const std::uint32_t id = r.u32();
            if (!r.ok()) {
                co_return co_await send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: malformed COM_PROCESS_KILL");
            }
            co_return co_await handle_kill(id, false);
        }
        case Command::stmt_prepare:
            co_return co_await run_on_primary(payload,
                                              mysql::reply_shape_of(Command::stmt_prepare));
        case Command::stmt_execute:
            co_return co_await handle_stmt_execute(payload);
        case Command::stmt_reset:
            co_return co_await run_on_primary(payload, mysql::reply_shape_of(Command::stmt_reset));
        case Command::stmt_close:
        case Command::stmt_send_long_data:
            co_await send_without_reply(runtime_.primary(), payload);
            co_return true;
        default:
            break;
    }
    const std::string message =
        "sqlgate: command " + std::string(mysql::command_name(command)) + " is not supported yet";
    co_return co_await send_error(errc::unknown_command, "HY000", message);
}

awaitable<bool> ClientSession::handle_query(mysql::ByteView payload) {
    const std::string_view sql = mysql::as_chars(payload.subspan(1));
    const sql::StatementInfo info = sql::describe(sql);
    if (info.verb == sql::Keyword::kKill) {
        const auto kill = sql::parse_kill(sql);
        if (!kill) {
            co_return co_await send_error(
                errc::not_supported, "HY000",
                "sqlgate: only KILL [CONNECTION|QUERY] <id> is supported");
        }
        co_return co_await handle_kill(kill->id, kill->query_only);
    }
    const RouteDecision route = decide_route(info, situation());
    switch (route.target) {
        case RouteDecision::Target::reject:
            co_return co_await send_error(errc::unknown_route, "HY000", route.error);
        case RouteDecision::Target::replica:
        case RouteDecision::Target::named_server:
        case RouteDecision::Target::previous_server:
            co_return co_await run_read(payload, route);
        case RouteDecision::Target::primary:
            break;
    }
    bool succeeded = false;
    if (!co_await run_on_primary(payload, ReplyShape::result, &succeeded)) co_return false;
    // Its GTID is fetched only when a replica read follows (see run_read): asking now would
    // cost writers a round trip and clear the warnings the client may ask for next.
    if (succeeded && !in_transaction_ && info.statement_class != sql::StatementClass::read &&
        info.statement_class != sql::StatementClass::session_state) {
        write_gtid_unknown_ = true;
    }
    if (succeeded) {
        if (info.statement_class == sql::StatementClass::session_state &&
            !info.flags.multiple_statements) {
            record_state(Command::query, sql);
        }
        // Locked and temporary tables exist only in this session on the primary.
        if (info.verb == sql::Keyword::kLock || info.flags.creates_temporary_table) {
            pinned_to_primary_ = true;
        }
    }
    co_return true;
}

awaitable<bool> ClientSession::handle_stmt_execute(mysql::ByteView payload) {
    // Arguments: statement id (4 bytes), then flags; a cursor would need COM_STMT_FETCH.
    constexpr std::size_t kFlagsOffset = 1 + 4;
    if (payload.size() > kFlagsOffset && payload[kFlagsOffset] != 0) {
        co_return co_await send_error(errc::not_supported, "HY000",
                                      "sqlgate: cursors (COM_STMT_EXECUTE with a cursor flag) "
                                      "are not supported yet");
    }
    bool succeeded = false;
    if (!co_await run_on_primary(payload, ReplyShape::result, &succeeded)) co_return false;
    // A prepared statement may have written; the class of its text is not known here.
    if (succeeded && !in_transaction_) write_gtid_unknown_ = true;
    co_return true;
}

awaitable<bool> ClientSession::handle_kill(std::uint64_t id, bool query_only) {
    ClientSession* target = runtime_.find_session(id);
    if (target == nullptr) {
        const std::string message = "Unknown thread id: " + std::to_string(id);
        co_return co_await send_error(errc::unknown_thread, "HY000", message);
    }
    // Copied now: the target may end while this session waits on a backend.
    const auto threads = target->backend_threads();
    const char* verb = query_only ? "KILL QUERY " : "KILL CONNECTION ";
    net::CommandResult result;
    for (const auto& [index, thread] : threads) {
        std::string error;
        BackendLink* link = co_await link_to(runtime_.backends()[index], error);
        if (link == nullptr) continue;  // that server is gone, and the thread with it
        const std::string statement = verb + std::to_string(thread);
        // Same account as the target's connections, so the server lets us; a thread that
        // ended meanwhile gives "unknown thread", which changes nothing.
        co_await net::run_command(link->channel, Command::query, statement, capabilities_, result);
    }
    if (!query_only) {
        if (target == this) co_return false;
        if (ClientSession* still = runtime_.find_session(id)) still->close_client();
    }
    co_return co_await send_ok(reply_sequence_);
}

awaitable<void> ClientSession::send_without_reply(BackendState& backend, mysql::ByteView payload) {
    BackendLink* link = links_[backend.index].get();
    // Without a connection there is no statement to close or feed: nothing to do.
    if (link == nullptr) co_return;
    std::uint8_t sequence = 0;
    if (const auto ec = co_await link->channel.write_message(payload, sequence)) {
        links_[backend.index].reset();
    }
}

awaitable<bool> ClientSession::handle_init_db(mysql::ByteView payload) {
    bool succeeded = false;
    if (!co_await run_on_primary(payload, ReplyShape::result, &succeeded)) co_return false;
    if (succeeded) record_state(Command::init_db, mysql::as_chars(payload.subspan(1)));
    co_return true;
}

awaitable<bool> ClientSession::run_on_primary(mysql::ByteView payload, ReplyShape shape,
                                              bool* succeeded) {
    co_return co_await run_on(runtime_.primary(), payload, shape, succeeded);
}

awaitable<bool> ClientSession::run_on(BackendState& backend, mysql::ByteView payload,
                                      ReplyShape shape, bool* succeeded) {
    // The awaited value goes into a local first: GCC 12 miscompiles `switch (co_await ...)`.
    const Outcome outcome = co_await execute(backend, payload, shape, succeeded);
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

awaitable<bool> ClientSession::run_read(mysql::ByteView payload, const RouteDecision& route) {
    if (route.target != RouteDecision::Target::replica) {
        BackendState* backend = route.target == RouteDecision::Target::previous_server
                                    ? &runtime_.backends()[previous_backend_]
                                    : runtime_.find_backend(route.server);
        if (backend == nullptr) {
            const std::string message =
                "sqlgate: no server named '" + std::string(route.server) + "' in route hint";
            co_return co_await send_error(errc::unknown_route, "HY000", message);
        }
        co_return co_await run_on(*backend, payload, ReplyShape::result, nullptr);
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
                                                 nullptr, read_your_writes);
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
    co_return co_await run_on_primary(payload, ReplyShape::result);
}

awaitable<ClientSession::Outcome> ClientSession::execute(BackendState& backend,
                                                         mysql::ByteView payload, ReplyShape shape,
                                                         bool* succeeded, bool read_your_writes) {
    BackendLink* link = co_await link_to(backend, last_backend_error_);
    if (link == nullptr) co_return Outcome::not_reached;
    if (read_your_writes && !co_await catch_up(*link)) co_return Outcome::behind;
    std::uint8_t sequence = 0;
    if (const auto ec = co_await link->channel.write_message(payload, sequence)) {
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
        co_return nothing_sent&& client_.is_open() ? Outcome::not_reached : Outcome::broken;
    }
    const auto now = Clock::now();
    backend.query_ms.add(std::chrono::duration<double, std::milli>(now - started).count(),
                         runtime_.config().ewma_weight);
    backend.last_query_sample = now;
    ++backend.statements_served;
    if (backend.is_primary && !tracker.failed()) {
        in_transaction_ = has(tracker.status(), mysql::ServerStatus::in_trans);
        autocommit_ = has(tracker.status(), mysql::ServerStatus::autocommit);
    }
    if (succeeded != nullptr) *succeeded = !tracker.failed();
    co_return Outcome::replied;
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
    if (ec || result.failed || result.rows.empty() || result.rows[0].empty() ||
        result.rows[0][0] != "0") {
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
    const std::string gtid = result.rows.empty() || result.rows[0].empty()
                                 ? std::string()
                                 : result.rows[0][0].value_or("");
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

SessionSituation ClientSession::situation() const {
    return {.in_transaction = in_transaction_,
            .autocommit = autocommit_,
            .pinned_to_primary = pinned_to_primary_,
            .user_default = user_->default_route,
            .listener_default = runtime_.config().default_route};
}

awaitable<bool> ClientSession::send_error(std::uint16_t code, std::string_view sql_state,
                                          std::string_view message,
                                          std::optional<std::uint8_t> sequence_override) {
    std::uint8_t sequence = sequence_override.value_or(reply_sequence_);
    reply_.clear();
    mysql::serialize_err(reply_, code, sql_state, message);
    co_return !co_await client_.write_message(reply_, sequence);
}

awaitable<bool> ClientSession::send_ok(std::uint8_t sequence) {
    reply_.clear();
    std::uint16_t status = autocommit_ ? kAutocommitStatus : 0;
    if (in_transaction_) status |= static_cast<std::uint16_t>(mysql::ServerStatus::in_trans);
    mysql::serialize_ok(reply_, {.status = status});
    co_return !co_await client_.write_message(reply_, sequence);
}

}  // namespace sqlgate::proxy
