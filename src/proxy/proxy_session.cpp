#include "proxy/proxy_session.hpp"

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/errors.hpp"
#include "obs/log.hpp"
#include "proxy/proxy_shards.hpp"
#include "proxy/replica_selector.hpp"
#include "sql/classifier.hpp"
#include "sql/kill_statement.hpp"

// The session's life, logging in and command dispatch. Prepared statements live in
// proxy_session_prepared.cpp, running commands on backends in proxy_session_execute.cpp.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using engine::ErrorReply;
using mysql::Command;
using mysql::ReplyShape;
namespace errc = mysql::error_code;

}  // namespace

ProxySession::ProxySession(ProxyRuntime& runtime, engine::ClientConnection& client)
    : runtime_(runtime),
      client_(client),
      links_(client.channel().executor()),
      previous_backend_(runtime.primary().index) {
    runtime_.register_session(client_.connection_id(), this);
}

ProxySession::~ProxySession() {
    runtime_.unregister_session(client_.connection_id());
}

engine::ListenerSettings ProxySession::listener_settings() {
    const auto& config = runtime_.config();
    return {.role = "proxy",
            .server_version = runtime_.server_version(),
            .mariadb_capabilities = runtime_.mariadb_capabilities(),
            .tls = runtime_.tls(),
            .tls_required = config.require_tls,
            .peers = &runtime_.peers(),
            .pre_auth = {.timeout = config.handshake_timeout},
            .max_statement_bytes = config.max_statement_bytes};
}

bool ProxySession::authenticate(const net::ClientLogin& login, std::string_view scramble) {
    auto user = runtime_.find_user(login.user);
    if (user == nullptr ||
        !mysql::verify_native_password(login.token, scramble, user->password_hash))
        return false;
    user_ = std::move(user);
    return true;
}

std::string_view ProxySession::user_name() const {
    return user_ != nullptr ? std::string_view(user_->name) : std::string_view();
}

awaitable<std::optional<ErrorReply>> ProxySession::open(const net::ClientLogin& login) {
    const auto& config = runtime_.config();
    capabilities_ = login.capabilities;
    links_.set_login({.user = config.backend.user,
                      .password = config.backend.password,
                      .capabilities = login.capabilities,
                      .mariadb_capabilities = login.mariadb_capabilities,
                      .collation = login.collation},
                     config.connect_timeout);
    links_.share_links(config.multiplex, config.connection_wait_timeout);
    if (config.read_your_writes) links_.track_gtids();
    if (login.database.empty()) co_return std::nullopt;
    // Checked now, so a wrong schema fails the login as it would directly: on the primary,
    // or on a replica while the primary is down (logging in must not depend on it).
    BackendState& server = state_server();
    std::string error;
    BackendLink* link = co_await links_.open(server, error);
    if (link == nullptr) {
        co_return ErrorReply{errc::backend_unavailable, "HY000", server.unavailable(error)};
    }
    net::CommandResult result;
    if (const auto ec = co_await net::run_command(link->channel, Command::init_db, login.database,
                                                  capabilities_, result)) {
        links_.drop(server.index);
        co_return ErrorReply{errc::backend_unavailable, "HY000", server.unavailable(ec.message())};
    }
    if (result.failed) {
        co_return ErrorReply{result.error_code,
                             result.sql_state.empty() ? "42000" : result.sql_state,
                             result.error_message};
    }
    links_.record_state(Command::init_db, login.database, true, server);
    release_links();
    co_return std::nullopt;
}

BackendState& ProxySession::state_server() {
    BackendState& primary = runtime_.primary();
    if (!runtime_.primary_down()) return primary;
    const auto replica = select_replica(config::RouteStrategy::random, runtime_.backends(),
                                        runtime_.limits(), runtime_.rng(), Clock::now(), 0);
    return replica ? runtime_.backends()[*replica] : primary;
}

void ProxySession::reset() {
    // Fresh backend sessions are the simplest faithful reset of every server.
    links_.close_all();
    prepared_.clear();
    last_statement_id_ = 0;
    writes_.clear();
    in_transaction_ = false;
    autocommit_ = true;
    pinned_to_primary_ = false;
    user_variables_on_primary_ = false;
    session_settings_on_primary_ = false;
    previous_backend_ = runtime_.primary().index;
    previous_left_diagnostics_ = false;
    sticky_pins_ = 0;
    counted_pins_ = 0;
}

PinReasons ProxySession::primary_pins() const {
    PinReasons pins = sticky_pins_;
    if (in_transaction_ || !autocommit_) pins |= pin_bit(PinReason::transaction);
    if (prepared_.has_open_cursor()) pins |= pin_bit(PinReason::cursor);
    if (prepared_.has_long_data()) pins |= pin_bit(PinReason::long_data);
    return pins;
}

void ProxySession::release_links() {
    if (!links_.shares_links()) return;
    const std::size_t primary = runtime_.primary().index;
    PinReasons pins = primary_pins();
    if (previous_left_diagnostics_) pins |= pin_bit(PinReason::diagnostics);
    if (links_.tracks_for_client()) pins |= pin_bit(PinReason::session_tracking);
    if (const PinReasons fresh = pins & ~counted_pins_) {
        for (std::size_t r = 0; r < kPinReasonNames.size(); ++r) {
            if (fresh & (1u << r)) ++runtime_.counters().pins[r];
        }
    }
    counted_pins_ = pins;
    const bool keeps_primary = (pins & ~pin_bit(PinReason::diagnostics)) != 0;
    for (std::size_t index = 0; index < links_.slots(); ++index) {
        if (index == primary && keeps_primary) continue;
        if (index == previous_backend_ && previous_left_diagnostics_) continue;
        links_.release(index);
    }
}

std::uint16_t ProxySession::status_flags() const {
    std::uint16_t status = autocommit_ ? mysql::bits(mysql::ServerStatus::autocommit) : 0;
    if (in_transaction_) status |= mysql::bits(mysql::ServerStatus::in_trans);
    return status;
}

awaitable<bool> ProxySession::send_ok() {
    co_return co_await client_.send_ok(status_flags());
}

awaitable<bool> ProxySession::handle(Command command, mysql::ByteView payload) {
    const bool goes_on = co_await dispatch(command, payload);
    release_links();
    co_return goes_on;
}

awaitable<bool> ProxySession::dispatch(Command command, mysql::ByteView payload) {
    route_ = StatementRoute::primary;
    switch (command) {
        case Command::ping:
            co_return co_await send_ok();
        case Command::query:
            co_return co_await handle_query(payload);
        case Command::init_db:
            co_return co_await handle_init_db(payload);
        case Command::field_list:
        case Command::statistics:
            co_return (co_await run_on_primary(payload, mysql::reply_shape_of(command))).goes_on;
        // Cursors live where they were opened: on the primary.
        case Command::stmt_fetch:
            co_return co_await handle_stmt_fetch(payload);
        case Command::set_option:
            co_return co_await handle_set_option(payload);
        case Command::reset_connection:
            reset();
            co_return co_await send_ok();
        // Statements are prepared on the primary, whose ids the client sees; executions of
        // reads go where a text read would, prepared again there on first use.
        case Command::stmt_prepare:
            co_return co_await handle_stmt_prepare(payload);
        case Command::stmt_execute:
            co_return co_await handle_stmt_execute(payload);
        case Command::stmt_reset:
            co_return co_await handle_stmt_reset(payload);
        case Command::stmt_close:
            co_return co_await handle_stmt_close(payload);
        case Command::stmt_send_long_data:
            co_return co_await handle_stmt_send_long_data(payload);
        default:
            break;
    }
    const std::string message = "sqlgate: command " + std::string(mysql::command_name(payload[0])) +
                                " is not supported yet";
    co_return co_await client_.send_error(errc::unknown_command, "HY000", message);
}

awaitable<bool> ProxySession::handle_query(mysql::ByteView payload) {
    const std::string_view sql = mysql::as_chars(payload.subspan(1));
    const sql::StatementInfo info = sql::describe(sql, runtime_.describe_options());
    if (info.verb == sql::Keyword::kKill) {
        const auto kill_statement = sql::parse_kill(sql);
        if (!kill_statement) {
            co_return co_await client_.send_error(
                errc::not_supported, "HY000",
                "sqlgate: only KILL [CONNECTION|QUERY] <id> is supported");
        }
        co_return co_await kill(kill_statement->id, kill_statement->query_only);
    }
    const RouteDecision route = decide_route(info, situation());
    route_ = route_of(route);
    if (route.target != RouteDecision::Target::primary) co_return co_await run_read(payload, route);
    BackendState& server = info.statement_class == sql::StatementClass::session_state
                               ? state_server()
                               : runtime_.primary();
    const Ran ran = co_await run_on(server, payload, ReplyShape::result);
    if (!ran.goes_on) co_return false;
    if (ran.reply.answered) {
        note_primary_effects(info, ran.reply);
    }
    // Even a failed one: it may have set the variable before failing.
    if (info.flags.sets_session_tracking) links_.client_sets_tracking();
    if (!ran.reply.succeeded) co_return true;
    if (info.statement_class == sql::StatementClass::session_state &&
        !info.flags.multiple_statements) {
        links_.record_state(Command::query, sql, info.verb == sql::Keyword::kUse, server);
    }
    // Locked and temporary tables exist only in this session on the primary, and so do
    // session variables a SET with side effects changed (it is not replayed).
    const auto pin_reads = [this](PinReason reason) {
        pin(reason);
        pinned_to_primary_ = true;
    };
    if (info.verb == sql::Keyword::kLock) pin_reads(PinReason::table_lock);
    if (info.flags.creates_temporary_table) pin_reads(PinReason::temporary_table);
    if (info.flags.needs_primary_session) pin_reads(PinReason::session_variables);
    if (info.verb == sql::Keyword::kUnlock) sticky_pins_ &= ~pin_bit(PinReason::table_lock);
    if (info.verb == sql::Keyword::kPrepare) pin(PinReason::sql_prepare);
    if (info.primary_reason == sql::PrimaryReason::primary_function) {
        pin(PinReason::primary_function);
    }
    if (info.primary_reason == sql::PrimaryReason::calc_found_rows) pin(PinReason::found_rows);
    co_return true;
}

void ProxySession::note_primary_effects(const sql::StatementInfo& info, const Reply& reply) {
    using enum sql::StatementClass;
    const sql::StatementClass statement_class = info.statement_class;
    // Failed statements count too: one that ends in an error may still have changed a
    // non-transactional table, or set variables before it failed.
    const bool may_change = statement_class != read && statement_class != session_state;
    // Its GTID came with the reply when the primary reports it; otherwise it is fetched only
    // when a replica read follows (see run_read): asking now would cost writers a round trip
    // and clear the warnings the client may ask for next.
    if (may_change && !in_transaction_) writes_.note_write(reply.gtid_reported);
    // Triggers, procedures, stored functions, SELECT @x := ..., SELECT ... INTO @x and
    // computed SET values leave user variables that only the primary's session has; a
    // stored function in a read, or a procedure, may have set session variables too.
    const bool calls_function = info.primary_reason == sql::PrimaryReason::stored_function ||
                                info.verb == sql::Keyword::kCall;
    if ((may_change && statement_class != transaction) || info.flags.assigns_user_variables ||
        calls_function) {
        user_variables_on_primary_ = true;
    }
    if (calls_function) {
        session_settings_on_primary_ = true;
        pin(PinReason::primary_function);
    }
    if (may_change && statement_class != transaction) pin(PinReason::write);
    if (info.flags.assigns_user_variables) pin(PinReason::user_variables);
}

awaitable<bool> ProxySession::handle_init_db(mysql::ByteView payload) {
    BackendState& server = state_server();
    const Ran ran = co_await run_on(server, payload, ReplyShape::result);
    if (ran.reply.succeeded) {
        links_.record_state(Command::init_db, mysql::as_chars(payload.subspan(1)), true, server);
    }
    co_return ran.goes_on;
}

awaitable<bool> ProxySession::handle_set_option(mysql::ByteView payload) {
    BackendState& server = state_server();
    const Ran ran = co_await run_on(server, payload, mysql::reply_shape_of(Command::set_option));
    if (ran.reply.succeeded) {
        links_.record_state(Command::set_option, mysql::as_chars(payload.subspan(1)), false,
                            server);
    }
    co_return ran.goes_on;
}

awaitable<bool> ProxySession::kill(std::uint64_t id, bool query_only) {
    using Threads = std::vector<std::pair<std::size_t, std::uint32_t>>;
    // The target's session may live on another event-loop thread: asked there.
    ProxyShards* const shards = runtime_.shards();
    const std::size_t home = runtime_.thread_of(id);
    const bool here = shards == nullptr || home == runtime_.thread_index();
    const auto threads_of = [id](ProxyRuntime& runtime) -> std::optional<Threads> {
        ProxySession* target = runtime.find_session(id);
        if (target == nullptr) return std::nullopt;
        return target->backend_threads();
    };
    // Copied now: the target may end while this session waits on a backend.
    std::optional<Threads> threads;
    if (here) {
        threads = threads_of(runtime_);
    } else {  // (not a conditional expression: GCC 12 miscompiles co_await in one)
        threads = co_await shards->on_thread<std::optional<Threads>>(home, threads_of);
    }
    if (!threads) {
        const std::string message = "Unknown thread id: " + std::to_string(id);
        co_return co_await client_.send_error(errc::unknown_thread, "HY000", message);
    }
    const char* verb = query_only ? "KILL QUERY " : "KILL CONNECTION ";
    net::CommandResult result;
    for (const auto& [index, thread] : *threads) {
        std::string error;
        BackendLink* link = co_await links_.open(runtime_.backends()[index], error);
        if (link == nullptr) continue;  // that server is gone, and the thread with it
        // Same account as the target's connections, so the server lets us; a thread that
        // ended meanwhile gives "unknown thread", which changes nothing.
        const std::string statement = verb + std::to_string(thread);
        co_await net::run_command(link->channel, Command::query, statement, capabilities_, result);
    }
    if (!query_only) {
        if (id == client_.connection_id()) co_return false;
        const auto close = [id](ProxyRuntime& runtime) {
            if (ProxySession* still = runtime.find_session(id)) still->close_client();
            return true;
        };
        if (here) {
            close(runtime_);
        } else {
            co_await shards->on_thread<bool>(home, close);
        }
    }
    co_return co_await send_ok();
}

SessionSituation ProxySession::situation() const {
    return {.in_transaction = in_transaction_,
            .autocommit = autocommit_,
            .pinned_to_primary = pinned_to_primary_,
            .user_variables_on_primary = user_variables_on_primary_,
            .session_settings_on_primary = session_settings_on_primary_,
            .user_default = user_->default_route,
            .listener_default = runtime_.config().default_route};
}

}  // namespace sqlgate::proxy
