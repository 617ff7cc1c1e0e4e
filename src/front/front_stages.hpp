// What the session engine runs for a client of a front role (gatekeeper, trusted host): log
// in, open the mutual-TLS link to the next hop, then gate each command and relay what passes.
#pragma once

#include <optional>
#include <string>

#include "engine/session_stages.hpp"
#include "front/front_runtime.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::front {

class FrontStages final : public engine::SessionStages {
  public:
    FrontStages(FrontRuntime& runtime, engine::ClientConnection& client);

    engine::ListenerSettings listener_settings() const;

    std::optional<engine::ErrorReply> admit() override;
    std::optional<engine::ErrorReply> check_login(const net::ClientLogin& login) override;
    bool needs_password() const override;
    bool authenticate(const net::ClientLogin& login, std::string_view scramble) override;
    boost::asio::awaitable<std::optional<engine::ErrorReply>> open(
        const net::ClientLogin& login) override;
    std::string_view user_name() const override;
    boost::asio::awaitable<bool> handle(mysql::Command command, mysql::ByteView payload) override;
    boost::asio::awaitable<bool> kill(std::uint64_t id, bool query_only) override;
    std::optional<engine::ErrorReply> change_user_refusal() const override;
    // What the upstream's last reply said of the session (a transaction open, autocommit).
    std::uint16_t status_flags() const override { return session_status_; }
    void reset() override { session_status_ = mysql::bits(mysql::ServerStatus::autocommit); }
    void close() override { upstream_.close(); }

  private:
    boost::asio::awaitable<std::optional<engine::ErrorReply>> connect_upstream(
        const net::ClientLogin& login);
    // Gates `checked_sql` (the statement, or what the command amounts to), then forwards
    // `payload` if the gate lets it through. Each returns false when the session must end.
    boost::asio::awaitable<bool> check_and_forward(std::string_view checked_sql,
                                                   mysql::ByteView payload);
    boost::asio::awaitable<bool> forward(mysql::ByteView payload);
    boost::asio::awaitable<void> upstream_lost(boost::system::error_code ec);
    boost::asio::awaitable<bool> send_verdict(const GateVerdict& verdict);

    FrontRuntime& runtime_;
    engine::ClientConnection& client_;
    net::PacketChannel upstream_;
    std::optional<ConnectionSlot> slot_;
    std::shared_ptr<const config::FrontUser> user_;
    mysql::Capability capabilities_ = mysql::Capability::none;
    std::string schema_;  // current schema, for the policy's unqualified names
    bool last_reply_failed_ = false;
    std::uint16_t session_status_ = mysql::bits(mysql::ServerStatus::autocommit);
};

}  // namespace sqlgate::front
