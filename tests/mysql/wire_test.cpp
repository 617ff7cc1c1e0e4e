#include "mysql/wire.hpp"

#include <gtest/gtest.h>

namespace sqlgate::mysql {
namespace {

struct LenencCase {
    std::uint64_t value;
    Bytes bytes;
};

class LenencTest : public ::testing::TestWithParam<LenencCase> {};

TEST_P(LenencTest, EncodesAndDecodes) {
    const auto& c = GetParam();
    Bytes out;
    ByteWriter(out).lenenc(c.value);
    EXPECT_EQ(out, c.bytes);
    ByteReader r(c.bytes);
    EXPECT_EQ(r.lenenc(), c.value);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
}

INSTANTIATE_TEST_SUITE_P(
    Wire, LenencTest,
    ::testing::Values(LenencCase{0, {0x00}}, LenencCase{250, {0xfa}},
                      LenencCase{251, {0xfc, 0xfb, 0x00}}, LenencCase{0xffff, {0xfc, 0xff, 0xff}},
                      LenencCase{0x10000, {0xfd, 0x00, 0x00, 0x01}},
                      LenencCase{0xffffff, {0xfd, 0xff, 0xff, 0xff}},
                      LenencCase{0x1000000, {0xfe, 0, 0, 0, 1, 0, 0, 0, 0}},
                      LenencCase{0x0102030405060708ull, {0xfe, 8, 7, 6, 5, 4, 3, 2, 1}}));

TEST(Wire, ReaderFailsPastTheEndAndStaysFailed) {
    const Bytes b{0x01, 0x02, 0x03};
    ByteReader r(b);
    EXPECT_EQ(r.u16(), 0x0201);
    EXPECT_EQ(r.u16(), 0);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.u8(), 0);
    EXPECT_FALSE(r.ok());
}

TEST(Wire, TruncatedLenencIsAnError) {
    const Bytes b{0xfd, 0x01};
    ByteReader r(b);
    r.lenenc();
    EXPECT_FALSE(r.ok());
}

TEST(Wire, LenencStringLongerThanDataIsAnError) {
    const Bytes b{0x05, 'a', 'b'};
    ByteReader r(b);
    EXPECT_EQ(r.lenenc_string(), "");
    EXPECT_FALSE(r.ok());
}

TEST(Wire, NullMarkerInRows) {
    const Bytes b{0xfb, 0x02, 'h', 'i'};
    ByteReader r(b);
    EXPECT_EQ(r.lenenc_string_or_null(), std::nullopt);
    EXPECT_EQ(r.lenenc_string_or_null(), "hi");
    EXPECT_TRUE(r.at_end());
}

TEST(Wire, NullTerminatedNeedsTheTerminator) {
    const Bytes good{'a', 'b', 0, 'c'};
    ByteReader r(good);
    EXPECT_EQ(r.null_terminated(), "ab");
    EXPECT_EQ(r.rest(), "c");
    const Bytes bad{'a', 'b'};
    ByteReader r2(bad);
    r2.null_terminated();
    EXPECT_FALSE(r2.ok());
}

TEST(Wire, FixedWidthLittleEndian) {
    Bytes out;
    ByteWriter w(out);
    w.u16(0x0102);
    w.u24(0x030405);
    w.u32(0x06070809);
    EXPECT_EQ(out, (Bytes{0x02, 0x01, 0x05, 0x04, 0x03, 0x09, 0x08, 0x07, 0x06}));
}

}  // namespace
}  // namespace sqlgate::mysql
