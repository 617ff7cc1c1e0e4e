#include "engine/client_connection.hpp"

#include "mysql/messages.hpp"

namespace sqlgate::engine {

ClientConnection::ClientConnection(net::PacketChannel channel, std::uint32_t connection_id)
    : channel_(std::move(channel)), connection_id_(connection_id) {
    boost::system::error_code ec;
    const auto endpoint = channel_.remote_endpoint(ec);
    source_ = ec ? "unknown" : endpoint.address().to_string();
    peer_ = ec ? "unknown" : source_ + ":" + std::to_string(endpoint.port());
}

boost::asio::awaitable<bool> ClientConnection::send_error(std::uint16_t code,
                                                          std::string_view sql_state,
                                                          std::string_view message) {
    reply_.clear();
    mysql::serialize_err(reply_, code, sql_state, message);
    std::uint8_t sequence = reply_sequence_;
    co_return !co_await channel_.write_message(reply_, sequence);
}

boost::asio::awaitable<bool> ClientConnection::send(const ErrorReply& error) {
    co_return co_await send_error(error.code, error.sql_state, error.message);
}

boost::asio::awaitable<bool> ClientConnection::send_ok(std::uint16_t status) {
    reply_.clear();
    mysql::serialize_ok(reply_, {.status = status});
    std::uint8_t sequence = reply_sequence_;
    co_return !co_await channel_.write_message(reply_, sequence);
}

}  // namespace sqlgate::engine
