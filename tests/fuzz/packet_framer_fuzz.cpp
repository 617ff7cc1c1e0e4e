// Fuzzes the packet framing: a byte stream split at its headers and joined into messages as
// PacketChannel::read_message joins them, then framed again by append_framed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "mysql/packet.hpp"

namespace {

using sqlgate::fuzz::require;
using namespace sqlgate::mysql;

struct Message {
    Bytes payload;
    std::uint8_t first_sequence = 0;
    std::uint8_t last_sequence = 0;
    bool consecutive = true;  // each split packet's id follows the previous one's
    ByteView wire;            // the packets as they arrived
};

// The messages that arrived whole: a packet of kMaxPayload continues into the next one.
std::vector<Message> split_messages(ByteView stream) {
    std::vector<Message> messages;
    Message current;
    bool open = false;
    std::size_t start = 0;
    std::size_t pos = 0;
    while (stream.size() - pos >= kHeaderSize) {
        const PacketHeader header = decode_header(stream.data() + pos);
        if (stream.size() - pos - kHeaderSize < header.length) break;
        if (!open) {
            current = Message{.first_sequence = header.sequence};
            start = pos;
            open = true;
        } else if (header.sequence != static_cast<std::uint8_t>(current.last_sequence + 1)) {
            current.consecutive = false;
        }
        current.last_sequence = header.sequence;
        const auto body = stream.subspan(pos + kHeaderSize, header.length);
        current.payload.insert(current.payload.end(), body.begin(), body.end());
        pos += kHeaderSize + header.length;
        if (header.length < kMaxPayload) {
            current.wire = stream.subspan(start, pos - start);
            messages.push_back(std::move(current));
            open = false;
        }
    }
    return messages;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView stream(data, size);
    for (const Message& message : split_messages(stream)) {
        if (!message.consecutive) continue;  // read_message refuses those
        Bytes framed;
        const std::uint8_t next = append_framed(framed, message.payload, message.first_sequence);
        require(std::equal(framed.begin(), framed.end(), message.wire.begin(), message.wire.end()),
                "a message framed again differs from the packets it came in");
        require(next == static_cast<std::uint8_t>(message.last_sequence + 1),
                "append_framed returned the wrong next sequence id");
    }

    // The whole input as one payload: framing it and splitting it again gives it back.
    const std::uint8_t first_sequence = size > 0 ? data[0] : 0;
    Bytes framed;
    append_framed(framed, stream, first_sequence);
    const std::vector<Message> again = split_messages(framed);
    require(again.size() == 1 && again[0].payload.size() == size &&
                std::equal(again[0].payload.begin(), again[0].payload.end(), data) &&
                again[0].first_sequence == first_sequence && again[0].wire.size() == framed.size(),
            "a framed payload does not split back into itself");
    return 0;
}
