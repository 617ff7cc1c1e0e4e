#include <boost/asio/ip/tcp.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/deadline.hpp"
#include "obs/log.hpp"
#include "proxy/client_session.hpp"

// Logging in: the greeting, mysql_native_password (with a switch for clients that offer
// another method), the initial schema, and COM_CHANGE_USER.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Capability;
namespace errc = mysql::error_code;

constexpr std::size_t kMaxHandshakeMessage = 64 * 1024;

std::string host_of(const std::string& peer) {
    return peer.substr(0, peer.rfind(':'));
}

}  // namespace

awaitable<bool> ClientSession::handshake() {
    const auto& config = runtime_.config();
    net::DeadlineGuard deadline(client_.socket(), config.handshake_timeout);
    scramble_ = mysql::make_scramble();
    mysql::ServerGreeting greeting;
    greeting.server_version = runtime_.server_version();
    greeting.connection_id = connection_id_;
    greeting.auth_data = scramble_;
    greeting.capabilities = mysql::kProxyCapabilities;
    greeting.status = mysql::bits(mysql::ServerStatus::autocommit);
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
    if (co_await net::run_command(link->channel, mysql::Command::init_db, database, capabilities_,
                                  result) ||
        result.failed) {
        co_await send_error(result.error_code, "42000", result.error_message, sequence);
        co_return false;
    }
    record_state(mysql::Command::init_db, database);
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

}  // namespace sqlgate::proxy
