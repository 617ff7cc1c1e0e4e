#include "mysql/packet.hpp"

#include <gtest/gtest.h>

namespace sqlgate::mysql {
namespace {

TEST(Packet, HeaderRoundTrip) {
    std::uint8_t h[4];
    encode_header(h, 0x123456, 7);
    EXPECT_EQ(h[0], 0x56);
    EXPECT_EQ(h[1], 0x34);
    EXPECT_EQ(h[2], 0x12);
    EXPECT_EQ(h[3], 7);
    const PacketHeader d = decode_header(h);
    EXPECT_EQ(d.length, 0x123456u);
    EXPECT_EQ(d.sequence, 7);
}

TEST(Packet, SmallPayloadIsOnePacket) {
    const Bytes payload{0x03, 'S', 'E', 'L'};
    Bytes out;
    EXPECT_EQ(append_framed(out, payload, 0), 1);
    EXPECT_EQ(out, (Bytes{4, 0, 0, 0, 0x03, 'S', 'E', 'L'}));
}

TEST(Packet, EmptyPayloadIsOneEmptyPacket) {
    Bytes out;
    EXPECT_EQ(append_framed(out, {}, 3), 4);
    EXPECT_EQ(out, (Bytes{0, 0, 0, 3}));
}

TEST(Packet, PayloadOfExactlyMaxIsFollowedByAnEmptyPacket) {
    const Bytes payload(kMaxPayload, 'x');
    Bytes out;
    EXPECT_EQ(append_framed(out, payload, 0), 2);
    ASSERT_EQ(out.size(), kMaxPayload + 2 * kHeaderSize);
    EXPECT_EQ(decode_header(out.data()).length, kMaxPayload);
    const PacketHeader tail = decode_header(out.data() + kHeaderSize + kMaxPayload);
    EXPECT_EQ(tail.length, 0u);
    EXPECT_EQ(tail.sequence, 1);
}

TEST(Packet, LargePayloadIsSplitWithRisingSequence) {
    const std::size_t size = 2 * std::size_t{kMaxPayload} + 10;  // about 32 MiB
    const Bytes payload(size, 'y');
    Bytes out;
    EXPECT_EQ(append_framed(out, payload, 250), static_cast<std::uint8_t>(253));
    std::size_t at = 0;
    std::size_t total = 0;
    std::uint8_t expected_seq = 250;
    for (int i = 0; i < 3; ++i) {
        const PacketHeader h = decode_header(out.data() + at);
        EXPECT_EQ(h.sequence, expected_seq++);
        total += h.length;
        at += kHeaderSize + h.length;
    }
    EXPECT_EQ(total, size);
    EXPECT_EQ(at, out.size());
}

}  // namespace
}  // namespace sqlgate::mysql
