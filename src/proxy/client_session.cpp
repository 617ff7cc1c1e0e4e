#include "proxy/client_session.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "mysql/messages.hpp"
#include "net/errors.hpp"
#include "obs/log.hpp"
#include "sql/classifier.hpp"
#include "sql/kill_statement.hpp"

// The session's life and its command dispatch. Logging in lives in client_session_login.cpp,
// running commands on backends in client_session_backends.cpp.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

std::string peer_of(const net::tcp::socket& s) {
    boost::system::error_code ec;
    const auto ep = s.remote_endpoint(ec);
    return ec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

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
    prepared_.clear();
    last_prepared_.reset();
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
    std::uint32_t statement_id = 0;  // of COM_STMT_RESET and COM_STMT_SEND_LONG_DATA
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
        case Command::process_kill: {
            mysql::ByteReader r(payload.subspan(1));
            const std::uint32_t id = r.u32();
            if (!r.ok()) {
                co_return co_await send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: malformed COM_PROCESS_KILL");
            }
            co_return co_await handle_kill(id, false);
        }
        // Statements are prepared on the primary, whose ids the client sees; executions of
        // reads go where a text read would, prepared again there on first use. Cursors and
        // long data live where they were opened or sent: on the primary.
        case Command::stmt_prepare:
            co_return co_await handle_stmt_prepare(payload);
        case Command::stmt_execute:
            co_return co_await handle_stmt_execute(payload);
        case Command::stmt_fetch:
            co_return co_await run_on_primary(payload, mysql::reply_shape_of(Command::stmt_fetch));
        case Command::stmt_reset:
            if (PreparedStatement* statement = prepared_statement(payload, statement_id)) {
                statement->long_data_pending = false;
            }
            co_return co_await run_on_primary(payload, mysql::reply_shape_of(Command::stmt_reset));
        case Command::stmt_close:
            co_return co_await handle_stmt_close(payload);
        case Command::stmt_send_long_data:
            if (PreparedStatement* statement = prepared_statement(payload, statement_id)) {
                statement->long_data_pending = true;
            }
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
    if (route.target != RouteDecision::Target::primary) co_return co_await run_read(payload, route);
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

awaitable<bool> ClientSession::handle_stmt_prepare(mysql::ByteView payload) {
    const std::string_view sql = mysql::as_chars(payload.subspan(1));
    const sql::StatementInfo info = sql::describe(sql);
    const RouteDecision route = decide_route(info, situation());
    // A bad hint is reported now, not at every execution.
    if (route.target == RouteDecision::Target::reject) {
        co_return co_await send_error(errc::unknown_route, "HY000", route.error);
    }
    last_prepared_.reset();
    bool succeeded = false;
    if (!co_await run_on_primary(payload, ReplyShape::prepare, &succeeded)) co_return false;
    if (!succeeded) co_return true;
    const std::uint32_t id = prepared_id_;
    last_prepared_ = id;
    // Whatever another connection to the primary once knew by this id is another statement.
    for (auto& link : links_) {
        if (link) link->statements.erase(id);
    }
    if (!info.is_replica_safe()) {
        prepared_.erase(id);
        co_return true;
    }
    prepared_.add(id, sql, prepared_parameters_);
    if (auto& primary = links_[runtime_.primary().index]) {
        primary->statements.emplace(id, BackendStatement{id});
    }
    co_return true;
}

PreparedStatement* ClientSession::prepared_statement(mysql::ByteView payload, std::uint32_t& id) {
    mysql::ByteReader r(payload.subspan(1));
    id = r.u32();
    if (!r.ok()) return nullptr;
    if (id == mysql::kLastPreparedStatement) {
        if (!last_prepared_) return nullptr;
        id = *last_prepared_;
    }
    PreparedStatement* statement = prepared_.find(id);
    if (statement == nullptr) return nullptr;
    const auto& primary = links_[runtime_.primary().index];
    if (!primary || !primary->channel.is_open() || !primary->statements.contains(id)) {
        // Prepared on a connection to the primary that has since been lost.
        prepared_.erase(id);
        return nullptr;
    }
    return statement;
}

awaitable<bool> ClientSession::handle_stmt_execute(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    const auto head = mysql::parse_stmt_execute_head(
        payload, statement != nullptr ? statement->parameters : std::uint16_t{0});
    if (!head) {
        co_return co_await send_error(errc::malformed_packet, "08S01",
                                      "sqlgate: malformed COM_STMT_EXECUTE");
    }
    if (statement == nullptr) {
        // Not a read sqlgate spreads (or unknown to it): the primary runs it or refuses it.
        bool succeeded = false;
        if (!co_await run_on_primary(payload, ReplyShape::result, &succeeded)) co_return false;
        // A prepared statement may have written; the class of its text is not known here.
        if (succeeded && !in_transaction_) write_gtid_unknown_ = true;
        co_return true;
    }
    if (head->carries_types) statement->note_types(head->types);
    const PreparedExecution execution{*statement, id, *head};
    RouteDecision route = decide_route(statement->info, situation());
    if (head->cursor_flags != 0 || std::exchange(statement->long_data_pending, false)) {
        route.target = RouteDecision::Target::primary;
    }
    if (route.target != RouteDecision::Target::primary) {
        co_return co_await run_read(payload, route, &execution);
    }
    co_return co_await run_on(runtime_.primary(), payload, ReplyShape::result, nullptr, &execution);
}

awaitable<bool> ClientSession::handle_stmt_close(mysql::ByteView payload) {
    std::uint32_t id = 0;
    if (prepared_statement(payload, id) != nullptr) {
        auto& backends = runtime_.backends();
        for (std::size_t i = 0; i < links_.size(); ++i) {
            if (!links_[i] || i == runtime_.primary().index) continue;
            const auto there = links_[i]->statements.find(id);
            if (there == links_[i]->statements.end()) continue;
            rebound_.clear();
            mysql::serialize_statement_command(rebound_, Command::stmt_close, there->second.id);
            links_[i]->statements.erase(there);
            co_await send_without_reply(backends[i], rebound_);
        }
        prepared_.erase(id);
    }
    if (auto& primary = links_[runtime_.primary().index]) primary->statements.erase(id);
    co_await send_without_reply(runtime_.primary(), payload);
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
    std::uint16_t status = autocommit_ ? mysql::bits(mysql::ServerStatus::autocommit) : 0;
    if (in_transaction_) status |= static_cast<std::uint16_t>(mysql::ServerStatus::in_trans);
    mysql::serialize_ok(reply_, {.status = status});
    co_return !co_await client_.write_message(reply_, sequence);
}

}  // namespace sqlgate::proxy
