// One client of a front role (gatekeeper or trusted host): log in, open the mutual-TLS link
// to the next hop, then check each command and relay what passes, reply bytes unchanged.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/front_runtime.hpp"
#include "mysql/wire.hpp"
#include "net/packet_channel.hpp"
#include "net/server_login.hpp"

namespace sqlgate::engine {

class FrontSession {
  public:
    FrontSession(FrontRuntime& runtime, net::tcp::socket socket);
    ~FrontSession();
    FrontSession(const FrontSession&) = delete;
    FrontSession& operator=(const FrontSession&) = delete;

    boost::asio::awaitable<void> run();

  private:
    boost::asio::awaitable<bool> log_in();
    boost::asio::awaitable<bool> authenticate(net::ClientLogin& login, std::uint8_t& sequence,
                                              std::string_view scramble);
    boost::asio::awaitable<bool> connect_upstream(const net::ClientLogin& login);
    // The idle timeout costs one timer per session, re-armed only when it fires.
    void arm_idle_timer(std::chrono::steady_clock::duration after);
    // Each returns false when the session must end.
    boost::asio::awaitable<bool> handle_command();
    // Checks `checked_sql` (the statement, or what a command amounts to) and forwards the
    // command in payload_ if the gate allows it.
    boost::asio::awaitable<bool> check_and_forward(std::string_view checked_sql);
    boost::asio::awaitable<bool> forward();
    boost::asio::awaitable<void> upstream_lost(boost::system::error_code ec);
    boost::asio::awaitable<bool> send_verdict(const GateVerdict& verdict);
    boost::asio::awaitable<bool> send_error(std::uint16_t code, std::string_view sql_state,
                                            std::string_view message);
    void close();

    FrontRuntime& runtime_;
    net::PacketChannel client_;
    net::PacketChannel upstream_;
    std::string source_;  // client address, without port
    std::string peer_;    // address:port, for logs
    std::uint32_t connection_id_;
    std::optional<ConnectionSlot> slot_;
    const config::FrontUser* user_ = nullptr;
    mysql::Capability capabilities_ = mysql::Capability::none;
    std::string schema_;    // current schema, for the policy's unqualified names
    mysql::Bytes payload_;  // the command being handled; capacity reused
    mysql::Bytes reply_;
    std::uint8_t reply_sequence_ = 1;
    bool last_reply_failed_ = false;
    boost::asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point last_activity_;
    bool busy_ = false;  // a command is being handled
    bool closed_ = false;
    // Timer handlers already queued when the session ends check this before touching it.
    std::shared_ptr<bool> alive_;
};

}  // namespace sqlgate::engine
