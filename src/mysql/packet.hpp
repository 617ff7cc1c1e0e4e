// Packet framing: a 4-byte header (3-byte payload length, 1-byte sequence id) before each
// payload; payloads of 16 MiB - 1 or more are split over several packets.
#pragma once

#include <cstdint>

#include "mysql/wire.hpp"

namespace sqlgate::mysql {

constexpr std::size_t kHeaderSize = 4;
// A packet with this payload length is followed by a continuation packet of the same
// message (possibly empty).
constexpr std::uint32_t kMaxPayload = 0xffffff;

struct PacketHeader {
    std::uint32_t length = 0;
    std::uint8_t sequence = 0;
};

inline PacketHeader decode_header(const std::uint8_t* p) {
    return {std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16, p[3]};
}

inline void encode_header(std::uint8_t* out, std::uint32_t length, std::uint8_t sequence) {
    out[0] = static_cast<std::uint8_t>(length);
    out[1] = static_cast<std::uint8_t>(length >> 8);
    out[2] = static_cast<std::uint8_t>(length >> 16);
    out[3] = sequence;
}

// Appends `payload` framed as packets starting at `sequence` (split at kMaxPayload, with an
// empty final packet when the length is a multiple of it). Returns the next sequence id.
std::uint8_t append_framed(Bytes& out, ByteView payload, std::uint8_t sequence);

}  // namespace sqlgate::mysql
