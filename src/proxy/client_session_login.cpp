#include <boost/asio/ip/tcp.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/deadline.hpp"
#include "net/server_login.hpp"
#include "net/tls.hpp"
#include "obs/log.hpp"
#include "proxy/client_session.hpp"

// Logging in: the greeting, mysql_native_password (with a switch for clients that offer
// another method), the initial schema, and COM_CHANGE_USER.
namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;
using mysql::Capability;
namespace errc = mysql::error_code;

std::string host_of(const std::string& peer) {
    return peer.substr(0, peer.rfind(':'));
}

}  // namespace

awaitable<bool> ClientSession::handshake() {
    const auto& config = runtime_.config();
    net::DeadlineGuard deadline(client_.socket(), config.handshake_timeout);
    scramble_ = mysql::make_scramble();
    const net::ServerLoginSettings settings{.server_version = runtime_.server_version(),
                                            .connection_id = connection_id_,
                                            .scramble = scramble_,
                                            .tls = runtime_.tls(),
                                            .tls_required = config.require_tls};
    net::ClientLogin login;
    std::uint8_t sequence = 0;
    std::string reason;
    const net::LoginStep step =
        co_await net::read_client_login(client_, settings, login, sequence, reason);
    if (step != net::LoginStep::ok) {
        if (step == net::LoginStep::refused) {
            obs::log(obs::LogLevel::warn, "login_refused", {{"peer", peer_}, {"reason", reason}});
        }
        co_return false;
    }
    if (!runtime_.peers().certificate_allowed(client_.tls_handle())) {
        // Before authentication: a peer without the expected certificate learns nothing.
        const std::string subject = net::peer_certificate_subject(client_.tls_handle());
        obs::log(obs::LogLevel::warn, "peer_refused",
                 {{"role", "proxy"},
                  {"peer", peer_},
                  {"certificate", subject},
                  {"reason", "client certificate not allowed"}});
        co_return false;
    }
    capabilities_ = login.capabilities;
    collation_ = login.collation;
    login_ = std::move(login);
    if (!co_await authenticate(sequence)) co_return false;
    if (!login_.database.empty() && !co_await enter_schema(login_.database, sequence)) {
        co_return false;
    }
    co_return co_await send_ok(sequence);
}

awaitable<bool> ClientSession::authenticate(std::uint8_t& sequence) {
    net::ClientLogin& login = login_;
    if (co_await net::request_native_token(client_, login, scramble_, sequence)) co_return false;
    user_ = runtime_.find_user(login.user);
    if (user_ == nullptr ||
        !mysql::verify_native_password(login.token, scramble_, user_->password_hash)) {
        obs::log(obs::LogLevel::warn, "auth_failed", {{"peer", peer_}, {"user", login.user}});
        const std::string message =
            net::access_denied_message(login.user, host_of(peer_), !login.token.empty());
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
    login_.capabilities = capabilities_;
    login_.user = std::string(request->user);
    login_.token = std::string(request->auth_response);
    login_.plugin = std::string(request->auth_plugin);
    std::uint8_t sequence = reply_sequence_;
    if (!co_await authenticate(sequence)) co_return false;
    if (!database.empty() && !co_await enter_schema(database, sequence)) co_return false;
    co_return co_await send_ok(sequence);
}

}  // namespace sqlgate::proxy
