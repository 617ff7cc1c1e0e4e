// The server side of a MySQL login, shared by every role that accepts clients: the greeting,
// the SSL upgrade, the handshake response and the switch to mysql_native_password.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>
#include <string_view>

#include "mysql/constants.hpp"
#include "net/packet_channel.hpp"
#include "obs/connection_counters.hpp"

namespace sqlgate::net {

struct ServerLoginSettings {
    std::string_view server_version;
    std::uint32_t connection_id = 0;
    std::string_view scramble;
    mysql::Capability capabilities = mysql::kProxyCapabilities;
    // Offered only when every server behind supports them (then long_password is cleared,
    // which tells MariaDB clients to answer with theirs).
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;
    boost::asio::ssl::context* tls = nullptr;  // TLS is offered when set
    bool tls_required = false;                 // a client that does not upgrade is refused
};

// What a client sent to log in, copied out of the reused read buffer.
struct ClientLogin {
    mysql::Capability capabilities = mysql::Capability::none;  // within the offered ones
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;  // likewise
    std::uint8_t collation = mysql::kDefaultCollation;
    std::string user;
    std::string token;   // the auth response
    std::string plugin;  // the method the token answers
    std::string database;
    bool tls = false;
};

enum class LoginStep {
    ok,
    closed,   // the connection failed or timed out; nothing more can be sent
    refused,  // the client was sent an error (bad handshake, TLS required or failed)
};

// Why a login was refused: the counted cause, and the words for the log.
struct LoginRefusal {
    obs::ConnectionRefusal cause = obs::ConnectionRefusal::bad_handshake;
    std::string reason;
};

// Greets the client and reads its login, upgrading to TLS on an SSL request. `sequence`
// ends as the sequence id of the next packet the server sends. `refusal` says why a login
// was refused (its reason stays empty when the connection merely closed).
awaitable<LoginStep> read_client_login(PacketChannel& channel, const ServerLoginSettings& settings,
                                       ClientLogin& login, std::uint8_t& sequence,
                                       LoginRefusal& refusal);

// Asks a client whose token answers another method (caching_sha2_password, ed25519) to
// answer the same scramble with mysql_native_password; a no-op for native tokens.
awaitable<error_code> request_native_token(PacketChannel& channel, ClientLogin& login,
                                           std::string_view scramble, std::uint8_t& sequence);

awaitable<error_code> send_error_packet(PacketChannel& channel, std::uint16_t code,
                                        std::string_view sql_state, std::string_view message,
                                        std::uint8_t sequence);

// MariaDB's own wording, which tools and people recognise.
std::string access_denied_message(std::string_view user, std::string_view host, bool with_password);

}  // namespace sqlgate::net
