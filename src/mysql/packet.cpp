#include "mysql/packet.hpp"

#include <algorithm>

namespace sqlgate::mysql {

std::uint8_t append_framed(Bytes& out, ByteView payload, std::uint8_t sequence) {
    std::size_t offset = 0;
    for (;;) {
        const auto chunk =
            static_cast<std::uint32_t>(std::min<std::size_t>(payload.size() - offset, kMaxPayload));
        const std::size_t at = out.size();
        out.resize(at + kHeaderSize);
        encode_header(out.data() + at, chunk, sequence++);
        out.insert(out.end(), payload.begin() + offset, payload.begin() + offset + chunk);
        offset += chunk;
        if (chunk < kMaxPayload) return sequence;
    }
}

}  // namespace sqlgate::mysql
