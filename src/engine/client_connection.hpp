// The client side of one session, whatever the role: its packet channel, who it is, and the
// replies the engine and a role's stages send it (each at the current reply's sequence id).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mysql/wire.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::engine {

// An error reply as the client will see it; stages return these instead of sending them,
// so the engine decides the sequence id and whether the session goes on.
struct ErrorReply {
    std::uint16_t code = 0;
    std::string sql_state;
    std::string message;
};

class ClientConnection {
  public:
    ClientConnection(net::PacketChannel channel, std::uint32_t connection_id);
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    net::PacketChannel& channel() { return channel_; }
    std::uint32_t connection_id() const { return connection_id_; }
    // The client's address without the port (policy, limits, MariaDB's "user@host").
    const std::string& source() const { return source_; }
    // address:port, for logs.
    const std::string& peer() const { return peer_; }
    bool is_open() const { return channel_.is_open(); }
    void close() { channel_.close(); }

    // The sequence id the reply to the current command starts at.
    std::uint8_t reply_sequence() const { return reply_sequence_; }
    void set_reply_sequence(std::uint8_t sequence) { reply_sequence_ = sequence; }

    // Each returns false when the client could not be written to (the session must end).
    boost::asio::awaitable<bool> send_error(std::uint16_t code, std::string_view sql_state,
                                            std::string_view message);
    boost::asio::awaitable<bool> send(const ErrorReply& error);
    boost::asio::awaitable<bool> send_ok(std::uint16_t status);

  private:
    net::PacketChannel channel_;
    std::uint32_t connection_id_;
    std::string source_;
    std::string peer_;
    std::uint8_t reply_sequence_ = 0;
    mysql::Bytes reply_;  // capacity reused by every reply
};

}  // namespace sqlgate::engine
