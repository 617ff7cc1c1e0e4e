// How a listener's client connections fared before they became sessions: refusals by reason
// and TLS handshakes, counted by the engine and the HTTP API and exported by every role.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace sqlgate::obs {

enum class ConnectionRefusal : std::uint8_t {
    source_not_allowed,       // the listener's allowed sources (peers) do not list it
    connection_limit,         // the listener's total or per-source maximum
    user_connection_limit,    // the user's maximum, after authentication
    tls_required,             // a plain connection where TLS is required
    tls_unavailable,          // asked for TLS where none is offered
    tls_failed,               // the TLS handshake failed
    bad_handshake,            // a login packet that could not be read or is not supported
    handshake_timeout,        // no login within the handshake timeout
    certificate_not_allowed,  // a client certificate the listener does not accept
    access_denied,            // unknown user or wrong password or token
    session_not_opened,       // authenticated, but what the session needs could not be opened
    pre_auth_source_limit,    // its source has the most connections allowed to wait to log in
    pre_auth_evicted,         // closed before logging in, to make room for a newer connection
};
inline constexpr std::array<std::string_view, 13> kConnectionRefusalNames = {
    "source_not_allowed",      "connection_limit", "user_connection_limit", "tls_required",
    "tls_unavailable",         "tls_failed",       "bad_handshake",         "handshake_timeout",
    "certificate_not_allowed", "access_denied",    "session_not_opened",    "pre_auth_source_limit",
    "pre_auth_evicted"};

struct ConnectionCounters {
    std::array<std::uint64_t, kConnectionRefusalNames.size()> refused{};
    std::uint64_t tls_handshakes = 0;  // completed; failures count as tls_failed refusals

    void refuse(ConnectionRefusal why) { ++refused[static_cast<std::size_t>(why)]; }
    void add(const ConnectionCounters& other) {
        for (std::size_t i = 0; i < refused.size(); ++i)
            refused[i] += other.refused[i];
        tls_handshakes += other.tls_handshakes;
    }
    std::uint64_t refusals(ConnectionRefusal why) const {
        return refused[static_cast<std::size_t>(why)];
    }
};

}  // namespace sqlgate::obs
