// SessionChangeFilter: the OK packets a client gets from a backend connection that tracks
// last_gtid for the proxy are the ones the server would have sent that client.
#include "mysql/session_changes.hpp"

#include <gtest/gtest.h>

#include "mysql/constants.hpp"

namespace sqlgate::mysql {
namespace {

constexpr std::uint16_t kChanged = bits(ServerStatus::session_state_changed);
constexpr std::uint16_t kAutocommit = bits(ServerStatus::autocommit);

Bytes system_variable(std::string_view name, std::string_view value) {
    Bytes data;
    ByteWriter d(data);
    d.lenenc_string(name);
    d.lenenc_string(value);
    Bytes entry;
    ByteWriter e(entry);
    e.u8(static_cast<std::uint8_t>(SessionTrackType::system_variables));
    e.lenenc_string(as_chars(data));
    return entry;
}

Bytes schema(std::string_view name) {
    Bytes data;
    ByteWriter(data).lenenc_string(name);
    Bytes entry;
    ByteWriter e(entry);
    e.u8(static_cast<std::uint8_t>(SessionTrackType::schema));
    e.lenenc_string(as_chars(data));
    return entry;
}

// An OK as MariaDB writes it to a client with CLIENT_SESSION_TRACK: the info when there is
// one or when state changed, then the state block.
Bytes ok_packet(std::uint16_t status, std::string_view info, const std::vector<Bytes>& entries,
                std::uint8_t header = kOkHeader) {
    Bytes out;
    ByteWriter w(out);
    w.u8(header);
    w.lenenc(3);    // affected rows
    w.lenenc(300);  // last insert id: a 3-byte lenenc, so offsets are not fixed
    w.u16(status);
    w.u16(1);  // warnings
    if (has(status, ServerStatus::session_state_changed)) {
        w.lenenc_string(info);
        Bytes block;
        for (const Bytes& e : entries)
            block.insert(block.end(), e.begin(), e.end());
        w.lenenc_string(as_chars(block));
    } else if (!info.empty()) {
        w.lenenc_string(info);
    }
    return out;
}

TEST(SessionChangeFilter, HidesTheLastGtidItAddedAndKeepsTheRest) {
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = true, .hide_last_gtid = true});
    const Bytes in = ok_packet(kAutocommit | kChanged, "Rows matched: 3",
                               {schema("app"), system_variable("last_gtid", "0-1-42"),
                                system_variable("autocommit", "ON")});
    Bytes out;
    ASSERT_TRUE(filter.edit(in, out));
    EXPECT_EQ(out, ok_packet(kAutocommit | kChanged, "Rows matched: 3",
                             {schema("app"), system_variable("autocommit", "ON")}));
    EXPECT_EQ(filter.last_gtid(), "0-1-42");
}

TEST(SessionChangeFilter, AnOkThatReportedOnlyTheGtidBecomesAPlainOk) {
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = true, .hide_last_gtid = true});
    Bytes out;
    ASSERT_TRUE(filter.edit(
        ok_packet(kAutocommit | kChanged, "", {system_variable("last_gtid", "0-1-7")}), out));
    EXPECT_EQ(out, ok_packet(kAutocommit, "", {}));
    // With an info string the info stays, as the server writes it when nothing changed.
    ASSERT_TRUE(filter.edit(ok_packet(kAutocommit | kChanged, "Records: 2  Duplicates: 0",
                                      {system_variable("last_gtid", "0-1-8")}),
                            out));
    EXPECT_EQ(out, ok_packet(kAutocommit, "Records: 2  Duplicates: 0", {}));
    EXPECT_EQ(filter.last_gtid(), "0-1-8");
}

TEST(SessionChangeFilter, AnOkEndingRowsIsEditedTheSameWay) {
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = true, .hide_last_gtid = true});
    Bytes out;
    ASSERT_TRUE(filter.edit(
        ok_packet(kChanged, "", {system_variable("last_gtid", "0-1-9")}, kEofHeader), out));
    EXPECT_EQ(out, ok_packet(0, "", {}, kEofHeader));
}

TEST(SessionChangeFilter, AClientWithoutSessionTrackingGetsNoStateAtAll) {
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = false, .hide_last_gtid = false});
    Bytes out;
    ASSERT_TRUE(filter.edit(ok_packet(kAutocommit | kChanged, "",
                                      {schema("app"), system_variable("last_gtid", "0-2-5")}),
                            out));
    EXPECT_EQ(out, ok_packet(kAutocommit, "", {}));
    EXPECT_EQ(filter.last_gtid(), "0-2-5");
}

TEST(SessionChangeFilter, WhatTheClientAskedForGoesAsItIs) {
    SessionChangeFilter filter;
    // The client tracks last_gtid itself (or the server does by default): nothing hidden,
    // but the GTID is still read.
    filter.configure({.client_tracks_state = true, .hide_last_gtid = false});
    Bytes out;
    EXPECT_FALSE(filter.edit(
        ok_packet(kChanged, "", {system_variable("last_gtid", "0-1-11"), schema("app")}), out));
    EXPECT_EQ(filter.last_gtid(), "0-1-11");
    filter.forget_gtid();
    EXPECT_TRUE(filter.last_gtid().empty());
    // Nothing of ours in it: unchanged even when hiding.
    filter.configure({.client_tracks_state = true, .hide_last_gtid = true});
    EXPECT_FALSE(filter.edit(ok_packet(kChanged, "", {schema("app")}), out));
    EXPECT_FALSE(filter.edit(ok_packet(kAutocommit, "", {}), out));
    EXPECT_TRUE(filter.last_gtid().empty());
}

// An EOF ending the rows of INSERT ... RETURNING has the flag set by last_gtid alone.
TEST(SessionChangeFilter, AnEofLosesTheFlagWhenTheClientCouldNotHaveCausedIt) {
    const Bytes eof{kEofHeader, 0, 0, 0x02, 0x40};  // autocommit | session_state_changed
    const Bytes plain{kEofHeader, 0, 0, 0x02, 0x00};
    Bytes out;
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = true, .hide_last_gtid = true});
    ASSERT_TRUE(filter.edit(eof, out));
    EXPECT_EQ(out, plain);
    filter.configure({.client_tracks_state = false, .hide_last_gtid = false});
    ASSERT_TRUE(filter.edit(eof, out));
    EXPECT_EQ(out, plain);
    filter.configure({.client_tracks_state = true, .hide_last_gtid = false});
    EXPECT_FALSE(filter.edit(eof, out));
}

TEST(SessionChangeFilter, MalformedPacketsGoAsTheyAre) {
    SessionChangeFilter filter;
    filter.configure({.client_tracks_state = false, .hide_last_gtid = true});
    Bytes in = ok_packet(kChanged, "", {system_variable("last_gtid", "0-1-1")});
    in.pop_back();  // the state block is cut short
    Bytes out;
    EXPECT_FALSE(filter.edit(in, out));
    Bytes trailing = ok_packet(kChanged, "", {system_variable("last_gtid", "0-1-1")});
    trailing.push_back(0);
    EXPECT_FALSE(filter.edit(trailing, out));
    EXPECT_FALSE(filter.edit(Bytes{kErrHeader, 0x15, 0x04}, out));
    EXPECT_FALSE(filter.edit(Bytes{}, out));
}

}  // namespace
}  // namespace sqlgate::mysql
