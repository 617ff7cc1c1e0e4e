#include "front/front_stages.hpp"

#include <boost/asio/ip/address.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "mysql/response_tracker.hpp"
#include "net/errors.hpp"
#include "obs/log.hpp"

namespace sqlgate::front {
namespace {

using boost::asio::awaitable;
using engine::ErrorReply;
using mysql::Command;
namespace errc = mysql::error_code;

// `name` as a quoted identifier, so that the policy sees exactly one name.
std::string quoted_name(std::string_view name) {
    std::string out = "`";
    for (char c : name) {
        out += c;
        if (c == '`') out += '`';
    }
    out += '`';
    return out;
}

bool is_loopback(const std::string& source) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(source, ec);
    return !ec && address.is_loopback();
}

}  // namespace

FrontStages::FrontStages(FrontRuntime& runtime, engine::ClientConnection& client)
    : runtime_(runtime), client_(client), upstream_(client.channel().executor()) {}

engine::ListenerSettings FrontStages::listener_settings() const {
    const FrontSettings& s = runtime_.settings();
    return {.role = s.role,
            .server_version = s.listener.server_version,
            .mariadb_capabilities = runtime_.upstream_mariadb_capabilities(),
            .tls = runtime_.server_tls(),
            .tls_required = !(s.allow_plain_from_loopback && is_loopback(client_.source())),
            .peers = &runtime_.peers(),
            .pre_auth = {.total = s.listener.max_unauthenticated,
                         .per_source = s.listener.max_unauthenticated_per_source,
                         .timeout = s.listener.handshake_timeout,
                         .timeout_under_pressure = s.listener.handshake_timeout_under_pressure},
            .idle_timeout = s.listener.idle_timeout,
            .max_statement_bytes = s.listener.max_statement_bytes};
}

std::optional<ErrorReply> FrontStages::admit() {
    auto slot = runtime_.connections().try_acquire(client_.source());
    if (!slot) {
        return ErrorReply{errc::too_many_connections, "08004", "sqlgate: too many connections"};
    }
    slot_.emplace(std::move(*slot));
    return std::nullopt;
}

std::optional<ErrorReply> FrontStages::check_login(const net::ClientLogin& login) {
    capabilities_ = login.capabilities;
    if (policy::is_safe_client_collation(login.collation)) return std::nullopt;
    // gbk, big5, sjis, cp932: a multi-byte character may end in 0x5c, which the server
    // then does not read as the backslash the firewall saw.
    return ErrorReply{errc::unknown_character_set, "42000",
                      "sqlgate: character set of collation " + std::to_string(login.collation) +
                          " is not accepted here; connect with utf8mb4"};
}

bool FrontStages::needs_password() const {
    return runtime_.settings().authentication == Authentication::password;
}

bool FrontStages::authenticate(const net::ClientLogin& login, std::string_view scramble) {
    auto user = runtime_.find_user(login.user);
    if (user == nullptr) return false;
    if (needs_password()) {
        const auto hash = mysql::parse_native_password_hash(user->password_hash);
        if (!hash || !mysql::verify_native_password(login.token, scramble, *hash)) return false;
    }
    user_ = std::move(user);
    return true;
}

std::string_view FrontStages::user_name() const {
    return user_ != nullptr ? std::string_view(user_->name) : std::string_view();
}

awaitable<std::optional<ErrorReply>> FrontStages::open(const net::ClientLogin& login) {
    if (!slot_->bind_user(user_->name)) {
        co_return ErrorReply{errc::too_many_user_connections, "42000",
                             "sqlgate: user '" + user_->name + "' has too many connections"};
    }
    if (!login.database.empty()) {
        const std::string use = "USE " + quoted_name(login.database);
        const GateVerdict verdict =
            runtime_.check_statement(*user_, client_.source(), use, "", AuditFront::mysql);
        if (!verdict.allowed()) co_return verdict_error(verdict);
        schema_ = login.database;
    }
    co_return co_await connect_upstream(login);
}

awaitable<std::optional<ErrorReply>> FrontStages::connect_upstream(
    const net::ClientLogin& client_login) {
    net::Login login = runtime_.upstream_login(*user_);
    login.capabilities = capabilities_;
    login.mariadb_capabilities = client_login.mariadb_capabilities;
    login.collation = client_login.collation;
    login.database = schema_;
    net::ServerInfo server;
    std::string diagnostics;
    const auto& hop = runtime_.settings().upstream;
    const auto ec = co_await net::connect_and_login(upstream_, runtime_.upstream(), login,
                                                    hop.connect_timeout, server, diagnostics);
    if (ec) {
        obs::log(obs::LogLevel::warn, "upstream_failed",
                 {{"role", runtime_.settings().role},
                  {"upstream", hop.address},
                  {"user", user_->name},
                  {"error", ec.message()},
                  {"detail", diagnostics}});
        // The hop behind answered: its refusal (access denied, or a database server it
        // could not reach, which it names) reaches the client as it was said.
        if (ec == net::make_error(net::NetError::auth_failed) && server.refusal_code != 0) {
            co_return ErrorReply{server.refusal_code,
                                 server.refusal_state.empty() ? "HY000" : server.refusal_state,
                                 diagnostics};
        }
        co_return ErrorReply{
            errc::backend_unavailable, "HY000",
            "sqlgate: upstream " + hop.address + ":" + std::to_string(hop.port) +
                " unavailable: " + (diagnostics.empty() ? ec.message() : diagnostics)};
    }
    runtime_.note_upstream_mariadb_capabilities(server.mariadb_capabilities);
    if (schema_.empty())
        schema_ = co_await runtime_.enter_default_schema(upstream_, *user_, capabilities_);
    co_return std::nullopt;
}

std::optional<ErrorReply> FrontStages::change_user_refusal() const {
    return ErrorReply{errc::not_supported, "42000",
                      "sqlgate: COM_CHANGE_USER is not supported here; open a new connection "
                      "as the other user"};
}

awaitable<bool> FrontStages::handle(Command command, mysql::ByteView payload) {
    const std::string_view argument = mysql::as_chars(payload.subspan(1));
    switch (command) {
        case Command::query:
        case Command::stmt_prepare:
            co_return co_await check_and_forward(argument, payload);
        case Command::init_db: {
            const std::string use = "USE " + quoted_name(argument);
            co_return co_await check_and_forward(use, payload);
        }
        case Command::field_list: {
            const std::string table(argument.substr(0, argument.find('\0')));
            const std::string select = "SELECT * FROM " + quoted_name(table);
            co_return co_await check_and_forward(select, payload);
        }
        case Command::stmt_execute: {
            // Its text passed the policy when it was prepared; each execution is a
            // statement for the rate limits all the same.
            const GateVerdict verdict = runtime_.check_rate(
                *user_, client_.source(), mysql::command_name(payload[0]), AuditFront::mysql);
            if (!verdict.allowed()) co_return co_await send_verdict(verdict);
            co_return co_await forward(payload);
        }
        case Command::ping:
        case Command::reset_connection:
        case Command::set_option:
        case Command::stmt_fetch:
        case Command::stmt_reset:
            co_return co_await forward(payload);
        case Command::stmt_close:
        case Command::stmt_send_long_data: {
            std::uint8_t out = 0;
            co_return !co_await upstream_.write_message(payload, out);
        }
        default: {
            runtime_.audit(*user_, client_.source(), mysql::command_name(payload[0]),
                           AuditFront::mysql, false, "command_not_allowed");
            const std::string message =
                "sqlgate: " + std::string(mysql::command_name(payload[0])) + " is not allowed";
            co_return co_await client_.send_error(errc::unknown_command, "08S01", message);
        }
    }
}

awaitable<bool> FrontStages::kill(std::uint64_t id, bool) {
    // COM_PROCESS_KILL goes on as it came, once the gate has seen what it amounts to.
    mysql::Bytes packet;
    mysql::ByteWriter w(packet);
    w.u8(static_cast<std::uint8_t>(Command::process_kill));
    w.u32(static_cast<std::uint32_t>(id));
    const std::string statement = "KILL " + std::to_string(id);
    co_return co_await check_and_forward(statement, packet);
}

awaitable<bool> FrontStages::check_and_forward(std::string_view checked_sql,
                                               mysql::ByteView payload) {
    const GateVerdict verdict =
        runtime_.check_statement(*user_, client_.source(), checked_sql, schema_, AuditFront::mysql);
    if (!verdict.allowed()) co_return co_await send_verdict(verdict);
    std::string new_schema;
    if (verdict.info.verb == sql::Keyword::kUse && !verdict.info.schema.empty()) {
        new_schema = verdict.info.schema_name();
    }
    if (!co_await forward(payload)) co_return false;
    if (!new_schema.empty() && !last_reply_failed_) schema_ = std::move(new_schema);
    co_return true;
}

awaitable<bool> FrontStages::forward(mysql::ByteView payload) {
    const auto command = static_cast<Command>(payload[0]);
    std::uint8_t out = 0;
    if (auto ec = co_await upstream_.write_message(payload, out)) {
        co_await upstream_lost(ec);
        co_return false;
    }
    mysql::ResponseTracker tracker(capabilities_, mysql::reply_shape_of(command));
    const auto ec = co_await upstream_.relay_reply(tracker, &client_.channel());
    if (ec) {
        // Once part of a reply reached the client the stream cannot be repaired; before
        // that, the client can at least be told why its session ends.
        if (upstream_.relayed_bytes() == 0) co_await upstream_lost(ec);
        co_return false;
    }
    last_reply_failed_ = tracker.failed();
    if (const auto status = tracker.session_status()) session_status_ = *status;
    co_return true;
}

awaitable<void> FrontStages::upstream_lost(boost::system::error_code ec) {
    const auto& hop = runtime_.settings().upstream;
    obs::log(
        obs::LogLevel::warn, "upstream_lost",
        {{"role", runtime_.settings().role}, {"peer", client_.peer()}, {"error", ec.message()}});
    const std::string message = "sqlgate: lost the connection to upstream " + hop.address + ":" +
                                std::to_string(hop.port) + " (" + ec.message() + ")";
    co_await client_.send_error(errc::backend_unavailable, "HY000", message);
}

awaitable<bool> FrontStages::send_verdict(const GateVerdict& verdict) {
    const engine::ErrorReply error = verdict_error(verdict);
    co_return co_await client_.send(error);
}

}  // namespace sqlgate::front
