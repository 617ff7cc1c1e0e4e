// What one role does inside the session engine: who may log in, what a login opens, and how
// each command is carried out. The engine (ServerSession) owns everything else.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/client_connection.hpp"
#include "engine/pre_auth_budget.hpp"
#include "mysql/constants.hpp"
#include "net/peer_check.hpp"
#include "net/server_login.hpp"

namespace sqlgate::engine {

// The listener as one client meets it (a role may offer plain connections to some sources).
struct ListenerSettings {
    std::string_view role;  // for logs
    std::string_view server_version;
    // MariaDB capabilities the servers behind share, offered to clients.
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;
    boost::asio::ssl::context* tls = nullptr;  // TLS is offered when set
    bool tls_required = false;
    const net::PeerCheck* peers = nullptr;  // names a client certificate must carry, if any
    // Connections not yet logged in: their budget, and the time they get to log in.
    PreAuthLimits pre_auth;
    std::chrono::milliseconds idle_timeout{0};  // zero: a session may idle for ever
    std::size_t max_statement_bytes = std::size_t{1} << 20;
};

class SessionStages {
  public:
    virtual ~SessionStages() = default;

    // Before the greeting: a refusal (a connection limit) is sent in its place.
    virtual std::optional<ErrorReply> admit() { return std::nullopt; }
    // Checks a login before authentication (a character set the role cannot read, say).
    virtual std::optional<ErrorReply> check_login(const net::ClientLogin&) { return std::nullopt; }
    // False when the client's certificate vouches for the user name and no password is asked.
    virtual bool needs_password() const { return true; }
    // Accepts or refuses `login`'s user and its mysql_native_password token for `scramble`.
    virtual bool authenticate(const net::ClientLogin& login, std::string_view scramble) = 0;
    // After authentication (at login and after COM_CHANGE_USER): opens what the session needs,
    // such as the next hop and the initial schema. An error ends the login.
    virtual boost::asio::awaitable<std::optional<ErrorReply>> open(
        const net::ClientLogin& login) = 0;
    virtual std::string_view user_name() const = 0;
    // The status flags of the OK packets the engine sends itself.
    virtual std::uint16_t status_flags() const {
        return mysql::bits(mysql::ServerStatus::autocommit);
    }

    // One command of the client's, `payload` starting with its byte (never empty, never
    // COM_QUIT, COM_PROCESS_KILL or COM_CHANGE_USER). False ends the session.
    virtual boost::asio::awaitable<bool> handle(mysql::Command command,
                                                mysql::ByteView payload) = 0;
    // COM_PROCESS_KILL (query_only false) with its id read; KILL statements are the role's.
    virtual boost::asio::awaitable<bool> kill(std::uint64_t id, bool query_only) = 0;
    // COM_CHANGE_USER: a refusal, or nullopt when the role supports it. Then the engine calls
    // reset(), authenticates the new user and open()s again.
    virtual std::optional<ErrorReply> change_user_refusal() const { return std::nullopt; }
    virtual void reset() {}
    // The session ends: release upstream connections.
    virtual void close() = 0;
};

}  // namespace sqlgate::engine
