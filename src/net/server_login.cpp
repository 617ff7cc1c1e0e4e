#include "net/server_login.hpp"

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"

namespace sqlgate::net {
namespace {

namespace errc = mysql::error_code;
using mysql::Capability;

constexpr std::size_t kMaxLoginMessage = 64 * 1024;

}  // namespace

awaitable<error_code> send_error_packet(PacketChannel& channel, std::uint16_t code,
                                        std::string_view sql_state, std::string_view message,
                                        std::uint8_t sequence) {
    mysql::Bytes packet;
    mysql::serialize_err(packet, code, sql_state, message);
    co_return co_await channel.write_message(packet, sequence);
}

std::string access_denied_message(std::string_view user, std::string_view host,
                                  bool with_password) {
    std::string message = "Access denied for user '";
    message.append(user).append("'@'").append(host).append("' (using password: ");
    message.append(with_password ? "YES)" : "NO)");
    return message;
}

awaitable<LoginStep> read_client_login(PacketChannel& channel, const ServerLoginSettings& settings,
                                       ClientLogin& login, std::uint8_t& sequence,
                                       LoginRefusal& refusal) {
    const bool offer_tls = settings.tls != nullptr && !channel.is_tls();
    mysql::ServerGreeting greeting;
    greeting.server_version = settings.server_version;
    greeting.connection_id = settings.connection_id;
    greeting.auth_data = std::string(settings.scramble);
    greeting.capabilities =
        settings.capabilities | (offer_tls ? Capability::ssl : Capability::none);
    const bool offers_mariadb = settings.mariadb_capabilities != mysql::MariadbCapability::none;
    if (offers_mariadb) {
        greeting.capabilities = greeting.capabilities & ~Capability::long_password;
        greeting.mariadb_capabilities = settings.mariadb_capabilities;
    }
    greeting.status = mysql::bits(mysql::ServerStatus::autocommit);
    greeting.auth_plugin = mysql::kNativePasswordPlugin;
    mysql::Bytes payload;
    mysql::serialize_greeting(payload, greeting);
    sequence = 0;
    if (co_await channel.write_message(payload, sequence)) co_return LoginStep::closed;

    if (co_await channel.read_first_message(payload, sequence, kMaxLoginMessage)) {
        co_return LoginStep::closed;
    }
    if (mysql::is_ssl_request(payload)) {
        if (!offer_tls) {
            refusal = {obs::ConnectionRefusal::tls_unavailable, "TLS requested but not offered"};
            co_await send_error_packet(channel, errc::handshake_error, "08S01",
                                       "sqlgate: this listener does not offer TLS", sequence + 1);
            co_return LoginStep::refused;
        }
        if (auto ec = co_await channel.start_tls(*settings.tls, PacketChannel::TlsSide::server)) {
            // Nothing can be said to the client: the TLS stream never came up.
            refusal = {obs::ConnectionRefusal::tls_failed, "TLS handshake failed: " + ec.message()};
            co_return LoginStep::refused;
        }
        if (co_await channel.read_message(payload, sequence, kMaxLoginMessage)) {
            co_return LoginStep::closed;
        }
    } else if (settings.tls_required) {
        refusal = {obs::ConnectionRefusal::tls_required, "client did not start TLS"};
        co_await send_error_packet(channel, errc::secure_transport_required, "HY000",
                                   "sqlgate: connections without TLS are refused here; connect "
                                   "with --ssl (and --ssl-ca to verify the server)",
                                   sequence + 1);
        co_return LoginStep::refused;
    }
    const auto response = mysql::parse_handshake_response(payload);
    if (!response || !has(response->capabilities, mysql::kRequiredClientCapabilities)) {
        refusal = {obs::ConnectionRefusal::bad_handshake, "bad handshake response"};
        co_await send_error_packet(channel, errc::handshake_error, "08S01", "Bad handshake",
                                   sequence + 1);
        co_return LoginStep::refused;
    }
    login.capabilities = response->capabilities & settings.capabilities;
    login.mariadb_capabilities =
        offers_mariadb ? response->mariadb_capabilities & settings.mariadb_capabilities
                       : mysql::MariadbCapability::none;
    login.collation = response->collation;
    login.user = std::string(response->user);
    login.token = std::string(response->auth_response);
    login.plugin = std::string(response->auth_plugin);
    login.database = std::string(response->database);
    login.tls = channel.is_tls();
    ++sequence;
    co_return LoginStep::ok;
}

awaitable<error_code> request_native_token(PacketChannel& channel, ClientLogin& login,
                                           std::string_view scramble, std::uint8_t& sequence) {
    if (!has(login.capabilities, Capability::plugin_auth) || login.plugin.empty() ||
        login.plugin == mysql::kNativePasswordPlugin) {
        co_return error_code{};
    }
    mysql::Bytes payload;
    mysql::serialize_auth_switch(payload,
                                 {.plugin = mysql::kNativePasswordPlugin, .data = scramble});
    if (auto ec = co_await channel.write_message(payload, sequence)) co_return ec;
    if (auto ec = co_await channel.read_message(payload, sequence, kMaxLoginMessage)) co_return ec;
    login.token.assign(mysql::as_chars(payload));
    login.plugin = mysql::kNativePasswordPlugin;
    ++sequence;
    co_return error_code{};
}

}  // namespace sqlgate::net
