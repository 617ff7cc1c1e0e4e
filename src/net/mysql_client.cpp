#include "net/mysql_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "net/deadline.hpp"
#include "net/errors.hpp"
#include "net/tls.hpp"

namespace sqlgate::net {
namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
constexpr std::size_t kMaxHandshakeMessage = 64 * 1024;
constexpr std::size_t kMaxInternalReply = 64 * 1024 * 1024;

using mysql::Capability;

// Reads the server's answer to our credentials, answering an auth switch to
// mysql_native_password (the only method sqlgate speaks as a client).
void note_refusal(const mysql::ErrPacket& err, ServerInfo& server, std::string& diagnostics) {
    diagnostics = std::string(err.message);
    server.refusal_code = err.code;
    server.refusal_state = std::string(err.sql_state);
}

awaitable<error_code> finish_login(PacketChannel& channel, const Login& login,
                                   std::uint8_t sequence, ServerInfo& server,
                                   std::string& diagnostics) {
    mysql::Bytes reply;
    for (int round = 0; round < 2; ++round) {
        if (auto ec = co_await channel.read_message(reply, sequence, kMaxHandshakeMessage)) {
            co_return ec;
        }
        ++sequence;
        if (reply.empty()) co_return make_error(NetError::malformed_packet);
        if (reply[0] == mysql::kOkHeader) co_return error_code{};
        if (const auto err = mysql::parse_err(reply)) {
            note_refusal(*err, server, diagnostics);
            co_return make_error(NetError::auth_failed);
        }
        const auto change = mysql::parse_auth_switch(reply);
        if (!change || change->plugin != mysql::kNativePasswordPlugin) {
            diagnostics = "server asked for an authentication method other than " +
                          std::string(mysql::kNativePasswordPlugin);
            co_return make_error(NetError::auth_failed);
        }
        const std::string token = mysql::native_password_token(login.password, change->data);
        if (auto ec = co_await channel.write_message(mysql::as_bytes(token), sequence)) {
            co_return ec;
        }
    }
    co_return make_error(NetError::malformed_packet);
}

// Connects and reads the server's first message into `payload`: a greeting, or a refusal
// (noted in `server` and `diagnostics`, and answered NetError::auth_failed).
awaitable<error_code> connect_and_read_greeting(PacketChannel& channel,
                                                const UpstreamAddress& address,
                                                mysql::Bytes& payload, ServerInfo& server,
                                                std::string& diagnostics) {
    if (auto ec = co_await channel.connect(address.endpoint, address.source)) co_return ec;
    std::uint8_t sequence = 0;
    if (auto ec = co_await channel.read_message(payload, sequence, kMaxHandshakeMessage)) {
        co_return ec;
    }
    if (const auto err = mysql::parse_err(payload)) {  // e.g. "Host is blocked"
        note_refusal(*err, server, diagnostics);
        co_return make_error(NetError::auth_failed);
    }
    co_return error_code{};
}

}  // namespace

awaitable<error_code> probe_server(PacketChannel& channel, const UpstreamAddress& address,
                                   std::chrono::milliseconds timeout, std::string& diagnostics) {
    DeadlineGuard deadline(channel, timeout);
    mysql::Bytes payload;
    ServerInfo server;
    auto ec = co_await connect_and_read_greeting(channel, address, payload, server, diagnostics);
    if (!ec && !mysql::parse_greeting(payload)) ec = make_error(NetError::malformed_packet);
    channel.close();
    co_return deadline.expired() ? make_error(NetError::timed_out) : ec;
}

awaitable<error_code> connect_and_login(PacketChannel& channel, const UpstreamAddress& address,
                                        const Login& login, std::chrono::milliseconds timeout,
                                        ServerInfo& server, std::string& diagnostics) {
    DeadlineGuard deadline(channel, timeout);
    const auto timed = [&](error_code ec) {
        return deadline.expired() ? make_error(NetError::timed_out) : ec;
    };

    mysql::Bytes payload;
    if (auto ec =
            co_await connect_and_read_greeting(channel, address, payload, server, diagnostics)) {
        co_return timed(ec);
    }
    std::uint8_t sequence = 0;
    const auto greeting = mysql::parse_greeting(payload);
    if (!greeting) co_return make_error(NetError::malformed_packet);
    server.version = std::string(greeting->server_version);
    server.connection_id = greeting->connection_id;
    server.mariadb_capabilities = greeting->mariadb_capabilities;
    if (!has(greeting->mariadb_capabilities, login.mariadb_capabilities)) {
        diagnostics =
            "server does not offer MariaDB's extended capabilities that the client "
            "negotiated (extended type metadata)";
        co_return make_error(NetError::auth_failed);
    }

    const std::string token = mysql::native_password_token(login.password, greeting->auth_data);
    mysql::HandshakeResponse response;
    response.capabilities =
        (login.capabilities & greeting->capabilities & ~Capability::connect_with_db) |
        Capability::plugin_auth;
    if (!login.database.empty()) {
        response.capabilities = response.capabilities | Capability::connect_with_db;
        response.database = login.database;
    }
    response.mariadb_capabilities = login.mariadb_capabilities;
    response.max_packet_size = 1u << 30;
    response.collation = login.collation;
    response.user = login.user;
    response.auth_response = token;
    response.auth_plugin = mysql::kNativePasswordPlugin;
    if (!has(response.capabilities, mysql::kRequiredClientCapabilities)) {
        diagnostics = "server does not speak the 4.1 protocol";
        co_return make_error(NetError::malformed_packet);
    }
    ++sequence;
    if (address.tls.context != nullptr) {
        if (!has(greeting->capabilities, Capability::ssl)) {
            diagnostics = "server does not offer TLS";
            co_return make_error(NetError::auth_failed);
        }
        response.capabilities = response.capabilities | Capability::ssl;
        payload.clear();
        mysql::serialize_ssl_request(payload, response);
        if (auto ec = co_await channel.write_message(payload, sequence)) co_return timed(ec);
        if (auto ec =
                co_await channel.start_tls(*address.tls.context, PacketChannel::TlsSide::client)) {
            diagnostics = "TLS handshake failed: " + ec.message();
            co_return timed(ec);
        }
        const std::string expected[] = {address.tls.server_name};
        if (!peer_certificate_matches(channel.tls_handle(), expected)) {
            diagnostics = "server certificate does not name " + address.tls.server_name;
            co_return make_error(NetError::auth_failed);
        }
    }
    payload.clear();
    mysql::serialize_handshake_response(payload, response);
    if (auto ec = co_await channel.write_message(payload, sequence)) co_return timed(ec);
    co_return timed(co_await finish_login(channel, login, sequence, server, diagnostics));
}

std::optional<std::string> CommandResult::first_row_value(std::string_view column) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == column && !rows.empty() && i < rows[0].size()) return rows[0][i];
    }
    return std::nullopt;
}

std::optional<std::string> CommandResult::first_value() const {
    if (rows.empty() || rows[0].empty()) return std::nullopt;
    return rows[0][0];
}

awaitable<error_code> run_command(PacketChannel& channel, mysql::Command command,
                                  std::string_view argument, Capability capabilities,
                                  CommandResult& result) {
    using Kind = mysql::ResponseTracker::PacketKind;
    result = CommandResult{};
    mysql::Bytes payload;
    mysql::serialize_command(payload, command, argument);
    std::uint8_t sequence = 0;
    if (auto ec = co_await channel.write_message(payload, sequence)) co_return ec;

    mysql::ResponseTracker tracker(capabilities, mysql::reply_shape_of(command));
    std::vector<std::optional<std::string_view>> values;
    for (;;) {
        if (auto ec = co_await channel.read_message(payload, sequence, kMaxInternalReply)) {
            co_return ec;
        }
        const auto progress =
            tracker.on_packet(static_cast<std::uint32_t>(payload.size()), payload);
        if (progress == mysql::ResponseTracker::Progress::malformed) {
            co_return make_error(NetError::malformed_packet);
        }
        switch (tracker.last_kind()) {
            case Kind::err: {
                const auto err = mysql::parse_err(payload);
                result.failed = true;
                result.error_code = tracker.error_code();
                if (err) {
                    result.error_message = std::string(err->message);
                    result.sql_state = std::string(err->sql_state);
                }
                break;
            }
            case Kind::column_count:
                result.has_result_set = true;
                result.columns.clear();
                result.column_types.clear();
                result.rows.clear();
                break;
            case Kind::column:
                if (const auto col = mysql::parse_column_definition(payload)) {
                    result.columns.emplace_back(col->name);
                    result.column_types.push_back(col->type);
                }
                break;
            case Kind::row:
                if (!mysql::parse_text_row(payload, result.columns.size(), values)) {
                    co_return make_error(NetError::malformed_packet);
                }
                result.rows.emplace_back();
                for (const auto& v : values) {
                    result.rows.back().push_back(v ? std::optional<std::string>(*v) : std::nullopt);
                }
                break;
            default:
                break;
        }
        if (progress == mysql::ResponseTracker::Progress::done) {
            result.status = tracker.status();
            result.affected_rows = tracker.affected_rows();
            result.last_insert_id = tracker.last_insert_id();
            result.prepared_id = tracker.prepared_statement_id();
            co_return error_code{};
        }
    }
}

}  // namespace sqlgate::net
