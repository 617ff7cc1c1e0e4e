#include "mysql/response_tracker.hpp"

#include <gtest/gtest.h>

#include "mysql/messages.hpp"
#include "mysql/packet.hpp"

namespace sqlgate::mysql {
namespace {

using Progress = ResponseTracker::Progress;

Bytes ok_payload(std::uint16_t status, std::uint8_t header = kOkHeader) {
    Bytes b;
    serialize_ok(b, {.affected_rows = 2, .last_insert_id = 9, .status = status});
    b[0] = header;
    return b;
}

Bytes eof_payload(std::uint16_t status) {
    Bytes b;
    serialize_eof(b, {.status = status});
    return b;
}

Bytes err_payload() {
    Bytes b;
    serialize_err(b, 1146, "42S02", "Table doesn't exist");
    return b;
}

Bytes column_payload() {
    Bytes b;
    serialize_column_definition(b, {.name = "c"});
    return b;
}

Bytes row_payload(std::string_view v) {
    Bytes b;
    serialize_text_row(b, {v});
    return b;
}

// Feeds whole payloads; returns the progress after each.
std::vector<Progress> feed(ResponseTracker& t, const std::vector<Bytes>& packets) {
    std::vector<Progress> out;
    for (const auto& p : packets) {
        out.push_back(t.on_packet(static_cast<std::uint32_t>(p.size()), p));
    }
    return out;
}

const auto M = Progress::more;
const auto D = Progress::done;

TEST(ResponseTracker, OkEndsTheReply) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(t, {ok_payload(2)}), (std::vector{D}));
    EXPECT_FALSE(t.failed());
    EXPECT_EQ(t.affected_rows(), 2u);
    EXPECT_EQ(t.last_insert_id(), 9u);
    EXPECT_EQ(t.status(), 2);
}

TEST(ResponseTracker, TheLastOkOrEofCountsTheWarnings) {
    ResponseTracker ok(kProxyCapabilities, ReplyShape::result);
    Bytes b;
    serialize_ok(b, {.status = 2, .warnings = 3});
    EXPECT_EQ(feed(ok, {b}), (std::vector{D}));
    EXPECT_EQ(ok.warnings(), 3u);
    ResponseTracker rows(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::result);
    Bytes eof;
    serialize_eof(eof, {.warnings = 1, .status = 2});
    const Bytes count{1};
    EXPECT_EQ(feed(rows, {count, column_payload(), eof_payload(2), row_payload("1"), eof}),
              (std::vector{M, M, M, M, D}));
    EXPECT_EQ(rows.warnings(), 1u);
    ResponseTracker none(kProxyCapabilities, ReplyShape::result);
    feed(none, {ok_payload(2)});
    EXPECT_EQ(none.warnings(), 0u);
}

TEST(ResponseTracker, ErrEndsTheReply) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(t, {err_payload()}), (std::vector{D}));
    EXPECT_TRUE(t.failed());
    EXPECT_EQ(t.error_code(), 1146);
}

TEST(ResponseTracker, ResultSetWithDeprecateEof) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    const auto p = feed(t, {{0x01},
                            column_payload(),
                            row_payload("a"),
                            row_payload("b"),
                            ok_payload(0x22, kEofHeader)});
    EXPECT_EQ(p, (std::vector{M, M, M, M, D}));
    EXPECT_EQ(t.status(), 0x22);
}

TEST(ResponseTracker, ResultSetWithEofPackets) {
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::result);
    const auto p = feed(t, {{0x02},
                            column_payload(),
                            column_payload(),
                            eof_payload(2),
                            row_payload("x"),
                            eof_payload(2)});
    EXPECT_EQ(p, (std::vector{M, M, M, M, M, D}));
}

TEST(ResponseTracker, EmptyResultSet) {
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::result);
    EXPECT_EQ(feed(t, {{0x01}, column_payload(), eof_payload(2), eof_payload(2)}),
              (std::vector{M, M, M, D}));
}

TEST(ResponseTracker, MultipleResultsFollowMoreResultsFlag) {
    const std::uint16_t more = static_cast<std::uint16_t>(ServerStatus::more_results_exist) | 2;
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    const auto p = feed(t, {{0x01},
                            column_payload(),
                            row_payload("1"),
                            ok_payload(more, kEofHeader),
                            ok_payload(more),
                            {0x01},
                            column_payload(),
                            ok_payload(2, kEofHeader)});
    EXPECT_EQ(p, (std::vector{M, M, M, M, M, M, M, D}));
}

TEST(ResponseTracker, ErrorInsideRowsEndsTheReply) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(t, {{0x01}, column_payload(), row_payload("1"), err_payload()}),
              (std::vector{M, M, M, D}));
    EXPECT_TRUE(t.failed());
}

TEST(ResponseTracker, RowStartingWithFeIsNotATerminator) {
    // A row whose first value is 16 MiB long starts with 0xfe and fills a whole packet,
    // followed by a continuation packet.
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    feed(t, {{0x01}, column_payload()});
    const Bytes prefix{0xfe, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0};
    EXPECT_EQ(t.on_packet(kMaxPayload, prefix), M);
    const Bytes tail(10, 'z');
    EXPECT_EQ(t.on_packet(10, tail), M);
    EXPECT_EQ(feed(t, {ok_payload(2, kEofHeader)}), (std::vector{D}));
}

TEST(ResponseTracker, ContinuationStartingWithFeIsNotATerminator) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    feed(t, {{0x01}, column_payload()});
    const Bytes big{0xfd, 0xff, 0xff, 0xff};
    EXPECT_EQ(t.on_packet(kMaxPayload, big), M);
    const Bytes tail{0xfe, 0x00, 0x00};  // looks like a terminator but continues the row
    EXPECT_EQ(t.on_packet(3, tail), M);
    EXPECT_EQ(feed(t, {ok_payload(2, kEofHeader)}), (std::vector{D}));
}

TEST(ResponseTracker, LocalInfileRequestIsMalformed) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(t, {{0xfb, 'f'}}), (std::vector{Progress::malformed}));
}

TEST(ResponseTracker, PacketAfterTheEndIsMalformed) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(t, {ok_payload(2), ok_payload(2)}), (std::vector{D, Progress::malformed}));
}

TEST(ResponseTracker, EmptyFirstPacketIsMalformed) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(t.on_packet(0, {}), Progress::malformed);
}

TEST(ResponseTracker, FieldListEndsWithEof) {
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::column_list);
    EXPECT_EQ(feed(t, {column_payload(), column_payload(), eof_payload(2)}),
              (std::vector{M, M, D}));
}

Bytes prepare_ok(std::uint16_t columns, std::uint16_t params) {
    Bytes b;
    ByteWriter w(b);
    w.u8(0);
    w.u32(7);
    w.u16(columns);
    w.u16(params);
    w.u8(0);
    w.u16(0);
    return b;
}

TEST(ResponseTracker, PrepareWithParametersAndColumns) {
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::prepare);
    const auto p = feed(t, {prepare_ok(2, 1), column_payload(), eof_payload(2), column_payload(),
                            column_payload(), eof_payload(2)});
    EXPECT_EQ(p, (std::vector{M, M, M, M, M, D}));
}

TEST(ResponseTracker, PrepareReportsTheStatementIdAndParameterCount) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::prepare);
    feed(t, {prepare_ok(1, 3), column_payload(), column_payload(), column_payload(),
             column_payload()});
    EXPECT_EQ(t.prepared_statement_id(), 7u);
    EXPECT_EQ(t.prepared_parameters(), 3u);
}

TEST(ResponseTracker, ExecuteThatOpensACursorEndsAfterTheColumns) {
    const std::uint16_t cursor = bits(ServerStatus::cursor_exists) | 2;
    ResponseTracker with_eof(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::execute);
    EXPECT_EQ(feed(with_eof, {{0x01}, column_payload(), eof_payload(cursor)}),
              (std::vector{M, M, D}));
    EXPECT_EQ(with_eof.status(), cursor);
    ResponseTracker without_eof(kProxyCapabilities, ReplyShape::execute);
    EXPECT_EQ(feed(without_eof, {{0x01}, column_payload(), ok_payload(cursor, kEofHeader)}),
              (std::vector{M, M, D}));
}

// A stored program that holds an open cursor (BEGIN NOT ATOMIC ... OPEN c; ... SELECT x)
// sends its text result sets with cursor_exists set (status 0x006a): their rows follow.
TEST(ResponseTracker, TextResultInsideAProgramWithAnOpenCursorHasRows) {
    const std::uint16_t in_program = 0x006a;
    ASSERT_TRUE(has(in_program, ServerStatus::cursor_exists));
    const std::uint16_t more = bits(ServerStatus::more_results_exist) | 2;
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::result);
    EXPECT_EQ(feed(t, {{0x01},
                       column_payload(),
                       eof_payload(in_program),
                       {0x01, '7'},
                       eof_payload(in_program | more),
                       ok_payload(2)}),
              (std::vector{M, M, M, M, M, D}));
    EXPECT_FALSE(t.failed());
    ResponseTracker deprecated(kProxyCapabilities, ReplyShape::result);
    EXPECT_EQ(feed(deprecated, {{0x01},
                                column_payload(),
                                {0x01, '7'},
                                ok_payload(in_program | more, kEofHeader),
                                ok_payload(2)}),
              (std::vector{M, M, M, M, D}));
}

TEST(ResponseTracker, FetchRepliesAreRowsEndedByEof) {
    const std::uint16_t last = bits(ServerStatus::last_row_sent) | 2;
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::rows);
    EXPECT_EQ(feed(t, {{0x00, 0x00, 0x01}, {0x00, 0x00, 0x02}, eof_payload(last)}),
              (std::vector{M, M, D}));
    EXPECT_EQ(t.status(), last);
    ResponseTracker none_left(kProxyCapabilities, ReplyShape::rows);
    EXPECT_EQ(feed(none_left, {ok_payload(last, kEofHeader)}), (std::vector{D}));
    ResponseTracker failed(kProxyCapabilities, ReplyShape::rows);
    EXPECT_EQ(feed(failed, {err_payload()}), (std::vector{D}));
    EXPECT_TRUE(failed.failed());
    EXPECT_EQ(reply_shape_of(Command::stmt_fetch), ReplyShape::rows);
}

TEST(ResponseTracker, PrepareWithDeprecateEof) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::prepare);
    EXPECT_EQ(feed(t, {prepare_ok(1, 2), column_payload(), column_payload(), column_payload()}),
              (std::vector{M, M, M, D}));
}

TEST(ResponseTracker, PrepareWithoutDefinitionsIsOnePacket) {
    ResponseTracker t(kProxyCapabilities & ~Capability::deprecate_eof, ReplyShape::prepare);
    EXPECT_EQ(feed(t, {prepare_ok(0, 0)}), (std::vector{D}));
}

TEST(ResponseTracker, PrepareErrorEndsTheReply) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::prepare);
    EXPECT_EQ(feed(t, {err_payload()}), (std::vector{D}));
    EXPECT_TRUE(t.failed());
}

TEST(ResponseTracker, PrepareWithShortOkIsMalformed) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::prepare);
    EXPECT_EQ(feed(t, {{0x00, 0x01}}), (std::vector{Progress::malformed}));
}

TEST(ResponseTracker, SinglePacketReply) {
    ResponseTracker t(kProxyCapabilities, ReplyShape::single_packet);
    const Bytes text{'U', 'p', 't', 'i', 'm', 'e'};
    EXPECT_EQ(feed(t, {text}), (std::vector{D}));
}

}  // namespace
}  // namespace sqlgate::mysql
