#include "mysql/session_changes.hpp"

#include "mysql/constants.hpp"

namespace sqlgate::mysql {

bool SessionChangeFilter::edit(ByteView payload, Bytes& out) {
    constexpr std::size_t kEofSize = 5;  // header, warnings, status
    if (payload.size() == kEofSize && payload[0] == kEofHeader) {
        if (settings_.client_tracks_state && !settings_.hide_last_gtid) return false;
        out.assign(payload.begin(), payload.end());
        const std::uint16_t status = static_cast<std::uint16_t>(out[3] | out[4] << 8) &
                                     ~bits(ServerStatus::session_state_changed);
        out[3] = static_cast<std::uint8_t>(status & 0xff);
        out[4] = static_cast<std::uint8_t>(status >> 8);
        return true;
    }
    ByteReader r(payload);
    const std::uint8_t header = r.u8();
    r.lenenc();  // affected rows
    r.lenenc();  // last insert id
    const std::uint16_t status = r.u16();
    r.u16();  // warnings
    if (!r.ok() || (header != kOkHeader && header != kEofHeader) ||
        !has(status, ServerStatus::session_state_changed)) {
        return false;
    }
    const std::size_t fixed_size = payload.size() - r.remaining();
    const std::string_view info = r.lenenc_string();
    const std::string_view block = r.lenenc_string();
    if (!r.ok() || !r.at_end()) return false;

    // One entry per change: a type byte and its data; a system variable's data is its name
    // and value.
    state_.clear();
    ByteWriter kept(state_);
    bool hidden = false;
    ByteReader entries(as_bytes(block));
    while (!entries.at_end()) {
        const std::uint8_t type = entries.u8();
        const std::string_view data = entries.lenenc_string();
        if (!entries.ok()) return false;
        if (type == static_cast<std::uint8_t>(SessionTrackType::system_variables)) {
            ByteReader variable(as_bytes(data));
            const std::string_view name = variable.lenenc_string();
            const std::string_view value = variable.lenenc_string();
            if (variable.ok() && variable.at_end() && name == "last_gtid") {
                last_gtid_.assign(value);
                if (settings_.hide_last_gtid) {
                    hidden = true;
                    continue;
                }
            }
        }
        kept.u8(type);
        kept.lenenc_string(data);
    }
    if (settings_.client_tracks_state && !hidden) return false;

    // What the server sends when nothing (more) changed: the info only if there is one,
    // and the status without SERVER_SESSION_STATE_CHANGED.
    out.assign(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(fixed_size));
    const bool reports_state = settings_.client_tracks_state && !state_.empty();
    ByteWriter w(out);
    if (reports_state) {
        w.lenenc_string(info);
        w.lenenc_string(as_chars(state_));
    } else {
        const std::uint16_t cleared = status & ~bits(ServerStatus::session_state_changed);
        out[fixed_size - 4] = static_cast<std::uint8_t>(cleared & 0xff);
        out[fixed_size - 3] = static_cast<std::uint8_t>(cleared >> 8);
        if (!info.empty()) w.lenenc_string(info);
    }
    return true;
}

}  // namespace sqlgate::mysql
