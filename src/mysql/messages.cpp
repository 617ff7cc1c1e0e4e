#include "mysql/messages.hpp"

#include <algorithm>

namespace sqlgate::mysql {
namespace {

constexpr std::size_t kScrambleLength = 20;
constexpr std::size_t kHandshakeFiller = 19;  // reserved bytes before MariaDB's capabilities
constexpr std::size_t kGreetingFiller = 6;    // likewise in the greeting

template <typename T>
std::optional<T> finished(const ByteReader& r, T value) {
    if (!r.ok() || !r.at_end()) return std::nullopt;
    return value;
}

// The part an SSL request and a handshake response share.
void write_client_capabilities(ByteWriter& w, Capability capabilities, const HandshakeResponse& h) {
    w.u32(bits(capabilities));
    w.u32(h.max_packet_size);
    w.u8(h.collation);
    w.zeros(kHandshakeFiller);
    w.u32(static_cast<std::uint32_t>(h.mariadb_capabilities));
}

}  // namespace

std::optional<OkPacket> parse_ok(ByteView payload) {
    ByteReader r(payload);
    const std::uint8_t header = r.u8();
    if (header != kOkHeader && header != kEofHeader) return std::nullopt;
    OkPacket ok;
    ok.affected_rows = r.lenenc();
    ok.last_insert_id = r.lenenc();
    ok.status = r.u16();
    ok.warnings = r.u16();
    ok.info = r.rest();
    return finished(r, ok);
}

std::optional<ErrPacket> parse_err(ByteView payload) {
    ByteReader r(payload);
    if (r.u8() != kErrHeader) return std::nullopt;
    ErrPacket err;
    err.code = r.u16();
    if (r.peek() == std::uint8_t{'#'}) {
        r.skip(1);
        err.sql_state = r.take(5);
    }
    err.message = r.rest();
    return finished(r, err);
}

std::optional<EofPacket> parse_eof(ByteView payload) {
    ByteReader r(payload);
    if (r.u8() != kEofHeader) return std::nullopt;
    EofPacket eof;
    eof.warnings = r.u16();
    eof.status = r.u16();
    return finished(r, eof);
}

std::optional<ServerGreeting> parse_greeting(ByteView payload) {
    ByteReader r(payload);
    if (r.u8() != 10) return std::nullopt;
    ServerGreeting g;
    g.server_version = r.null_terminated();
    g.connection_id = r.u32();
    const std::string_view part1 = r.take(8);
    r.skip(1);
    std::uint32_t caps = r.u16();
    g.collation = r.u8();
    g.status = r.u16();
    caps |= std::uint32_t{r.u16()} << 16;
    g.capabilities = static_cast<Capability>(caps);
    const std::size_t auth_length = r.u8();
    r.skip(kGreetingFiller);
    const std::uint32_t mariadb = r.u32();
    if (!has(g.capabilities, Capability::long_password)) {
        g.mariadb_capabilities = static_cast<MariadbCapability>(mariadb);
    }
    std::string_view part2;
    if (has(g.capabilities, Capability::secure_connection)) {
        part2 = r.take(std::max<std::size_t>(13, auth_length > 8 ? auth_length - 8 : 0));
        // The scramble is NUL-terminated on the wire; the terminator is not part of it.
        if (!part2.empty() && part2.back() == '\0') part2.remove_suffix(1);
    }
    if (has(g.capabilities, Capability::plugin_auth) && !r.at_end()) {
        g.auth_plugin = r.null_terminated();
    }
    if (!r.ok()) return std::nullopt;
    g.auth_data.assign(part1);
    g.auth_data.append(part2);
    return g;
}

std::optional<HandshakeResponse> parse_handshake_response(ByteView payload) {
    ByteReader r(payload);
    HandshakeResponse h;
    h.capabilities = static_cast<Capability>(r.u32());
    h.max_packet_size = r.u32();
    h.collation = r.u8();
    r.skip(kHandshakeFiller);
    h.mariadb_capabilities = static_cast<MariadbCapability>(r.u32());
    if (!r.ok() || !has(h.capabilities, Capability::protocol_41)) return std::nullopt;
    h.user = r.null_terminated();
    if (has(h.capabilities, Capability::plugin_auth_lenenc_data)) {
        h.auth_response = r.lenenc_string();
    } else if (has(h.capabilities, Capability::secure_connection)) {
        h.auth_response = r.take(r.u8());
    } else {
        h.auth_response = r.null_terminated();
    }
    // Clients may end the packet early when the remaining optional fields are empty.
    if (has(h.capabilities, Capability::connect_with_db) && !r.at_end()) {
        h.database = r.null_terminated();
    }
    if (has(h.capabilities, Capability::plugin_auth) && !r.at_end()) {
        h.auth_plugin = r.null_terminated();
    }
    if (has(h.capabilities, Capability::connect_attrs) && !r.at_end()) {
        h.attributes = r.lenenc_string();
    }
    return finished(r, h);
}

bool is_ssl_request(ByteView payload) {
    if (payload.size() != 4 + 4 + 1 + kHandshakeFiller + 4) return false;
    ByteReader r(payload);
    return has(static_cast<Capability>(r.u32()), Capability::ssl);
}

std::optional<AuthSwitchRequest> parse_auth_switch(ByteView payload) {
    ByteReader r(payload);
    if (r.u8() != kAuthSwitchHeader) return std::nullopt;
    AuthSwitchRequest a;
    a.plugin = r.null_terminated();
    a.data = r.rest();
    if (!a.data.empty() && a.data.back() == '\0') a.data.remove_suffix(1);
    return finished(r, a);
}

std::optional<ChangeUserRequest> parse_change_user(ByteView arguments, Capability capabilities) {
    ByteReader r(arguments);
    ChangeUserRequest c;
    c.user = r.null_terminated();
    c.auth_response =
        has(capabilities, Capability::secure_connection) ? r.take(r.u8()) : r.null_terminated();
    c.database = r.null_terminated();
    // Older clients stop here; the rest is optional.
    if (r.remaining() >= 2) c.collation = static_cast<std::uint8_t>(r.u16());
    if (has(capabilities, Capability::plugin_auth) && !r.at_end()) {
        c.auth_plugin = r.null_terminated();
    }
    if (has(capabilities, Capability::connect_attrs) && !r.at_end()) r.lenenc_string();
    return finished(r, c);
}

void serialize_change_user(Bytes& out, const ChangeUserRequest& c, Capability capabilities) {
    ByteWriter w(out);
    w.null_terminated(c.user);
    w.u8(static_cast<std::uint8_t>(c.auth_response.size()));
    w.raw(c.auth_response);
    w.null_terminated(c.database);
    w.u16(c.collation.value_or(kDefaultCollation));
    if (has(capabilities, Capability::plugin_auth)) w.null_terminated(c.auth_plugin);
    if (has(capabilities, Capability::connect_attrs)) w.lenenc(0);
}

std::optional<ColumnDefinition> parse_column_definition(ByteView payload) {
    ByteReader r(payload);
    ColumnDefinition c;
    r.lenenc_string();  // catalog, always "def"
    c.schema = r.lenenc_string();
    c.table = r.lenenc_string();
    r.lenenc_string();  // org_table
    c.name = r.lenenc_string();
    r.lenenc_string();  // org_name
    // With MariaDB's extended metadata, a block of type facts (format=json) comes next. The
    // fixed-length fields are 0x0c and 12 bytes, so what is not exactly that is the block.
    std::uint64_t fixed_length = r.lenenc();
    if (!(fixed_length == 0x0c && r.remaining() == 12)) {
        ByteReader after_block = r;
        after_block.skip(fixed_length);
        if (after_block.ok() && after_block.peek() == std::uint8_t{0x0c}) {
            r = after_block;
            fixed_length = r.lenenc();
        }
    }
    if (!r.ok() || fixed_length != 0x0c) return std::nullopt;
    c.type.charset = r.u16();
    r.skip(4);  // column length
    c.type.type = r.u8();
    c.type.flags = r.u16();
    r.skip(1 + 2);  // decimals, filler
    // COM_FIELD_LIST replies append the column's default value; it is not needed here.
    if (!r.ok()) return std::nullopt;
    return c;
}

bool parse_text_row(ByteView payload, std::size_t columns,
                    std::vector<std::optional<std::string_view>>& values) {
    ByteReader r(payload);
    values.clear();
    for (std::size_t i = 0; i < columns; ++i)
        values.push_back(r.lenenc_string_or_null());
    return r.ok() && r.at_end();
}

void serialize_ok(Bytes& out, const OkPacket& ok) {
    ByteWriter w(out);
    w.u8(kOkHeader);
    w.lenenc(ok.affected_rows);
    w.lenenc(ok.last_insert_id);
    w.u16(ok.status);
    w.u16(ok.warnings);
    w.raw(ok.info);
}

void serialize_err(Bytes& out, std::uint16_t code, std::string_view sql_state,
                   std::string_view message) {
    ByteWriter w(out);
    w.u8(kErrHeader);
    w.u16(code);
    w.u8('#');
    w.raw(sql_state.substr(0, 5));
    if (sql_state.size() < 5) w.raw(std::string_view("HY000").substr(sql_state.size()));
    w.raw(message);
}

void serialize_eof(Bytes& out, const EofPacket& eof) {
    ByteWriter w(out);
    w.u8(kEofHeader);
    w.u16(eof.warnings);
    w.u16(eof.status);
}

void serialize_greeting(Bytes& out, const ServerGreeting& g) {
    ByteWriter w(out);
    const std::uint32_t caps = bits(g.capabilities);
    const std::string_view scramble = g.auth_data;  // 20 bytes for mysql_native_password
    w.u8(10);
    w.null_terminated(g.server_version);
    w.u32(g.connection_id);
    w.raw(scramble.substr(0, 8));
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(caps));
    w.u8(g.collation);
    w.u16(g.status);
    w.u16(static_cast<std::uint16_t>(caps >> 16));
    w.u8(static_cast<std::uint8_t>(scramble.size() + 1));
    w.zeros(kGreetingFiller);
    const bool mariadb = !has(g.capabilities, Capability::long_password);
    w.u32(mariadb ? static_cast<std::uint32_t>(g.mariadb_capabilities) : 0);
    // Part 2 is at least 13 bytes on the wire: the rest of a 20-byte scramble and a NUL.
    w.null_terminated(scramble.substr(std::min<std::size_t>(8, scramble.size())));
    if (scramble.size() < kScrambleLength)
        w.zeros(kScrambleLength - std::max<std::size_t>(8, scramble.size()));
    w.null_terminated(g.auth_plugin);
}

void serialize_ssl_request(Bytes& out, const HandshakeResponse& h) {
    ByteWriter w(out);
    write_client_capabilities(w, h.capabilities | Capability::ssl, h);
}

void serialize_handshake_response(Bytes& out, const HandshakeResponse& h) {
    ByteWriter w(out);
    write_client_capabilities(w, h.capabilities, h);
    w.null_terminated(h.user);
    if (has(h.capabilities, Capability::plugin_auth_lenenc_data)) {
        w.lenenc_string(h.auth_response);
    } else {
        w.u8(static_cast<std::uint8_t>(h.auth_response.size()));
        w.raw(h.auth_response);
    }
    if (has(h.capabilities, Capability::connect_with_db)) w.null_terminated(h.database);
    if (has(h.capabilities, Capability::plugin_auth)) w.null_terminated(h.auth_plugin);
    if (has(h.capabilities, Capability::connect_attrs)) w.lenenc_string(h.attributes);
}

void serialize_auth_switch(Bytes& out, const AuthSwitchRequest& a) {
    ByteWriter w(out);
    w.u8(kAuthSwitchHeader);
    w.null_terminated(a.plugin);
    w.null_terminated(a.data);
}

void serialize_column_definition(Bytes& out, const ColumnDefinition& c) {
    ByteWriter w(out);
    w.lenenc_string("def");
    w.lenenc_string(c.schema);
    w.lenenc_string(c.table);
    w.lenenc_string(c.table);
    w.lenenc_string(c.name);
    w.lenenc_string(c.name);
    w.lenenc(0x0c);
    w.u16(c.type.charset);
    w.u32(1024);
    w.u8(c.type.type);
    w.u16(c.type.flags);
    w.u8(0);
    w.u16(0);
}

void serialize_text_row(Bytes& out, const std::vector<std::optional<std::string_view>>& values) {
    ByteWriter w(out);
    for (const auto& v : values) {
        if (v) {
            w.lenenc_string(*v);
        } else {
            w.u8(0xfb);
        }
    }
}

void serialize_command(Bytes& out, Command command, std::string_view argument) {
    ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(command));
    w.raw(argument);
}

void serialize_statement_command(Bytes& out, Command command, std::uint32_t statement_id) {
    ByteWriter w(out);
    w.u8(static_cast<std::uint8_t>(command));
    w.u32(statement_id);
}

std::optional<StmtExecuteHead> parse_stmt_execute_head(ByteView payload, std::uint16_t parameters) {
    ByteReader r(payload);
    StmtExecuteHead head;
    if (r.u8() != static_cast<std::uint8_t>(Command::stmt_execute)) return std::nullopt;
    head.statement_id = r.u32();
    head.cursor_flags = r.u8();
    r.u32();  // iteration count, always 1
    if (!r.ok()) return std::nullopt;
    if (parameters == 0) return head;
    r.skip((parameters + 7u) / 8u);  // NULL bitmap
    head.types_flag_offset = payload.size() - r.remaining();
    head.carries_types = r.u8() != 0;
    if (head.carries_types) {
        const std::string_view types = r.take(2u * parameters);
        head.types = as_bytes(types);
    }
    if (!r.ok()) return std::nullopt;
    return head;
}

void serialize_stmt_execute_for(Bytes& out, ByteView payload, const StmtExecuteHead& head,
                                std::uint32_t statement_id, ByteView types) {
    ByteWriter w(out);
    w.u8(payload[0]);
    w.u32(statement_id);
    if (types.empty() || head.carries_types || head.types_flag_offset == 0) {
        w.raw(payload.subspan(5));
        return;
    }
    w.raw(payload.subspan(5, head.types_flag_offset - 5));
    w.u8(1);
    w.raw(types);
    w.raw(payload.subspan(head.types_flag_offset + 1));
}

}  // namespace sqlgate::mysql
