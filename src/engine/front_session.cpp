#include "engine/front_session.hpp"

#include <boost/asio/ip/tcp.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "mysql/response_tracker.hpp"
#include "net/deadline.hpp"
#include "net/errors.hpp"
#include "net/tls.hpp"
#include "obs/log.hpp"

namespace sqlgate::engine {
namespace {

using boost::asio::awaitable;
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

}  // namespace

FrontSession::FrontSession(FrontRuntime& runtime, net::tcp::socket socket)
    : runtime_(runtime),
      client_(std::move(socket)),
      upstream_(net::tcp::socket(client_.socket().get_executor())),
      connection_id_(runtime.next_connection_id()),
      idle_timer_(client_.socket().get_executor()),
      alive_(std::make_shared<bool>(true)) {
    boost::system::error_code ec;
    const auto peer = client_.socket().remote_endpoint(ec);
    source_ = ec ? "unknown" : peer.address().to_string();
    peer_ = ec ? "unknown" : source_ + ":" + std::to_string(peer.port());
}

FrontSession::~FrontSession() {
    *alive_ = false;
}

void FrontSession::close() {
    closed_ = true;
    idle_timer_.cancel();
    client_.close();
    upstream_.close();
}

awaitable<void> FrontSession::run() {
    boost::system::error_code ignored;
    client_.socket().set_option(net::tcp::no_delay(true), ignored);
    const std::string_view role = runtime_.settings().role;
    auto slot = runtime_.connections().try_acquire(source_);
    if (!slot) {
        // In place of the greeting, as a server at its connection limit does.
        obs::log(obs::LogLevel::warn, "connection_refused",
                 {{"role", role}, {"peer", peer_}, {"reason", "connection limit"}});
        co_await net::send_error_packet(client_, errc::too_many_connections, "08004",
                                        "sqlgate: too many connections", 0);
        close();
        co_return;
    }
    slot_.emplace(std::move(*slot));
    if (co_await log_in()) {
        obs::log(obs::LogLevel::debug, "session_start",
                 {{"role", role}, {"peer", peer_}, {"user", user_->name}});
        last_activity_ = std::chrono::steady_clock::now();
        arm_idle_timer(runtime_.settings().listener.idle_timeout);
        while (co_await handle_command()) {
        }
    }
    close();
}

void FrontSession::arm_idle_timer(std::chrono::steady_clock::duration after) {
    idle_timer_.expires_after(after);
    idle_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive || closed_) return;
        const auto idle = runtime_.settings().listener.idle_timeout;
        const auto since = std::chrono::steady_clock::now() - last_activity_;
        if (busy_ || since < idle) {
            // Busy: a long statement is not idleness. Otherwise wait out the remainder.
            arm_idle_timer(busy_ ? idle : idle - since);
            return;
        }
        obs::log(obs::LogLevel::info, "idle_timeout",
                 {{"role", runtime_.settings().role}, {"peer", peer_}, {"user", user_->name}});
        close();
    });
}

awaitable<bool> FrontSession::log_in() {
    const FrontSettings& settings = runtime_.settings();
    net::DeadlineGuard deadline(client_.socket(), settings.listener.handshake_timeout);
    const std::string scramble = mysql::make_scramble();
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(source_, ec);
    const bool loopback = !ec && address.is_loopback();
    const net::ServerLoginSettings login_settings{
        .server_version = settings.listener.server_version,
        .connection_id = connection_id_,
        .scramble = scramble,
        .tls = runtime_.server_tls(),
        .tls_required = !(settings.allow_plain_from_loopback && loopback)};
    net::ClientLogin login;
    std::uint8_t sequence = 0;
    std::string reason;
    const net::LoginStep step =
        co_await net::read_client_login(client_, login_settings, login, sequence, reason);
    if (step != net::LoginStep::ok) {
        if (deadline.expired()) reason = "handshake timeout";
        if (!reason.empty()) {
            obs::log(obs::LogLevel::warn, "login_refused",
                     {{"role", settings.role}, {"peer", peer_}, {"reason", reason}});
        }
        co_return false;
    }
    if (!runtime_.peers().certificate_allowed(client_.tls_handle())) {
        // Closed before authentication: a peer without the expected certificate learns nothing.
        const std::string subject = net::peer_certificate_subject(client_.tls_handle());
        obs::log(obs::LogLevel::warn, "peer_refused",
                 {{"role", settings.role},
                  {"peer", peer_},
                  {"certificate", subject},
                  {"reason", "client certificate not allowed"}});
        co_return false;
    }
    capabilities_ = login.capabilities;
    if (!policy::is_safe_client_collation(login.collation)) {
        // gbk, big5, sjis, cp932: a multi-byte character may end in 0x5c, which the server
        // then does not read as the backslash the firewall saw.
        reply_sequence_ = sequence;
        const std::string message = "sqlgate: character set of collation " +
                                    std::to_string(login.collation) +
                                    " is not accepted here; connect with utf8mb4";
        co_await send_error(errc::unknown_character_set, "42000", message);
        co_return false;
    }
    if (!co_await authenticate(login, sequence, scramble)) co_return false;
    reply_sequence_ = sequence;
    if (!slot_->bind_user(user_->name)) {
        const std::string message = "sqlgate: user '" + user_->name + "' has too many connections";
        co_await send_error(errc::too_many_user_connections, "42000", message);
        co_return false;
    }
    if (!login.database.empty()) {
        const std::string use = "USE " + quoted_name(login.database);
        const GateVerdict verdict =
            runtime_.check_statement(*user_, source_, use, "", AuditFront::mysql);
        if (!verdict.allowed()) {
            co_await send_verdict(verdict);
            co_return false;
        }
        schema_ = login.database;
    }
    co_return co_await connect_upstream(login);
}

awaitable<bool> FrontSession::authenticate(net::ClientLogin& login, std::uint8_t& sequence,
                                           std::string_view scramble) {
    const FrontSettings& settings = runtime_.settings();
    const config::FrontUser* user = runtime_.find_user(login.user);
    bool accepted = user != nullptr;
    if (settings.authentication == Authentication::password) {
        if (co_await net::request_native_token(client_, login, scramble, sequence)) {
            co_return false;
        }
        const auto hash =
            user ? mysql::parse_native_password_hash(user->password_hash) : std::nullopt;
        accepted = hash && mysql::verify_native_password(login.token, scramble, *hash);
    }
    if (!accepted) {
        obs::log(obs::LogLevel::warn, "auth_failed",
                 {{"role", settings.role}, {"peer", peer_}, {"user", login.user}});
        const std::string message =
            net::access_denied_message(login.user, source_, !login.token.empty());
        reply_sequence_ = sequence;
        co_await send_error(errc::access_denied, "28000", message);
        co_return false;
    }
    user_ = user;
    co_return true;
}

awaitable<bool> FrontSession::connect_upstream(const net::ClientLogin& client_login) {
    net::Login login = runtime_.upstream_login(*user_);
    login.capabilities = capabilities_;
    login.collation = client_login.collation;
    login.database = schema_;
    net::ServerInfo server;
    std::string diagnostics;
    const auto ec = co_await net::connect_and_login(upstream_, runtime_.upstream(), login,
                                                    runtime_.settings().upstream.connect_timeout,
                                                    server, diagnostics);
    if (ec) {
        const auto& hop = runtime_.settings().upstream;
        obs::log(obs::LogLevel::warn, "upstream_failed",
                 {{"role", runtime_.settings().role},
                  {"upstream", hop.address},
                  {"user", user_->name},
                  {"error", ec.message()},
                  {"detail", diagnostics}});
        if (ec == net::make_error(net::NetError::auth_failed) && !diagnostics.empty() &&
            diagnostics.rfind("Access denied", 0) == 0) {
            co_await send_error(errc::access_denied, "28000", diagnostics);
        } else {
            const std::string message =
                "sqlgate: upstream " + hop.address + ":" + std::to_string(hop.port) +
                " unavailable: " + (diagnostics.empty() ? ec.message() : diagnostics);
            co_await send_error(errc::backend_unavailable, "HY000", message);
        }
        co_return false;
    }
    if (schema_.empty())
        schema_ = co_await runtime_.enter_default_schema(upstream_, *user_, capabilities_);
    reply_.clear();
    mysql::serialize_ok(reply_, {.status = mysql::bits(mysql::ServerStatus::autocommit)});
    std::uint8_t sequence = reply_sequence_;
    co_return !co_await client_.write_message(reply_, sequence);
}

awaitable<bool> FrontSession::handle_command() {
    std::uint8_t sequence = 0;
    busy_ = false;
    const std::size_t limit = runtime_.settings().listener.max_statement_bytes + 1;
    const auto ec = co_await client_.read_message(payload_, sequence, limit);
    busy_ = true;
    last_activity_ = std::chrono::steady_clock::now();
    reply_sequence_ = static_cast<std::uint8_t>(sequence + 1);
    if (ec == net::make_error(net::NetError::message_too_large)) {
        const std::string message = "sqlgate: statement larger than " + std::to_string(limit - 1) +
                                    " bytes (max_statement_bytes)";
        co_return co_await send_error(errc::net_packet_too_large, "08S01", message);
    }
    if (ec || closed_) co_return false;
    if (payload_.empty()) {
        co_await send_error(errc::malformed_packet, "08S01", "sqlgate: empty command packet");
        co_return false;
    }
    const auto command = static_cast<Command>(payload_[0]);
    const std::string_view argument(reinterpret_cast<const char*>(payload_.data()) + 1,
                                    payload_.size() - 1);
    switch (command) {
        case Command::quit:
            co_return false;
        case Command::query:
            co_return co_await check_and_forward(argument);
        case Command::stmt_prepare:
            co_return co_await check_and_forward(argument);
        case Command::init_db: {
            const std::string use = "USE " + quoted_name(argument);
            co_return co_await check_and_forward(use);
        }
        case Command::field_list: {
            const std::string table(argument.substr(0, argument.find('\0')));
            const std::string select = "SELECT * FROM " + quoted_name(table);
            co_return co_await check_and_forward(select);
        }
        case Command::process_kill: {
            mysql::ByteReader r(mysql::ByteView(payload_).subspan(1));
            const std::string kill = "KILL " + std::to_string(r.u32());
            co_return co_await check_and_forward(kill);
        }
        case Command::stmt_execute: {
            // Its text passed the policy when it was prepared; each execution is a
            // statement for the rate limits all the same.
            const GateVerdict verdict = runtime_.check_rate(
                *user_, source_, mysql::command_name(payload_[0]), AuditFront::mysql);
            if (!verdict.allowed()) co_return co_await send_verdict(verdict);
            co_return co_await forward();
        }
        case Command::ping:
        case Command::reset_connection:
        case Command::set_option:
        case Command::stmt_fetch:
        case Command::stmt_reset:
            co_return co_await forward();
        case Command::stmt_close:
        case Command::stmt_send_long_data: {
            std::uint8_t out = 0;
            co_return !co_await upstream_.write_message(payload_, out);
        }
        case Command::change_user: {
            co_return co_await send_error(errc::not_supported, "42000",
                                          "sqlgate: COM_CHANGE_USER is not supported here; "
                                          "open a new connection as the other user");
        }
        default: {
            const std::string message =
                "sqlgate: " + std::string(mysql::command_name(payload_[0])) + " is not allowed";
            runtime_.audit(*user_, source_, mysql::command_name(payload_[0]), AuditFront::mysql,
                           false, "command_not_allowed");
            co_return co_await send_error(errc::unknown_command, "08S01", message);
        }
    }
}

awaitable<bool> FrontSession::check_and_forward(std::string_view checked_sql) {
    const GateVerdict verdict =
        runtime_.check_statement(*user_, source_, checked_sql, schema_, AuditFront::mysql);
    if (!verdict.allowed()) co_return co_await send_verdict(verdict);
    std::string new_schema;
    if (verdict.info.verb == sql::Keyword::kUse && !verdict.info.schema.empty()) {
        new_schema = verdict.info.schema_name();
    }
    if (!co_await forward()) co_return false;
    if (!new_schema.empty() && !last_reply_failed_) schema_ = std::move(new_schema);
    co_return true;
}

awaitable<bool> FrontSession::forward() {
    const auto command = static_cast<Command>(payload_[0]);
    std::uint8_t out = 0;
    if (auto ec = co_await upstream_.write_message(payload_, out)) {
        co_await upstream_lost(ec);
        co_return false;
    }
    mysql::ResponseTracker tracker(capabilities_, mysql::reply_shape_of(command));
    const auto ec = co_await upstream_.relay_reply(tracker, &client_);
    if (ec) {
        // Once part of a reply reached the client the stream cannot be repaired; before
        // that, the client can at least be told why its session ends.
        if (upstream_.relayed_bytes() == 0) co_await upstream_lost(ec);
        co_return false;
    }
    last_reply_failed_ = tracker.failed();
    co_return true;
}

awaitable<void> FrontSession::upstream_lost(boost::system::error_code ec) {
    const auto& hop = runtime_.settings().upstream;
    obs::log(obs::LogLevel::warn, "upstream_lost",
             {{"role", runtime_.settings().role}, {"peer", peer_}, {"error", ec.message()}});
    const std::string message = "sqlgate: lost the connection to upstream " + hop.address + ":" +
                                std::to_string(hop.port) + " (" + ec.message() + ")";
    co_await send_error(errc::backend_unavailable, "HY000", message);
}

awaitable<bool> FrontSession::send_verdict(const GateVerdict& verdict) {
    if (verdict.kind == GateVerdict::Kind::rate_limited) {
        co_return co_await send_error(errc::resource_limit, "42000", verdict.message);
    }
    co_return co_await send_error(errc::statement_rejected, "42000", verdict.message);
}

awaitable<bool> FrontSession::send_error(std::uint16_t code, std::string_view sql_state,
                                         std::string_view message) {
    reply_.clear();
    mysql::serialize_err(reply_, code, sql_state, message);
    std::uint8_t sequence = reply_sequence_;
    co_return !co_await client_.write_message(reply_, sequence);
}

}  // namespace sqlgate::engine
