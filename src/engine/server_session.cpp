#include "engine/server_session.hpp"

#include <boost/asio/dispatch.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/deadline.hpp"
#include "net/errors.hpp"
#include "net/tls.hpp"
#include "obs/log.hpp"

namespace sqlgate::engine {
namespace {

using boost::asio::awaitable;
using mysql::Command;
namespace errc = mysql::error_code;

}  // namespace

ServerSession::ServerSession(ClientConnection& client, SessionStages& stages,
                             ListenerSettings settings, SessionRegistry* registry)
    : client_(client),
      stages_(stages),
      settings_(settings),
      registry_(registry),
      idle_timer_(client.channel().executor()),
      alive_(std::make_shared<bool>(true)) {}

ServerSession::~ServerSession() {
    *alive_ = false;
    if (registry_ != nullptr) registry_->remove(this);
}

void ServerSession::drain() {
    draining_ = true;
    // Busy: the command's reply is relayed first, and next_command ends the session. In a
    // transaction: the client may finish it (until the drain timeout), not lose it.
    if (!busy_ && !closed_ && !in_transaction()) close();
}

bool ServerSession::in_transaction() const {
    return mysql::has(stages_.status_flags(), mysql::ServerStatus::in_trans);
}

void ServerSession::count_refusal(obs::ConnectionRefusal why) {
    if (registry_ != nullptr) registry_->connections().refuse(why);
}

void ServerSession::close() {
    closed_ = true;
    idle_timer_.cancel();
    stages_.close();
    client_.close();
}

awaitable<void> ServerSession::run() {
    if (registry_ != nullptr) registry_->add(this);
    client_.channel().set_no_delay();
    if (const auto refusal = stages_.admit()) {
        count_refusal(obs::ConnectionRefusal::connection_limit);
        // In place of the greeting, as a server at its connection limit does.
        obs::log(
            obs::LogLevel::warn, "connection_refused",
            {{"role", settings_.role}, {"peer", client_.peer()}, {"reason", refusal->message}});
        client_.set_reply_sequence(0);
        co_await client_.send(*refusal);
        close();
        co_return;
    }
    if (!admit_before_login()) {
        count_refusal(obs::ConnectionRefusal::pre_auth_source_limit);
        obs::log(obs::LogLevel::warn, "connection_refused",
                 {{"role", settings_.role},
                  {"peer", client_.peer()},
                  {"reason", "too many connections waiting to log in from this address"}});
        client_.set_reply_sequence(0);
        co_await client_.send_error(errc::too_many_connections, "08004",
                                    "sqlgate: too many connections waiting to log in from this "
                                    "address");
        close();
        co_return;
    }
    if (co_await log_in()) {
        obs::log(
            obs::LogLevel::debug, "session_start",
            {{"role", settings_.role}, {"peer", client_.peer()}, {"user", stages_.user_name()}});
        last_activity_ = std::chrono::steady_clock::now();
        if (settings_.idle_timeout.count() > 0) arm_idle_timer(settings_.idle_timeout);
        while (co_await next_command()) {
        }
    }
    close();
}

void ServerSession::arm_idle_timer(std::chrono::steady_clock::duration after) {
    idle_timer_.expires_after(after);
    idle_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (ec || !*alive || closed_) return;
        const auto idle = settings_.idle_timeout;
        const auto since = std::chrono::steady_clock::now() - last_activity_;
        if (busy_ || since < idle) {
            arm_idle_timer(busy_ ? idle : idle - since);
            return;
        }
        obs::log(
            obs::LogLevel::info, "idle_timeout",
            {{"role", settings_.role}, {"peer", client_.peer()}, {"user", stages_.user_name()}});
        close();
    });
}

bool ServerSession::admit_before_login() {
    if (registry_ == nullptr) return true;
    PreAuthBudget& budget = registry_->pre_auth();
    budget.set_limits(settings_.pre_auth);  // a reload may have changed them
    // The budget is the listener's: another thread's admission may evict this session, which
    // is closed on its own thread (at once when that is the caller's).
    const auto evict = [this, alive = alive_, executor = idle_timer_.get_executor()] {
        boost::asio::dispatch(executor, [this, alive] {
            if (!*alive) return;
            evicted_ = true;
            close();
        });
        // Queued rather than run (another thread's, or a ring's loop): its loop must look.
        if (net::RingLoop* ring = net::RingLoop::of_executor(executor)) ring->wake();
    };
    return budget.admit(client_.source(), evict, pre_auth_) == PreAuthBudget::Refusal::none;
}

awaitable<bool> ServerSession::log_in() {
    const auto timeout = registry_ != nullptr ? registry_->pre_auth().handshake_timeout()
                                              : settings_.pre_auth.timeout;
    net::DeadlineGuard deadline(client_.channel(), timeout);
    scramble_ = mysql::make_scramble();
    const net::ServerLoginSettings login_settings{
        .server_version = settings_.server_version,
        .connection_id = client_.connection_id(),
        .scramble = scramble_,
        .mariadb_capabilities = settings_.mariadb_capabilities,
        .tls = settings_.tls,
        .tls_required = settings_.tls_required};
    std::uint8_t sequence = 0;
    net::LoginRefusal refusal;
    const net::LoginStep step = co_await net::read_client_login(client_.channel(), login_settings,
                                                                login_, sequence, refusal);
    if (step != net::LoginStep::ok) {
        if (evicted_) {
            refusal = {obs::ConnectionRefusal::pre_auth_evicted,
                       "closed before login to make room for newer connections"};
        } else if (deadline.expired()) {
            refusal = {obs::ConnectionRefusal::handshake_timeout, "handshake timeout"};
        }
        if (!refusal.reason.empty()) {
            count_refusal(refusal.cause);
            // Evictions come by the thousand under a flood: counted, and logged only on demand.
            obs::log(
                evicted_ ? obs::LogLevel::debug : obs::LogLevel::warn, "login_refused",
                {{"role", settings_.role}, {"peer", client_.peer()}, {"reason", refusal.reason}});
        }
        co_return false;
    }
    SSL* tls = client_.channel().tls_handle();
    if (tls != nullptr && registry_ != nullptr) ++registry_->connections().tls_handshakes;
    if (settings_.peers != nullptr && !settings_.peers->certificate_allowed(tls)) {
        count_refusal(obs::ConnectionRefusal::certificate_not_allowed);
        // Closed before authentication: a peer without the expected certificate learns nothing.
        const std::string subject = net::peer_certificate_subject(tls);
        obs::log(obs::LogLevel::warn, "peer_refused",
                 {{"role", settings_.role},
                  {"peer", client_.peer()},
                  {"certificate", subject},
                  {"reason", "client certificate not allowed"}});
        co_return false;
    }
    client_.set_reply_sequence(sequence);
    if (const auto refusal = stages_.check_login(login_)) {
        count_refusal(obs::ConnectionRefusal::bad_handshake);
        co_await client_.send(*refusal);
        co_return false;
    }
    if (!co_await authenticate(sequence)) co_return false;
    pre_auth_.release();  // authenticated: never evicted for the connections still waiting
    co_return co_await open_session(sequence);
}

awaitable<bool> ServerSession::authenticate(std::uint8_t& sequence) {
    if (stages_.needs_password()) {
        // (Not one condition with the co_await: GCC 12 miscompiles co_await under &&.)
        const auto ec =
            co_await net::request_native_token(client_.channel(), login_, scramble_, sequence);
        if (ec) co_return false;
    }
    if (stages_.authenticate(login_, scramble_)) co_return true;
    count_refusal(obs::ConnectionRefusal::access_denied);
    obs::log(obs::LogLevel::warn, "auth_failed",
             {{"role", settings_.role}, {"peer", client_.peer()}, {"user", login_.user}});
    client_.set_reply_sequence(sequence);
    const std::string message =
        net::access_denied_message(login_.user, client_.source(), !login_.token.empty());
    co_await client_.send_error(errc::access_denied, "28000", message);
    co_return false;
}

awaitable<bool> ServerSession::open_session(std::uint8_t sequence) {
    const auto failure = co_await stages_.open(login_);
    client_.set_reply_sequence(sequence);
    if (failure) {
        count_refusal(failure->code == errc::too_many_user_connections
                          ? obs::ConnectionRefusal::user_connection_limit
                          : obs::ConnectionRefusal::session_not_opened);
        co_await client_.send(*failure);
        co_return false;
    }
    co_return co_await client_.send_ok(stages_.status_flags());
}

awaitable<bool> ServerSession::next_command() {
    std::uint8_t sequence = 0;
    std::uint8_t first_sequence = 0;
    busy_ = false;
    if (draining_ && !in_transaction()) co_return false;
    const std::size_t limit = settings_.max_statement_bytes;
    const auto ec =
        co_await client_.channel().read_message(payload_, sequence, limit + 1, &first_sequence);
    busy_ = true;
    last_activity_ = std::chrono::steady_clock::now();
    client_.set_reply_sequence(static_cast<std::uint8_t>(sequence + 1));
    if (ec == net::make_error(net::NetError::message_too_large)) {
        // The channel drained it, so the stream is still in step and the session goes on.
        const std::string message = "sqlgate: statement larger than " + std::to_string(limit) +
                                    " bytes (max_statement_bytes)";
        co_return co_await client_.send_error(errc::net_packet_too_large, "08S01", message);
    }
    if (ec || closed_) co_return false;
    if (first_sequence != 0) {
        // The client is out of step with the protocol: nothing it sends can be trusted.
        co_await client_.send_error(errc::malformed_packet, "08S01",
                                    "sqlgate: packets out of order");
        co_return false;
    }
    if (payload_.empty()) {
        co_return co_await client_.send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: empty command packet");
    }
    // Dispatched here, not in a coroutine of its own: one frame less on every statement.
    const auto command = static_cast<Command>(payload_[0]);
    if (command == Command::quit) co_return false;
    if (command == Command::change_user) co_return co_await change_user(payload_);
    if (command != Command::process_kill) co_return co_await stages_.handle(command, payload_);
    mysql::ByteReader r(mysql::ByteView(payload_).subspan(1));
    const std::uint32_t id = r.u32();
    if (!r.ok()) {
        co_return co_await client_.send_error(errc::malformed_packet, "08S01",
                                              "sqlgate: malformed COM_PROCESS_KILL");
    }
    co_return co_await stages_.kill(id, false);
}

awaitable<bool> ServerSession::change_user(mysql::ByteView payload) {
    if (const auto refusal = stages_.change_user_refusal()) {
        co_return co_await client_.send(*refusal);
    }
    const auto request = mysql::parse_change_user(payload.subspan(1), login_.capabilities);
    if (!request) {
        co_await client_.send_error(errc::malformed_packet, "08S01",
                                    "sqlgate: malformed COM_CHANGE_USER");
        co_return false;
    }
    // The new user starts a fresh session: nothing of the old one may leak into it.
    stages_.reset();
    if (request->collation) login_.collation = *request->collation;
    login_.user = std::string(request->user);
    login_.token = std::string(request->auth_response);
    login_.plugin = std::string(request->auth_plugin);
    login_.database = std::string(request->database);
    if (const auto refusal = stages_.check_login(login_)) {
        count_refusal(obs::ConnectionRefusal::bad_handshake);
        co_await client_.send(*refusal);
        co_return false;
    }
    std::uint8_t sequence = client_.reply_sequence();
    if (!co_await authenticate(sequence)) co_return false;
    pre_auth_.release();  // authenticated: never evicted for the connections still waiting
    co_return co_await open_session(sequence);
}

}  // namespace sqlgate::engine
