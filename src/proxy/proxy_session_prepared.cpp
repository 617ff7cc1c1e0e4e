#include "mysql/messages.hpp"
#include "proxy/proxy_session.hpp"
#include "sql/classifier.hpp"

// Prepared statements: the client sees ids the session gives them; each backend connection
// prepares a text once, when an execution first needs it there, and every session that
// borrows the connection uses it. Prepares run on the primary (whose reply, definitions
// included, the client gets); executions of reads go where a text read would. Cursors and
// long data live where they were opened or sent: on the primary, which the session keeps.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

// A connection that gathered this many (an application preparing ever new texts) closes
// them and starts over, so the server's max_prepared_stmt_count is never reached through it.
constexpr std::size_t kMaxStatementsPerLink = 64;
constexpr std::uint16_t kUnknownStatement = 1243;   // ER_UNKNOWN_STMT_HANDLER
constexpr std::uint16_t kNoOpenCursor = 1421;       // ER_STMT_HAS_NO_OPEN_CURSOR
constexpr std::uint16_t kTooManyStatements = 1461;  // ER_MAX_PREPARED_STMT_COUNT_REACHED

// `payload` (a COM_STMT_* command) naming the server's `id` instead of the client's.
mysql::ByteView with_statement_id(mysql::Bytes& out, mysql::ByteView payload, std::uint32_t id) {
    out.assign(payload.begin(), payload.end());
    mysql::store_u32(out.data() + 1, id);
    return out;
}

}  // namespace

awaitable<bool> ProxySession::handle_stmt_prepare(mysql::ByteView payload) {
    const std::string_view sql = mysql::as_chars(payload.subspan(1));
    const sql::StatementInfo info = sql::describe(sql, runtime_.describe_options());
    const RouteDecision route = decide_route(info, situation());
    // A bad hint is reported now, not at every execution.
    if (route.target == RouteDecision::Target::reject) {
        co_return co_await client_.send_error(errc::unknown_route, "HY000", route.error);
    }
    prepared_.set_last(std::nullopt);
    // Never 0, nor kLastPreparedStatement.
    if (++last_statement_id_ == mysql::kLastPreparedStatement) last_statement_id_ = 1;
    const std::uint32_t id = last_statement_id_;
    statement_id_for_client_ = id;
    const Ran ran = co_await run_on_primary(payload, ReplyShape::prepare);
    statement_id_for_client_ = 0;
    if (!ran.reply.succeeded) co_return ran.goes_on;
    prepared_.set_last(id);
    prepared_.add(id, sql, ran.reply.prepared_parameters, runtime_.describe_options());
    // The connection that prepared it keeps it for the executions that run there.
    if (BackendLink* link = links_.find(previous_backend_)) {
        co_await make_room(*link);
        link->statements_by_text.insert_or_assign(std::string(sql),
                                                  BackendStatement{.id = ran.reply.prepared_id});
    }
    co_return true;
}

PreparedStatement* ProxySession::prepared_statement(mysql::ByteView payload, std::uint32_t& id) {
    mysql::ByteReader r(payload.subspan(1));
    id = r.u32();
    if (!r.ok()) return nullptr;
    if (id == mysql::kLastPreparedStatement) {
        if (!prepared_.last()) return nullptr;
        id = *prepared_.last();
    }
    return prepared_.find(id);
}

awaitable<bool> ProxySession::unknown_statement(std::uint32_t id, std::string_view command) {
    const std::string message = "Unknown prepared statement handler (" + std::to_string(id) +
                                ") given to " + std::string(command);
    co_return co_await client_.send_error(kUnknownStatement, "HY000", message);
}

awaitable<bool> ProxySession::handle_stmt_execute(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    if (statement == nullptr) co_return co_await unknown_statement(id, "mysqld_stmt_execute");
    const auto head = mysql::parse_stmt_execute_head(payload, statement->parameters);
    if (!head) {
        co_return co_await client_.send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: malformed COM_STMT_EXECUTE");
    }
    if (head->carries_types) statement->note_types(head->types);
    const PreparedExecution execution{*statement, id, *head};
    RouteDecision route = decide_route(statement->info, situation());
    // A new execution closes the statement's cursor; one that opens another keeps the
    // session on the primary's connection until it is closed or reset.
    const bool opens_cursor = head->cursor_flags != 0;
    const bool long_data = statement->long_data_pending();
    prepared_.set_cursor_open(*statement, opens_cursor);
    prepared_.set_long_data_pending(*statement, false);
    if (opens_cursor || long_data) {
        route.target = RouteDecision::Target::primary;
        route.by_strategy = false;
    }
    route_ = route_of(route);
    if (route.target != RouteDecision::Target::primary) {
        co_return co_await run_read(payload, route, &execution);
    }
    const Ran ran = co_await run_on(runtime_.primary(), payload, ReplyShape::execute, &execution);
    if (ran.reply.answered) {
        note_primary_effects(statement->info, ran.reply);
    }
    co_return ran.goes_on;
}

awaitable<bool> ProxySession::handle_stmt_fetch(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    if (statement == nullptr) co_return co_await unknown_statement(id, "mysqld_stmt_fetch");
    const BackendStatement* there = kept_on_primary(*statement);
    if (!statement->cursor_open() || there == nullptr) {
        const std::string message =
            "The statement (" + std::to_string(id) + ") has no open cursor.";
        co_return co_await client_.send_error(kNoOpenCursor, "HY000", message);
    }
    const mysql::ByteView fetch = with_statement_id(rebound_, payload, there->id);
    co_return (co_await run_on_primary(fetch, ReplyShape::rows)).goes_on;
}

awaitable<bool> ProxySession::handle_stmt_close(mysql::ByteView payload) {
    // Servers keep theirs: a statement prepared on a connection by its text serves every
    // session that borrows it (see bind_prepared). No reply.
    std::uint32_t id = 0;
    if (prepared_statement(payload, id) != nullptr) prepared_.erase(id);
    co_return true;
}

awaitable<bool> ProxySession::handle_stmt_reset(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    if (statement == nullptr) co_return co_await unknown_statement(id, "mysqld_stmt_reset");
    const bool on_primary = statement->long_data_pending() || statement->cursor_open();
    prepared_.set_long_data_pending(*statement, false);
    prepared_.set_cursor_open(*statement, false);
    const BackendStatement* there = kept_on_primary(*statement);
    // Only a connection the session kept holds long data or a cursor of it to reset.
    if (!on_primary || there == nullptr) co_return co_await send_ok();
    const mysql::ByteView reset = with_statement_id(rebound_, payload, there->id);
    co_return (co_await run_on_primary(reset, mysql::reply_shape_of(Command::stmt_reset))).goes_on;
}

awaitable<bool> ProxySession::handle_stmt_send_long_data(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    if (statement == nullptr) co_return true;  // no reply: the execute will say it is unknown
    BackendState& primary = runtime_.primary();
    std::string error;
    BackendLink* link = co_await links_.open(primary, error);
    if (link == nullptr) co_return true;  // the execute meets the same failure and reports it
    const BackendStatement* there = co_await statement_on(*link, statement->text);
    if (there == nullptr) co_return true;
    prepared_.set_long_data_pending(*statement, true);
    std::uint8_t sequence = 0;
    const mysql::ByteView data = with_statement_id(rebound_, payload, there->id);
    if (co_await link->channel.write_message(data, sequence)) links_.drop(primary.index);
    co_return true;
}

awaitable<std::optional<mysql::ByteView>> ProxySession::bind_prepared(
    BackendLink& link, const PreparedExecution& execution, mysql::ByteView payload) {
    BackendStatement* there = co_await statement_on(link, execution.statement.text);
    if (there == nullptr) co_return std::nullopt;
    co_return bind_to(*there, execution, payload);
}

mysql::ByteView ProxySession::bind_to(BackendStatement& there, const PreparedExecution& execution,
                                      mysql::ByteView payload) {
    const PreparedStatement& statement = execution.statement;
    const bool needs_types =
        !execution.head.carries_types && !statement.types.empty() && there.types != statement.types;
    if (there.types != statement.types) there.types = statement.types;
    // (An execute naming kLastPreparedStatement gets the real id: the server it goes to may
    // have prepared something else last.)
    if (!needs_types && there.id == execution.head.statement_id) return payload;
    rebound_.clear();
    mysql::serialize_stmt_execute_for(
        rebound_, payload, execution.head, there.id,
        needs_types ? mysql::ByteView(statement.types) : mysql::ByteView());
    return mysql::ByteView(rebound_);
}

awaitable<void> ProxySession::make_room(BackendLink& link, bool now) {
    if (!now && link.statements_by_text.size() < kMaxStatementsPerLink) co_return;
    for (const auto& [unused, statement] : link.statements_by_text) {
        rebound_.clear();
        mysql::serialize_statement_command(rebound_, Command::stmt_close, statement.id);
        std::uint8_t sequence = 0;
        if (co_await link.channel.write_message(rebound_, sequence)) {
            link.channel.close();
            break;
        }
    }
    link.statements_by_text.clear();
}

const BackendStatement* ProxySession::kept_on_primary(const PreparedStatement& statement) const {
    const BackendLink* link = links_.find(runtime_.primary().index);
    if (link == nullptr) return nullptr;
    const auto there = link->statements_by_text.find(statement.text);
    return there != link->statements_by_text.end() ? &there->second : nullptr;
}

awaitable<BackendStatement*> ProxySession::statement_on(BackendLink& link,
                                                        const std::string& text) {
    if (const auto known = link.statements_by_text.find(text);
        known != link.statements_by_text.end()) {
        co_return &known->second;
    }
    co_await make_room(link);
    net::CommandResult result;
    auto ec =
        co_await net::run_command(link.channel, Command::stmt_prepare, text, capabilities_, result);
    if (!ec && result.failed && result.error_code == kTooManyStatements &&
        !link.statements_by_text.empty()) {
        // The server's max_prepared_stmt_count is shared by all its connections: this one
        // gives back what it holds and tries once more.
        co_await make_room(link, true);
        ec = co_await net::run_command(link.channel, Command::stmt_prepare, text, capabilities_,
                                       result);
    }
    if (ec || result.failed) {
        // A replica that cannot prepare it (a table it has not replicated yet, say) is
        // skipped for this execution, like one behind the session's writes.
        if (ec) link.channel.close();
        last_backend_error_ = ec ? ec.message() : result.error_message;
        co_return nullptr;
    }
    co_return &link.statements_by_text.insert_or_assign(text, BackendStatement{result.prepared_id})
        .first->second;
}

}  // namespace sqlgate::proxy
