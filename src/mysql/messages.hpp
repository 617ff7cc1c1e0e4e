// The protocol's messages as plain structs: a parse function per message (nullopt when the
// payload is malformed or has trailing bytes) and a serialize function writing the payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mysql/column_type.hpp"
#include "mysql/constants.hpp"
#include "mysql/wire.hpp"

namespace sqlgate::mysql {

struct OkPacket {
    std::uint64_t affected_rows = 0;
    std::uint64_t last_insert_id = 0;
    std::uint16_t status = 0;
    std::uint16_t warnings = 0;
    std::string_view info;  // human-readable info, then session-state changes if tracked
};

struct ErrPacket {
    std::uint16_t code = 0;
    std::string_view sql_state;  // five characters; empty before the 4.1 protocol
    std::string_view message;
};

struct EofPacket {
    std::uint16_t warnings = 0;
    std::uint16_t status = 0;
};

// Initial handshake (protocol version 10) that a server sends first.
struct ServerGreeting {
    std::string_view server_version;
    std::uint32_t connection_id = 0;
    std::string auth_data;  // scramble; on the wire split in two parts, joined here
    Capability capabilities = Capability::none;
    // Sent and read only when capabilities lacks long_password (a MariaDB server).
    MariadbCapability mariadb_capabilities = MariadbCapability::none;
    std::uint8_t collation = kDefaultCollation;
    std::uint16_t status = 0;
    std::string_view auth_plugin;
};

// HandshakeResponse41, the client's reply to the greeting.
struct HandshakeResponse {
    Capability capabilities = Capability::none;
    // In the filler; meaningful only towards a server that offered MariaDB capabilities.
    MariadbCapability mariadb_capabilities = MariadbCapability::none;
    std::uint32_t max_packet_size = 0;
    std::uint8_t collation = kDefaultCollation;
    std::string_view user;
    std::string_view auth_response;
    std::string_view database;     // when connect_with_db
    std::string_view auth_plugin;  // when plugin_auth
    std::string_view attributes;   // raw key/value block when connect_attrs
};

// COM_CHANGE_USER's arguments; the auth response answers the greeting's scramble.
struct ChangeUserRequest {
    std::string_view user;
    std::string_view auth_response;
    std::string_view database;
    std::optional<std::uint8_t> collation;
    std::string_view auth_plugin;
};

struct AuthSwitchRequest {
    std::string_view plugin;
    std::string_view data;
};

struct ColumnDefinition {
    std::string_view schema;
    std::string_view table;
    std::string_view name;
    ColumnType type;
};

// The head of a COM_STMT_EXECUTE, as far as a router needs it: which statement, whether it
// opens a cursor, and whether the packet carries the parameter types (clients send them on
// the first execution and when they change, so a server that has never seen them needs them).
struct StmtExecuteHead {
    std::uint32_t statement_id = 0;
    std::uint8_t cursor_flags = 0;      // CURSOR_TYPE_*: nonzero opens a cursor
    std::size_t types_flag_offset = 0;  // of new_params_bound_flag; 0 when there are no parameters
    bool carries_types = false;
    ByteView types;  // 2 bytes per parameter, when carried
};

std::optional<OkPacket> parse_ok(ByteView payload);  // header 0x00, or 0xfe when it ends rows
std::optional<ErrPacket> parse_err(ByteView payload);
std::optional<EofPacket> parse_eof(ByteView payload);
std::optional<ServerGreeting> parse_greeting(ByteView payload);
std::optional<HandshakeResponse> parse_handshake_response(ByteView payload);
std::optional<AuthSwitchRequest> parse_auth_switch(ByteView payload);
// The arguments after the command byte, as the session's capabilities shape them.
std::optional<ChangeUserRequest> parse_change_user(ByteView arguments, Capability capabilities);
void serialize_change_user(Bytes& out, const ChangeUserRequest& request, Capability capabilities);
std::optional<ColumnDefinition> parse_column_definition(ByteView payload);
// A text-protocol row of `columns` values; a nullopt element is SQL NULL.
bool parse_text_row(ByteView payload, std::size_t columns,
                    std::vector<std::optional<std::string_view>>& values);

// An SSL request is a handshake response cut short after the filler, with the ssl flag.
bool is_ssl_request(ByteView payload);

void serialize_ok(Bytes& out, const OkPacket& ok);
void serialize_err(Bytes& out, std::uint16_t code, std::string_view sql_state,
                   std::string_view message);
void serialize_eof(Bytes& out, const EofPacket& eof);
void serialize_greeting(Bytes& out, const ServerGreeting& greeting);
void serialize_handshake_response(Bytes& out, const HandshakeResponse& response);
// The SSL request: the response's fixed part with the ssl bit, sent before TLS starts.
void serialize_ssl_request(Bytes& out, const HandshakeResponse& response);
void serialize_auth_switch(Bytes& out, const AuthSwitchRequest& request);
void serialize_column_definition(Bytes& out, const ColumnDefinition& column);
void serialize_text_row(Bytes& out, const std::vector<std::optional<std::string_view>>& values);
// COM_QUERY / COM_INIT_DB / COM_FIELD_LIST style: the command byte and its argument.
void serialize_command(Bytes& out, Command command, std::string_view argument);
// COM_STMT_CLOSE, COM_STMT_RESET and the like: the command byte and a statement id.
void serialize_statement_command(Bytes& out, Command command, std::uint32_t statement_id);

// `payload` is the whole command (0x17 first); `parameters` the count the prepare reported.
std::optional<StmtExecuteHead> parse_stmt_execute_head(ByteView payload, std::uint16_t parameters);
// The same execution for a server that knows the statement as `statement_id`; `types`, when
// not empty, are added to a packet that does not carry its own.
void serialize_stmt_execute_for(Bytes& out, ByteView payload, const StmtExecuteHead& head,
                                std::uint32_t statement_id, ByteView types);

}  // namespace sqlgate::mysql
