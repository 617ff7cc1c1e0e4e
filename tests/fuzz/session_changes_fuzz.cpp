// Fuzzes SessionChangeFilter over a stream of OK and EOF packets from one backend: whatever it
// edits must still be the packet the client expects, and a hidden last_gtid must stay hidden.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "mysql/constants.hpp"
#include "mysql/messages.hpp"
#include "mysql/session_changes.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::next_packet;
using sqlgate::fuzz::require;
using namespace sqlgate::mysql;

void check_edited(ByteView payload, const Bytes& out, SessionChangeFilter::Settings settings) {
    const bool session_state_changed = [&] {
        if (payload.size() == 5 && payload[0] == kEofHeader) {
            const auto eof = parse_eof(out);
            require(eof.has_value(), "an edited EOF is not an EOF");
            return has(eof->status, ServerStatus::session_state_changed);
        }
        const auto ok = parse_ok(out);
        const auto original = parse_ok(payload);
        require(ok && original, "an edited OK packet does not parse, or its original did not");
        require(ok->affected_rows == original->affected_rows &&
                    ok->last_insert_id == original->last_insert_id &&
                    ok->warnings == original->warnings && out[0] == payload[0],
                "editing an OK packet changed more than its session state");
        return has(ok->status, ServerStatus::session_state_changed);
    }();
    require(!session_state_changed || settings.client_tracks_state,
            "a client that tracks no session state is told it changed");

    if (settings.hide_last_gtid) {
        // Read by a filter that would remember last_gtid: none may be left in the packet.
        SessionChangeFilter reader;
        reader.configure({.client_tracks_state = true, .hide_last_gtid = true});
        Bytes ignored;
        reader.edit(out, ignored);
        require(reader.last_gtid().empty(), "a hidden last_gtid reached the client");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    const SessionChangeFilter::Settings settings{.client_tracks_state = (choice & 1) != 0,
                                                 .hide_last_gtid = (choice & 2) != 0};
    SessionChangeFilter filter;
    filter.configure(settings);
    Bytes out;
    while (const auto packet = next_packet(in)) {
        if ((packet->sequence & 0x0f) == 0x0f) filter.forget_gtid();
        out.clear();
        if (filter.edit(packet->payload, out)) check_edited(packet->payload, out, settings);
    }
    return 0;
}
