// The session engine every role runs for each client: the login (greeting, TLS, peer
// certificate, authentication), the command loop with its framing limits, sequence checks,
// idle and handshake timeouts, COM_PROCESS_KILL and COM_CHANGE_USER; the role's stages do the rest.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "engine/client_connection.hpp"
#include "engine/session_registry.hpp"
#include "engine/session_stages.hpp"
#include "net/loop_timer.hpp"
#include "net/server_login.hpp"

namespace sqlgate::engine {

class ServerSession {
  public:
    // `registry`, when given, knows the session while it runs, so a stopping role can drain it.
    ServerSession(ClientConnection& client, SessionStages& stages, ListenerSettings settings,
                  SessionRegistry* registry = nullptr);
    ~ServerSession();
    ServerSession(const ServerSession&) = delete;
    ServerSession& operator=(const ServerSession&) = delete;

    // Serves the client until it quits, fails or is closed; closes both sides at the end.
    boost::asio::awaitable<void> run();
    // Ends the session once the command it is running is answered; at once when it is idle.
    void drain();
    // The client has a transaction open (as the role's stages last saw it).
    bool in_transaction() const;

  private:
    // A place in the listener's budget of connections not logged in; false when the
    // client's source address has its maximum waiting.
    bool admit_before_login();
    boost::asio::awaitable<bool> log_in();
    // Asks for and checks login_'s password (or lets the stages vouch for the user); sends
    // the access-denied error itself. `sequence` is the next server packet's id.
    boost::asio::awaitable<bool> authenticate(std::uint8_t& sequence);
    // open() after authentication, then the OK that ends a login.
    boost::asio::awaitable<bool> open_session(std::uint8_t sequence);
    // Each returns false when the session must end.
    boost::asio::awaitable<bool> next_command();
    boost::asio::awaitable<bool> change_user(mysql::ByteView payload);
    // The idle timeout costs one timer per session, re-armed only when it fires.
    void arm_idle_timer(std::chrono::steady_clock::duration after);
    void close();
    // Counts a login that did not become a session, in the registry's listener figures.
    void count_refusal(obs::ConnectionRefusal why);

    ClientConnection& client_;
    SessionStages& stages_;
    ListenerSettings settings_;
    SessionRegistry* registry_;
    std::string scramble_;    // of the greeting; COM_CHANGE_USER answers it too
    net::ClientLogin login_;  // the handshake's, then COM_CHANGE_USER's
    mysql::Bytes payload_;    // the command being handled; capacity reused
    net::LoopTimer idle_timer_;
    std::chrono::steady_clock::time_point last_activity_;
    bool busy_ = false;  // a command is being handled: a long statement is not idleness
    bool closed_ = false;
    bool draining_ = false;
    bool evicted_ = false;            // closed before login to make room (see PreAuthBudget)
    PreAuthBudget::Ticket pre_auth_;  // held until authenticated
    // Timer handlers already queued when the session ends check this before touching it.
    std::shared_ptr<bool> alive_;
};

}  // namespace sqlgate::engine
