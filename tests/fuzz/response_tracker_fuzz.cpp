// Fuzzes ResponseTracker as PacketChannel::relay_reply drives it: a reply split into packets,
// each given by its declared length and the first kInspectBytes of its payload.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "mysql/constants.hpp"
#include "mysql/response_tracker.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using namespace sqlgate::mysql;
using Progress = ResponseTracker::Progress;
using Kind = ResponseTracker::PacketKind;

constexpr ReplyShape kShapes[] = {ReplyShape::result,      ReplyShape::execute,
                                  ReplyShape::column_list, ReplyShape::single_packet,
                                  ReplyShape::prepare,     ReplyShape::rows};

// Packets in the input: a 3-byte length, then the payload's first bytes (at most
// kInspectBytes, which is all the tracker reads), so split and huge packets cost nothing.
struct TrackedPacket {
    std::uint32_t length = 0;
    ByteView prefix;
};

bool next_tracked(FuzzInput& in, TrackedPacket& packet) {
    if (in.size() < 3) return false;
    packet.length = in.u24();
    const std::size_t wanted = packet.length < ResponseTracker::kInspectBytes
                                   ? packet.length
                                   : ResponseTracker::kInspectBytes;
    packet.prefix = in.take(wanted);
    return packet.prefix.size() == wanted;  // the relay waits for these bytes
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    const ReplyShape shape = kShapes[(choice & 0x7f) % std::size(kShapes)];
    const Capability capabilities =
        (choice & 0x80) != 0 ? kProxyCapabilities : kProxyCapabilities & ~Capability::deprecate_eof;
    ResponseTracker tracker(capabilities, shape);

    TrackedPacket packet;
    Progress progress = Progress::more;
    while (progress == Progress::more && next_tracked(in, packet)) {
        progress = tracker.on_packet(packet.length, packet.prefix);
    }
    if (progress == Progress::done) {
        require(!tracker.failed() || tracker.last_kind() == Kind::err,
                "a failed reply did not end with ERR");
        require(!tracker.session_status() || !tracker.failed(),
                "a failed reply reports session status");
        // Whatever follows is not part of this reply; the tracker must say so, not trip.
        if (next_tracked(in, packet)) tracker.on_packet(packet.length, packet.prefix);
    }
    tracker.ended_with_ok();
    tracker.reports_session_change();
    tracker.affected_rows();
    tracker.last_insert_id();
    tracker.prepared_statement_id();
    tracker.prepared_parameters();
    tracker.error_code();
    tracker.status();
    return 0;
}
