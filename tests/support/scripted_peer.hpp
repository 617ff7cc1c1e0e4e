// The far end of a session in unit tests: a loopback TCP connection a test drives packet by
// packet (send this, expect that), as a MySQL client or as a backend server. No database.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mysql/constants.hpp"
#include "mysql/wire.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::test_support {

using boost::asio::awaitable;

// A connected TCP pair on 127.0.0.1: `near` for the code under test, `far` for the script.
struct SocketPair {
    net::tcp::socket near;
    net::tcp::socket far;
};
SocketPair make_socket_pair(boost::asio::io_context& io);

// What a scripted server saw of its client's login.
struct SeenLogin {
    std::string user;
    std::string database;
    mysql::Capability capabilities = mysql::Capability::none;
};

class ScriptedPeer {
  public:
    explicit ScriptedPeer(net::tcp::socket socket) : channel_(std::move(socket)) {}

    net::PacketChannel& channel() { return channel_; }

    // One message starting at `sequence`.
    awaitable<void> send(mysql::ByteView payload, std::uint8_t sequence);
    // A command with a text argument (COM_QUERY, COM_INIT_DB …), sequence 0.
    awaitable<void> send_command(mysql::Command command, std::string_view argument);
    // The next message, or nullopt when the other side closed the connection.
    awaitable<std::optional<mysql::Bytes>> receive(std::uint8_t* sequence = nullptr);
    // True when the other side closes the connection within `within` without sending more.
    awaitable<bool> closed_by_peer(std::chrono::milliseconds within = std::chrono::seconds(2));

    // As a client: reads the greeting, answers it with `user` and mysql_native_password for
    // `password`, and returns the server's last reply to the login (OK or ERR).
    awaitable<mysql::Bytes> log_in(std::string_view user, std::string_view password,
                                   std::string_view database = {});
    // The greeting's scramble, once log_in has read it (COM_CHANGE_USER answers it).
    const std::string& scramble() const { return scramble_; }

    // As a server: greets, reads the client's login (upgrading to TLS with `tls` when the
    // client asks) and accepts it.
    awaitable<SeenLogin> accept_login(boost::asio::ssl::context* tls = nullptr,
                                      std::uint32_t connection_id = 7);
    // As a server: an OK reply with `status`.
    awaitable<void> reply_ok(std::uint8_t sequence = 1, std::uint16_t status = 2);
    // A result set of one column and one row.
    awaitable<void> reply_value(std::string_view column, std::string_view value);

  private:
    net::PacketChannel channel_;
    std::string scramble_;
};

// Runs `io` until `script` has finished (true) or `timeout` has passed (false); everything
// else spawned on `io` (the session under test) runs alongside.
bool run_script(boost::asio::io_context& io, awaitable<void> script,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The text of a command packet, or of an ERR packet's message.
std::string command_text(const mysql::Bytes& payload);
std::optional<std::uint16_t> error_code_of(const mysql::Bytes& payload);
std::string error_message_of(const mysql::Bytes& payload);
bool is_ok(const mysql::Bytes& payload);

}  // namespace sqlgate::test_support
