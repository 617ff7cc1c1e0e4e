// Protocol constants of the MySQL/MariaDB client/server protocol: capability flags, server
// status flags, command bytes. Typed enums with the operators the codecs need.
#pragma once

#include <cstdint>
#include <string_view>

namespace sqlgate::mysql {

enum class Capability : std::uint32_t {
    none = 0,
    long_password = 1u << 0,  // also "CLIENT_MYSQL": unset by MariaDB for its extended caps
    found_rows = 1u << 1,
    long_flag = 1u << 2,
    connect_with_db = 1u << 3,
    no_schema = 1u << 4,
    compress = 1u << 5,
    odbc = 1u << 6,
    local_files = 1u << 7,
    ignore_space = 1u << 8,
    protocol_41 = 1u << 9,
    interactive = 1u << 10,
    ssl = 1u << 11,
    ignore_sigpipe = 1u << 12,
    transactions = 1u << 13,
    reserved = 1u << 14,
    secure_connection = 1u << 15,
    multi_statements = 1u << 16,
    multi_results = 1u << 17,
    ps_multi_results = 1u << 18,
    plugin_auth = 1u << 19,
    connect_attrs = 1u << 20,
    plugin_auth_lenenc_data = 1u << 21,
    can_handle_expired_passwords = 1u << 22,
    session_track = 1u << 23,
    deprecate_eof = 1u << 24,
};

constexpr Capability operator|(Capability a, Capability b) {
    return static_cast<Capability>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr Capability operator&(Capability a, Capability b) {
    return static_cast<Capability>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr Capability operator~(Capability a) {
    return static_cast<Capability>(~static_cast<std::uint32_t>(a));
}
constexpr bool has(Capability set, Capability flag) {
    return (set & flag) == flag;
}
constexpr std::uint32_t bits(Capability c) {
    return static_cast<std::uint32_t>(c);
}

// What sqlgate offers its clients and asks of backends. Left out on purpose: compress
// (the relay forwards bytes as they are), local_files (LOAD DATA LOCAL lets a server read
// client files), ssl (added with TLS support), and connect_with_db (the schema is set with
// COM_INIT_DB so that it is replayable on every backend).
constexpr Capability kProxyCapabilities =
    Capability::long_password | Capability::found_rows | Capability::long_flag |
    Capability::connect_with_db | Capability::odbc | Capability::ignore_space |
    Capability::protocol_41 | Capability::interactive | Capability::ignore_sigpipe |
    Capability::transactions | Capability::secure_connection | Capability::multi_statements |
    Capability::multi_results | Capability::ps_multi_results | Capability::plugin_auth |
    Capability::connect_attrs | Capability::plugin_auth_lenenc_data | Capability::session_track |
    Capability::deprecate_eof;

// Capabilities a client must have: the 4.1 protocol and its 20-byte scramble reply.
// MariaDB's capabilities beyond the first 32 bits, exchanged in the handshake's filler
// when the server does not set long_password ("CLIENT_MYSQL"). Bit n here is bit 32 + n.
enum class MariadbCapability : std::uint32_t {
    none = 0,
    progress = 1u << 0,              // progress reports inside replies
    com_multi = 1u << 1,             // COM_MULTI
    stmt_bulk_operations = 1u << 2,  // COM_STMT_BULK_EXECUTE
    extended_metadata = 1u << 3,     // column definitions carry type names (format=json)
    cache_metadata = 1u << 4,        // executes may skip column definitions
};

constexpr MariadbCapability operator&(MariadbCapability a, MariadbCapability b) {
    return static_cast<MariadbCapability>(static_cast<std::uint32_t>(a) &
                                          static_cast<std::uint32_t>(b));
}
constexpr bool has(MariadbCapability set, MariadbCapability flag) {
    return (set & flag) == flag;
}

// The extended capabilities sqlgate can relay. Only extended metadata: it changes nothing
// but the content of column definitions, which the relay passes through. Progress reports
// would need the reply tracker to tell them from errors, COM_MULTI and bulk execution are
// commands sqlgate does not route, and cached metadata would tie an execute's reply to
// what one server's connection saw before.
constexpr MariadbCapability kRelayedMariadbCapabilities = MariadbCapability::extended_metadata;

constexpr Capability kRequiredClientCapabilities =
    Capability::protocol_41 | Capability::secure_connection;

enum class ServerStatus : std::uint16_t {
    in_trans = 1u << 0,
    autocommit = 1u << 1,
    more_results_exist = 1u << 3,
    no_good_index_used = 1u << 4,
    no_index_used = 1u << 5,
    cursor_exists = 1u << 6,
    last_row_sent = 1u << 7,
    db_dropped = 1u << 8,
    no_backslash_escapes = 1u << 9,
    metadata_changed = 1u << 10,
    query_was_slow = 1u << 11,
    ps_out_params = 1u << 12,
    in_trans_readonly = 1u << 13,
    session_state_changed = 1u << 14,
};

// MariaDB: a COM_STMT_* command with this statement id means the statement the connection
// prepared last (MariaDB Connector/C and Node.js send PREPARE and EXECUTE back to back so).
constexpr std::uint32_t kLastPreparedStatement = 0xffffffff;

constexpr std::uint16_t bits(ServerStatus flag) {
    return static_cast<std::uint16_t>(flag);
}

constexpr bool has(std::uint16_t status, ServerStatus flag) {
    return (status & static_cast<std::uint16_t>(flag)) != 0;
}

enum class Command : std::uint8_t {
    sleep = 0x00,
    quit = 0x01,
    init_db = 0x02,
    query = 0x03,
    field_list = 0x04,
    create_db = 0x05,
    drop_db = 0x06,
    refresh = 0x07,
    shutdown = 0x08,
    statistics = 0x09,
    process_info = 0x0a,
    connect = 0x0b,
    process_kill = 0x0c,
    debug = 0x0d,
    ping = 0x0e,
    time = 0x0f,
    delayed_insert = 0x10,
    change_user = 0x11,
    binlog_dump = 0x12,
    table_dump = 0x13,
    connect_out = 0x14,
    register_slave = 0x15,
    stmt_prepare = 0x16,
    stmt_execute = 0x17,
    stmt_send_long_data = 0x18,
    stmt_close = 0x19,
    stmt_reset = 0x1a,
    set_option = 0x1b,
    stmt_fetch = 0x1c,
    daemon = 0x1d,
    binlog_dump_gtid = 0x1e,
    reset_connection = 0x1f,
    stmt_bulk_execute = 0xfa,
};

// "COM_QUERY" for Command::query; "COM_UNKNOWN" for bytes that name no command.
std::string_view command_name(std::uint8_t command);

// Server error codes sqlgate itself sends.
namespace error_code {
constexpr std::uint16_t access_denied = 1045;         // ER_ACCESS_DENIED_ERROR
constexpr std::uint16_t unknown_command = 1047;       // ER_UNKNOWN_COM_ERROR
constexpr std::uint16_t net_packet_too_large = 1153;  // ER_NET_PACKET_TOO_LARGE
constexpr std::uint16_t handshake_error = 1043;       // ER_HANDSHAKE_ERROR
constexpr std::uint16_t unknown_thread = 1094;        // ER_NO_SUCH_THREAD
constexpr std::uint16_t not_supported = 1235;         // ER_NOT_SUPPORTED_YET
constexpr std::uint16_t option_prevents = 1290;       // ER_OPTION_PREVENTS_STATEMENT
constexpr std::uint16_t unknown_route = 1210;         // ER_WRONG_ARGUMENTS
// ER_UNKNOWN_ERROR: libmariadb takes a server ERR carrying a client-range (2xxx) code such as
// CR_SERVER_LOST for a malformed packet, so the message carries the meaning instead.
constexpr std::uint16_t backend_unavailable = 1105;
constexpr std::uint16_t malformed_packet = 1835;           // ER_MALFORMED_PACKET
constexpr std::uint16_t too_many_connections = 1040;       // ER_CON_COUNT_ERROR
constexpr std::uint16_t too_many_user_connections = 1203;  // ER_TOO_MANY_USER_CONNECTIONS
constexpr std::uint16_t resource_limit = 1226;             // ER_USER_LIMIT_REACHED (42000)
constexpr std::uint16_t statement_rejected = 1227;  // ER_SPECIFIC_ACCESS_DENIED_ERROR (42000)
constexpr std::uint16_t secure_transport_required = 3159;  // ER_SECURE_TRANSPORT_REQUIRED
constexpr std::uint16_t unknown_character_set = 1115;      // ER_UNKNOWN_CHARACTER_SET (42000)
}  // namespace error_code

constexpr std::uint8_t kOkHeader = 0x00;
constexpr std::uint8_t kEofHeader = 0xfe;
constexpr std::uint8_t kErrHeader = 0xff;
constexpr std::uint8_t kLocalInfileHeader = 0xfb;
constexpr std::uint8_t kAuthSwitchHeader = 0xfe;
constexpr std::uint8_t kAuthMoreDataHeader = 0x01;

// utf8mb4_general_ci: the collation sqlgate announces in its greeting.
constexpr std::uint8_t kDefaultCollation = 45;

}  // namespace sqlgate::mysql
