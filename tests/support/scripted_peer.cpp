#include "scripted_peer.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"

namespace sqlgate::test_support {

using mysql::Bytes;
using mysql::Capability;

SocketPair make_socket_pair(boost::asio::io_context& io) {
    net::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    net::tcp::socket far(io);
    far.connect(acceptor.local_endpoint());
    net::tcp::socket near = acceptor.accept();
    return {std::move(near), std::move(far)};
}

awaitable<void> ScriptedPeer::send(mysql::ByteView payload, std::uint8_t sequence) {
    if (auto ec = co_await channel_.write_message(payload, sequence)) {
        throw std::runtime_error("scripted peer: write failed: " + ec.message());
    }
}

awaitable<void> ScriptedPeer::send_command(mysql::Command command, std::string_view argument) {
    Bytes payload;
    mysql::serialize_command(payload, command, argument);
    co_await send(payload, 0);
}

awaitable<std::optional<Bytes>> ScriptedPeer::receive(std::uint8_t* sequence) {
    Bytes payload;
    std::uint8_t last = 0;
    if (co_await channel_.read_message(payload, last, std::size_t{1} << 26)) co_return std::nullopt;
    if (sequence != nullptr) *sequence = last;
    co_return payload;
}

awaitable<bool> ScriptedPeer::closed_by_peer(std::chrono::milliseconds within) {
    boost::asio::steady_timer timer(channel_.executor(), within);
    bool timed_out = false;
    timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        timed_out = true;
        channel_.close();
    });
    const auto message = co_await receive();
    timer.cancel();
    co_return !message && !timed_out;
}

awaitable<Bytes> ScriptedPeer::log_in(std::string_view user, std::string_view password,
                                      std::string_view database) {
    const auto greeting_bytes = co_await receive();
    if (!greeting_bytes) throw std::runtime_error("scripted client: no greeting");
    const auto greeting = mysql::parse_greeting(*greeting_bytes);
    if (!greeting) throw std::runtime_error("scripted client: malformed greeting");
    scramble_ = greeting->auth_data;
    const std::string token = mysql::native_password_token(std::string(password), scramble_);
    mysql::HandshakeResponse response;
    // Without CLIENT_DEPRECATE_EOF, the shape reply_value writes.
    response.capabilities = mysql::kProxyCapabilities & greeting->capabilities &
                            ~(Capability::ssl | Capability::deprecate_eof);
    if (database.empty())
        response.capabilities = response.capabilities & ~Capability::connect_with_db;
    response.max_packet_size = 1u << 24;
    response.user = user;
    response.auth_response = token;
    response.database = database;
    response.auth_plugin = mysql::kNativePasswordPlugin;
    Bytes payload;
    mysql::serialize_handshake_response(payload, response);
    co_await send(payload, 1);
    auto reply = co_await receive();
    co_return reply.value_or(Bytes{});
}

awaitable<SeenLogin> ScriptedPeer::accept_login(boost::asio::ssl::context* tls,
                                                std::uint32_t connection_id) {
    mysql::ServerGreeting greeting;
    greeting.server_version = "10.11.0-MariaDB-scripted";
    greeting.connection_id = connection_id;
    greeting.auth_data = mysql::make_scramble();
    greeting.capabilities =
        mysql::kProxyCapabilities | (tls != nullptr ? Capability::ssl : Capability::none);
    greeting.status = mysql::bits(mysql::ServerStatus::autocommit);
    greeting.auth_plugin = mysql::kNativePasswordPlugin;
    Bytes payload;
    mysql::serialize_greeting(payload, greeting);
    co_await send(payload, 0);
    std::uint8_t sequence = 0;
    std::optional<Bytes> response_bytes{Bytes{}};
    if (co_await channel_.read_first_message(*response_bytes, sequence, 1 << 16)) {
        throw std::runtime_error("scripted server: no login");
    }
    if (mysql::is_ssl_request(*response_bytes)) {
        if (tls == nullptr) throw std::runtime_error("scripted server: TLS asked, not offered");
        if (auto ec = co_await channel_.start_tls(*tls, net::PacketChannel::TlsSide::server)) {
            throw std::runtime_error("scripted server: TLS handshake failed: " + ec.message());
        }
        response_bytes = co_await receive(&sequence);
    }
    if (!response_bytes) throw std::runtime_error("scripted server: no login");
    const auto response = mysql::parse_handshake_response(*response_bytes);
    if (!response) throw std::runtime_error("scripted server: malformed login");
    SeenLogin seen{std::string(response->user), std::string(response->database),
                   response->capabilities};
    co_await reply_ok(static_cast<std::uint8_t>(sequence + 1));
    co_return seen;
}

awaitable<void> ScriptedPeer::reply_ok(std::uint8_t sequence, std::uint16_t status) {
    Bytes payload;
    mysql::serialize_ok(payload, {.status = status});
    co_await send(payload, sequence);
}

awaitable<void> ScriptedPeer::reply_value(std::string_view column, std::string_view value) {
    // Without CLIENT_DEPRECATE_EOF: count, definition, EOF, rows, EOF.
    std::uint8_t sequence = 1;
    Bytes payload;
    mysql::ByteWriter(payload).lenenc(1);
    co_await send(payload, sequence++);
    payload.clear();
    mysql::serialize_column_definition(payload, {.name = column});
    co_await send(payload, sequence++);
    payload.clear();
    mysql::serialize_eof(payload, {.status = 2});
    co_await send(payload, sequence++);
    payload.clear();
    const std::vector<std::optional<std::string_view>> row{value};
    mysql::serialize_text_row(payload, row);
    co_await send(payload, sequence++);
    payload.clear();
    mysql::serialize_eof(payload, {.status = 2});
    co_await send(payload, sequence++);
}

bool run_script(boost::asio::io_context& io, awaitable<void> script,
                std::chrono::milliseconds timeout) {
    bool finished = false;
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(script), [&](std::exception_ptr e) {
        finished = true;
        failure = e;
    });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!finished && std::chrono::steady_clock::now() < deadline) {
        io.run_one_for(std::chrono::milliseconds(50));
    }
    if (failure) std::rethrow_exception(failure);
    return finished;
}

std::string command_text(const Bytes& payload) {
    return payload.empty() ? std::string()
                           : std::string(mysql::as_chars(mysql::ByteView(payload).subspan(1)));
}

std::optional<std::uint16_t> error_code_of(const Bytes& payload) {
    const auto err = mysql::parse_err(payload);
    if (!err) return std::nullopt;
    return err->code;
}

std::string error_message_of(const Bytes& payload) {
    const auto err = mysql::parse_err(payload);
    return err ? std::string(err->message) : std::string();
}

bool is_ok(const Bytes& payload) {
    return !payload.empty() && payload[0] == mysql::kOkHeader;
}

}  // namespace sqlgate::test_support
