// sqlgate as a MySQL client: connect from a chosen source address, optionally over TLS, log
// in with mysql_native_password, and run simple commands whose text results are collected.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "mysql/column_type.hpp"
#include "mysql/constants.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::net {

struct Login {
    std::string user;
    std::string password;
    std::string database;  // the initial schema, if any
    mysql::Capability capabilities = mysql::kProxyCapabilities;
    // Asked of the server; the login fails if it does not offer them all (a relay must
    // speak to the server as its client speaks to it).
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;
    std::uint8_t collation = mysql::kDefaultCollation;
};

// TLS towards an upstream: its certificate must be signed by the context's CA and name
// `server_name`; the context presents our own certificate when it has one.
struct UpstreamTls {
    boost::asio::ssl::context* context = nullptr;
    std::string server_name;
};

struct UpstreamAddress {
    tcp::endpoint endpoint;
    std::optional<boost::asio::ip::address> source;  // bind before connecting when set
    UpstreamTls tls;                                 // plain when tls.context is null
};

struct ServerInfo {
    std::string version;
    std::uint32_t connection_id = 0;
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;  // offered
    // When the server refused the login with an ERR packet: its code and SQLSTATE (the
    // message is the diagnostics), so a relay can pass the refusal on unchanged.
    std::uint16_t refusal_code = 0;
    std::string refusal_state;
};

// Connects and logs in within `timeout`. On a refusal by the server, `diagnostics` holds its
// message and the result is NetError::auth_failed.
awaitable<error_code> connect_and_login(PacketChannel& channel, const UpstreamAddress& address,
                                        const Login& login, std::chrono::milliseconds timeout,
                                        ServerInfo& server, std::string& diagnostics);

// Connects and reads the server's greeting within `timeout`, then closes: whether a MySQL
// server answers there (and accepts this source), without logging in.
awaitable<error_code> probe_server(PacketChannel& channel, const UpstreamAddress& address,
                                   std::chrono::milliseconds timeout, std::string& diagnostics);

// A command's outcome, with the text rows of any result set (the last one if several).
struct CommandResult {
    bool failed = false;
    std::uint16_t error_code = 0;
    std::string error_message;
    std::string sql_state;
    std::uint16_t status = 0;
    bool has_result_set = false;
    std::uint64_t affected_rows = 0;  // of the final OK
    std::uint64_t last_insert_id = 0;
    std::uint32_t prepared_id = 0;  // of a COM_STMT_PREPARE: the server's statement id
    std::vector<std::string> columns;
    std::vector<mysql::ColumnType> column_types;  // beside `columns`
    std::vector<std::vector<std::optional<std::string>>> rows;

    // The value of `column` in the first row, if present and not NULL.
    std::optional<std::string> first_row_value(std::string_view column) const;
    // The first row's first value, if present and not NULL (for single-value queries).
    std::optional<std::string> first_value() const;
};

// Sends `command` with `argument` and reads the whole reply (for small internal queries
// such as health checks and session replays, never for client traffic).
awaitable<error_code> run_command(PacketChannel& channel, mysql::Command command,
                                  std::string_view argument, mysql::Capability capabilities,
                                  CommandResult& result);

}  // namespace sqlgate::net
