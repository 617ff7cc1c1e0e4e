#include "mysql/messages.hpp"

#include <gtest/gtest.h>

namespace sqlgate::mysql {
namespace {

TEST(Messages, ParsesOk) {
    const Bytes b{0x00, 0x01, 0x05, 0x02, 0x00, 0x03, 0x00};
    const auto ok = parse_ok(b);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->affected_rows, 1u);
    EXPECT_EQ(ok->last_insert_id, 5u);
    EXPECT_EQ(ok->status, 2);
    EXPECT_EQ(ok->warnings, 3);
    EXPECT_EQ(ok->info, "");
}

TEST(Messages, OkRoundTripKeepsInfo) {
    Bytes b;
    serialize_ok(b, {.affected_rows = 300,
                     .last_insert_id = 70000,
                     .status = 0x4002,
                     .warnings = 1,
                     .info = "Rows matched: 1"});
    const auto ok = parse_ok(b);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->affected_rows, 300u);
    EXPECT_EQ(ok->last_insert_id, 70000u);
    EXPECT_EQ(ok->status, 0x4002);
    EXPECT_EQ(ok->info, "Rows matched: 1");
}

TEST(Messages, TruncatedOkIsRejected) {
    const Bytes b{0x00, 0x01, 0x05, 0x02};
    EXPECT_FALSE(parse_ok(b));
}

TEST(Messages, ErrGoldenBytes) {
    Bytes b;
    serialize_err(b, 1047, "08S01", "no");
    EXPECT_EQ(b, (Bytes{0xff, 0x17, 0x04, '#', '0', '8', 'S', '0', '1', 'n', 'o'}));
    const auto e = parse_err(b);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, 1047);
    EXPECT_EQ(e->sql_state, "08S01");
    EXPECT_EQ(e->message, "no");
}

TEST(Messages, ErrWithShortStateIsPadded) {
    Bytes b;
    serialize_err(b, 1, "", "m");
    const auto e = parse_err(b);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->sql_state, "HY000");
}

TEST(Messages, EofGoldenBytesAndTrailingBytesRejected) {
    Bytes b;
    serialize_eof(b, {.warnings = 0, .status = 0x0022});
    EXPECT_EQ(b, (Bytes{0xfe, 0x00, 0x00, 0x22, 0x00}));
    EXPECT_EQ(parse_eof(b)->status, 0x22);
    b.push_back(0);
    EXPECT_FALSE(parse_eof(b));
}

TEST(Messages, GreetingRoundTrip) {
    ServerGreeting g;
    g.server_version = "5.5.5-10.11.6-MariaDB-sqlgate";
    g.connection_id = 42;
    g.auth_data = "abcdefghijklmnopqrst";
    g.capabilities = kProxyCapabilities;
    g.status = 2;
    g.auth_plugin = "mysql_native_password";
    Bytes b;
    serialize_greeting(b, g);
    const auto p = parse_greeting(b);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->server_version, g.server_version);
    EXPECT_EQ(p->connection_id, 42u);
    EXPECT_EQ(p->auth_data, g.auth_data);
    EXPECT_EQ(p->capabilities, kProxyCapabilities);
    EXPECT_EQ(p->collation, kDefaultCollation);
    EXPECT_EQ(p->status, 2);
    EXPECT_EQ(p->auth_plugin, "mysql_native_password");
}

TEST(Messages, GreetingOfOtherProtocolVersionRejected) {
    const Bytes b{9, 'x', 0};
    EXPECT_FALSE(parse_greeting(b));
}

TEST(Messages, HandshakeResponseRoundTrip) {
    HandshakeResponse h;
    h.capabilities = kProxyCapabilities;
    h.max_packet_size = 1 << 24;
    h.collation = 33;
    h.user = "demo";
    h.auth_response = std::string_view("\x01\x02\x00\x04", 4);
    h.database = "main_db";
    h.auth_plugin = "mysql_native_password";
    h.attributes = "\x03_os\x05Linux";
    Bytes b;
    serialize_handshake_response(b, h);
    const auto p = parse_handshake_response(b);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->capabilities, h.capabilities);
    EXPECT_EQ(p->max_packet_size, h.max_packet_size);
    EXPECT_EQ(p->collation, 33);
    EXPECT_EQ(p->user, "demo");
    EXPECT_EQ(p->auth_response, h.auth_response);
    EXPECT_EQ(p->database, "main_db");
    EXPECT_EQ(p->auth_plugin, "mysql_native_password");
    EXPECT_EQ(p->attributes, h.attributes);
}

TEST(Messages, HandshakeResponseWithoutProtocol41Rejected) {
    HandshakeResponse h;
    h.capabilities = Capability::secure_connection;
    h.user = "x";
    Bytes b;
    serialize_handshake_response(b, h);
    EXPECT_FALSE(parse_handshake_response(b));
}

TEST(Messages, HandshakeResponseTruncatedInUserRejected) {
    HandshakeResponse h;
    h.capabilities = kRequiredClientCapabilities;
    h.user = "someone";
    Bytes b;
    serialize_handshake_response(b, h);
    b.resize(4 + 4 + 1 + 23 + 3);
    EXPECT_FALSE(parse_handshake_response(b));
}

TEST(Messages, SslRequestIsRecognisedByLengthAndFlag) {
    Bytes b;
    ByteWriter w(b);
    w.u32(bits(kRequiredClientCapabilities | Capability::ssl));
    w.u32(0);
    w.u8(45);
    w.zeros(23);
    EXPECT_TRUE(is_ssl_request(b));
    b.push_back(0);
    EXPECT_FALSE(is_ssl_request(b));
}

TEST(Messages, AuthSwitchRoundTrip) {
    Bytes b;
    serialize_auth_switch(b, {.plugin = "mysql_native_password", .data = "01234567890123456789"});
    EXPECT_EQ(b.front(), 0xfe);
    const auto a = parse_auth_switch(b);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->plugin, "mysql_native_password");
    EXPECT_EQ(a->data, "01234567890123456789");
}

TEST(Messages, ColumnDefinitionAndTextRowRoundTrip) {
    Bytes col;
    serialize_column_definition(col, {.schema = "s", .table = "t", .name = "@@server_id"});
    const auto c = parse_column_definition(col);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->name, "@@server_id");
    EXPECT_EQ(c->table, "t");

    Bytes row;
    serialize_text_row(row, {std::string_view("3"), std::nullopt, std::string_view("")});
    std::vector<std::optional<std::string_view>> values;
    ASSERT_TRUE(parse_text_row(row, 3, values));
    EXPECT_EQ(values[0], "3");
    EXPECT_EQ(values[1], std::nullopt);
    EXPECT_EQ(values[2], "");
    EXPECT_FALSE(parse_text_row(row, 2, values));  // trailing value
    EXPECT_FALSE(parse_text_row(row, 4, values));  // missing value
}

TEST(Messages, ChangeUserRoundTrip) {
    const auto caps = kProxyCapabilities;
    Bytes b;
    serialize_change_user(b,
                          {.user = "other",
                           .auth_response = std::string_view("\x00\x01\x02", 3),
                           .database = "db",
                           .collation = 8,
                           .auth_plugin = "mysql_native_password"},
                          caps);
    const auto c = parse_change_user(b, caps);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "other");
    EXPECT_EQ(c->auth_response.size(), 3u);
    EXPECT_EQ(c->database, "db");
    EXPECT_EQ(c->collation, 8);
    EXPECT_EQ(c->auth_plugin, "mysql_native_password");
    b.pop_back();  // attributes cut short
    b.back() = 'x';
    EXPECT_FALSE(parse_change_user(b, caps));
}

TEST(Messages, ChangeUserOfOldClientsEndsAfterTheDatabase) {
    const Bytes b{'u', 0, 0, 'd', 0};
    const auto c = parse_change_user(b, Capability::secure_connection);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "u");
    EXPECT_EQ(c->database, "d");
    EXPECT_FALSE(c->collation);
}

// COM_STMT_EXECUTE of statement 7 with two parameters, the first NULL.
Bytes execute_packet(bool with_types) {
    Bytes b;
    ByteWriter w(b);
    w.u8(0x17);
    w.u32(7);
    w.u8(0);     // no cursor
    w.u32(1);    // iterations
    w.u8(0x01);  // NULL bitmap: the first parameter
    w.u8(with_types ? 1 : 0);
    if (with_types) w.raw(Bytes{0x08, 0x00, 0xfe, 0x00});
    w.lenenc_string("hi");
    return b;
}

TEST(Messages, ExecuteHeadFindsTheStatementAndItsTypes) {
    const Bytes typed = execute_packet(true);
    const auto head = parse_stmt_execute_head(typed, 2);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->statement_id, 7u);
    EXPECT_EQ(head->cursor_flags, 0);
    EXPECT_EQ(head->types_flag_offset, 11u);
    EXPECT_TRUE(head->carries_types);
    EXPECT_EQ(Bytes(head->types.begin(), head->types.end()), (Bytes{0x08, 0x00, 0xfe, 0x00}));
    const Bytes untyped = execute_packet(false);
    const auto bare = parse_stmt_execute_head(untyped, 2);
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->carries_types);
    EXPECT_TRUE(bare->types.empty());
    // Without parameters nothing follows the iteration count.
    const Bytes none{0x17, 9, 0, 0, 0, 0x01, 1, 0, 0, 0};
    const auto cursor = parse_stmt_execute_head(none, 0);
    ASSERT_TRUE(cursor);
    EXPECT_EQ(cursor->cursor_flags, 1);
    EXPECT_EQ(cursor->types_flag_offset, 0u);
}

TEST(Messages, TruncatedExecuteIsRejected) {
    const Bytes typed = execute_packet(true);
    EXPECT_FALSE(parse_stmt_execute_head(ByteView(typed).first(13), 2));  // types cut short
    EXPECT_FALSE(parse_stmt_execute_head(ByteView(typed).first(8), 0));   // no iteration count
    EXPECT_FALSE(parse_stmt_execute_head(Bytes{0x03, 1, 0, 0, 0, 0, 1, 0, 0, 0}, 0));
}

TEST(Messages, ExecuteForAnotherServerGetsItsIdAndTheTypes) {
    const Bytes untyped = execute_packet(false);
    const auto head = parse_stmt_execute_head(untyped, 2);
    ASSERT_TRUE(head);
    const Bytes types{0x08, 0x00, 0xfe, 0x00};
    Bytes out;
    serialize_stmt_execute_for(out, untyped, *head, 0x01020304, types);
    Bytes expected = execute_packet(true);
    expected[1] = 0x04, expected[2] = 0x03, expected[3] = 0x02, expected[4] = 0x01;
    EXPECT_EQ(out, expected);
    // A packet with types of its own keeps them; only the id changes.
    const Bytes typed = execute_packet(true);
    const auto typed_head = parse_stmt_execute_head(typed, 2);
    out.clear();
    serialize_stmt_execute_for(out, typed, *typed_head, 0x01020304, Bytes{0x03, 0x00, 0x03, 0x00});
    EXPECT_EQ(out, expected);
    out.clear();
    serialize_statement_command(out, Command::stmt_close, 5);
    EXPECT_EQ(out, (Bytes{0x19, 5, 0, 0, 0}));
}

TEST(Messages, CommandNames) {
    EXPECT_EQ(command_name(0x03), "COM_QUERY");
    EXPECT_EQ(command_name(0x16), "COM_STMT_PREPARE");
    EXPECT_EQ(command_name(0x1f), "COM_RESET_CONNECTION");
    EXPECT_EQ(command_name(0xfa), "COM_STMT_BULK_EXECUTE");
    EXPECT_EQ(command_name(0x77), "COM_UNKNOWN");
}

}  // namespace
}  // namespace sqlgate::mysql
