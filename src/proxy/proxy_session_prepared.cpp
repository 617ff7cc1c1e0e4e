#include "mysql/messages.hpp"
#include "proxy/proxy_session.hpp"
#include "sql/classifier.hpp"

// Prepared statements: prepared on the primary, whose ids the client sees; executions of
// reads go where a text read would and are prepared again there on first use. Cursors and
// long data live where they were opened or sent: on the primary.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

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
    const Ran ran = co_await run_on_primary(payload, ReplyShape::prepare);
    if (!ran.reply.succeeded) co_return ran.goes_on;
    const std::uint32_t id = ran.reply.prepared_id;
    prepared_.set_last(id);
    // Whatever another connection to the primary once knew by this id is another statement.
    links_.forget_statement(id);
    if (!info.is_replica_safe()) {
        prepared_.erase(id);
        co_return true;
    }
    prepared_.add(id, sql, ran.reply.prepared_parameters, runtime_.describe_options());
    if (BackendLink* primary = links_.find(runtime_.primary().index)) {
        primary->statements.emplace(id, BackendStatement{id});
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
    PreparedStatement* statement = prepared_.find(id);
    if (statement == nullptr) return nullptr;
    const BackendLink* primary = links_.find(runtime_.primary().index);
    if (primary == nullptr || !primary->statements.contains(id)) {
        // Prepared on a connection to the primary that has since been lost.
        prepared_.erase(id);
        return nullptr;
    }
    return statement;
}

awaitable<bool> ProxySession::handle_stmt_execute(mysql::ByteView payload) {
    std::uint32_t id = 0;
    PreparedStatement* statement = prepared_statement(payload, id);
    const auto head = mysql::parse_stmt_execute_head(
        payload, statement != nullptr ? statement->parameters : std::uint16_t{0});
    if (!head) {
        co_return co_await client_.send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: malformed COM_STMT_EXECUTE");
    }
    if (statement == nullptr) {
        // Not a read sqlgate spreads (or unknown to it): the primary runs it or refuses it.
        const Ran ran = co_await run_on_primary(payload, ReplyShape::execute);
        // The class of its text is not known here: it may have written.
        if (ran.reply.answered) note_primary_effects(sql::StatementClass::other, true, ran.reply);
        co_return ran.goes_on;
    }
    if (head->carries_types) statement->note_types(head->types);
    const PreparedExecution execution{*statement, id, *head};
    RouteDecision route = decide_route(statement->info, situation());
    if (head->cursor_flags != 0 || std::exchange(statement->long_data_pending, false)) {
        route.target = RouteDecision::Target::primary;
        route.by_strategy = false;
    }
    route_ = route_of(route);
    if (route.target != RouteDecision::Target::primary) {
        co_return co_await run_read(payload, route, &execution);
    }
    co_return (co_await run_on(runtime_.primary(), payload, ReplyShape::execute, &execution))
        .goes_on;
}

awaitable<bool> ProxySession::handle_stmt_close(mysql::ByteView payload) {
    std::uint32_t id = 0;
    if (prepared_statement(payload, id) != nullptr) {
        const auto& backends = runtime_.backends();
        for (std::size_t i = 0; i < backends.size(); ++i) {
            BackendLink* link = links_.find(i);
            if (link == nullptr || i == runtime_.primary().index) continue;
            const auto there = link->statements.find(id);
            if (there == link->statements.end()) continue;
            rebound_.clear();
            mysql::serialize_statement_command(rebound_, Command::stmt_close, there->second.id);
            link->statements.erase(there);
            co_await send_without_reply(backends[i], rebound_);
        }
        prepared_.erase(id);
    }
    if (BackendLink* primary = links_.find(runtime_.primary().index)) primary->statements.erase(id);
    co_await send_without_reply(runtime_.primary(), payload);
    co_return true;
}

awaitable<bool> ProxySession::handle_stmt_reset(mysql::ByteView payload) {
    std::uint32_t id = 0;
    if (PreparedStatement* statement = prepared_statement(payload, id)) {
        statement->long_data_pending = false;
    }
    co_return (co_await run_on_primary(payload, mysql::reply_shape_of(Command::stmt_reset)))
        .goes_on;
}

awaitable<bool> ProxySession::handle_stmt_send_long_data(mysql::ByteView payload) {
    std::uint32_t id = 0;
    if (PreparedStatement* statement = prepared_statement(payload, id)) {
        statement->long_data_pending = true;
    }
    co_await send_without_reply(runtime_.primary(), payload);
    co_return true;
}

awaitable<void> ProxySession::send_without_reply(const BackendState& backend,
                                                 mysql::ByteView payload) {
    BackendLink* link = links_.find(backend.index);
    // Without a connection there is no statement to close or feed: nothing to do.
    if (link == nullptr) co_return;
    std::uint8_t sequence = 0;
    if (co_await link->channel.write_message(payload, sequence)) links_.drop(backend.index);
}

awaitable<std::optional<mysql::ByteView>> ProxySession::bind_prepared(
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

}  // namespace sqlgate::proxy
