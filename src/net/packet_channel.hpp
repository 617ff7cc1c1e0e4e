// A MySQL packet stream over one TCP connection, driven by coroutines: read a whole message,
// write a framed message, and relay a server reply to another channel as it arrives.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>

#include "mysql/response_tracker.hpp"
#include "mysql/wire.hpp"

namespace sqlgate::net {

using boost::asio::awaitable;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;

class PacketChannel {
  public:
    explicit PacketChannel(tcp::socket socket) : socket_(std::move(socket)) {}

    // Reads one message, joining split packets, into `payload` (whose capacity is reused).
    // `sequence` receives the sequence id of the message's last packet (a reply follows it),
    // `first_sequence` that of its first. Split packets must have consecutive ids.
    awaitable<error_code> read_message(mysql::Bytes& payload, std::uint8_t& sequence,
                                       std::size_t max_size,
                                       std::uint8_t* first_sequence = nullptr);

    // Frames `payload` starting at `sequence` and writes it; returns the next sequence id
    // through `sequence`.
    awaitable<error_code> write_message(mysql::ByteView payload, std::uint8_t& sequence);

    awaitable<error_code> write_raw(mysql::ByteView bytes);

    // Reads a reply to a command from this channel, following it with `tracker`, and writes
    // its bytes unchanged to `client` chunk by chunk (or drops them when `client` is null).
    awaitable<error_code> relay_reply(mysql::ResponseTracker& tracker, PacketChannel* client);
    // Bytes the last relay_reply passed on: zero means the client saw nothing of the reply,
    // so the command may be retried elsewhere.
    std::size_t relayed_bytes() const { return relayed_; }

    tcp::socket& socket() { return socket_; }
    bool is_open() const { return socket_.is_open(); }
    void close();

  private:
    awaitable<error_code> fill();  // reads more bytes into the buffer

    tcp::socket socket_;
    // Bytes [begin_, end_) of buffer_ have arrived and are not consumed yet.
    std::array<std::uint8_t, 16 * 1024> buffer_{};
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t relayed_ = 0;
    mysql::Bytes frame_;  // scratch for framing written messages
};

}  // namespace sqlgate::net
