// The session-state changes a server reports in its OK packets (CLIENT_SESSION_TRACK), and
// the filter that hides what a proxy asked a server to track but its client did not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mysql/wire.hpp"

namespace sqlgate::mysql {

// Entry types of the session state block (the protocol's SESSION_TRACK_*).
enum class SessionTrackType : std::uint8_t {
    system_variables = 0,
    schema = 1,
    state_change = 2,
    gtids = 3,
    transaction_characteristics = 4,
    transaction_state = 5,
};

// Edits the OK packets of one backend connection that logs in with session tracking and
// tracks `last_gtid` for the proxy's read-your-writes, so that its client sees exactly what
// the server would have sent it: no `last_gtid` entry unless the client asked for it, and no
// session state at all unless the client negotiated CLIENT_SESSION_TRACK.
class SessionChangeFilter {
  public:
    struct Settings {
        bool client_tracks_state = true;  // the client negotiated CLIENT_SESSION_TRACK
        bool hide_last_gtid = false;      // the proxy, not the client, asked for last_gtid
    };
    void configure(Settings settings) { settings_ = settings; }
    const Settings& settings() const { return settings_; }

    // `payload` is an OK packet (header 0x00, or 0xfe ending rows) or an EOF whose status
    // says the session state changed. Writes the packet the client gets into `out` and
    // returns true, or returns false when it goes as it is (also when it is not well formed:
    // the client's own parser then reports it). Remembers a `last_gtid` the packet reports.
    // An EOF cannot carry the changes, only the flag: it is cleared whenever the client could
    // not have caused it (no session tracking) or the proxy's last_gtid may have (a statement
    // that returned rows and committed, such as INSERT ... RETURNING).
    bool edit(ByteView payload, Bytes& out);

    // The last `last_gtid` value seen since forget_gtid (empty: none).
    const std::string& last_gtid() const { return last_gtid_; }
    void forget_gtid() { last_gtid_.clear(); }

  private:
    Settings settings_;
    std::string last_gtid_;
    Bytes state_;  // scratch: the state block as the client gets it
};

}  // namespace sqlgate::mysql
