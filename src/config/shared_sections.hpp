// Configuration pieces more than one role uses: the error type, credentials, TLS files and
// the rules for which peers a listener accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace sqlgate::config {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Credentials {
    std::string user;
    std::string password;  // read from password_file, never from the TOML itself
};

// PEM files of one TLS endpoint: its own certificate and key, and the CA its peers' are
// checked against. Empty paths mean "not configured".
struct TlsFiles {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
    std::filesystem::path ca;
    // The TLS 1.2 suites to allow, OpenSSL's list syntax; empty: sqlgate's (ECDHE with
    // AES-GCM or ChaCha20-Poly1305). Only a subset of those can be chosen.
    std::string tls12_ciphers;

    bool enabled() const { return !certificate.empty(); }
    bool operator==(const TlsFiles&) const = default;
};

// [admin]: a role's admin listener (health, metrics, status; the proxy's switchover). Off
// without a port. On a loopback address it may be plain HTTP; any other address needs TLS
// and a bearer token, since one endpoint changes the cluster.
struct AdminListener {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    // tls_certificate, tls_private_key: HTTPS instead of HTTP. token_sha256: every request
    // must present the token with this SHA-256 (Authorization: Bearer, or Basic's password).
    TlsFiles tls;
    std::string token_sha256;
    // Other roles' admin listeners (loopback ADDRESS:PORT) whose status the dashboard shows
    // next to this role's: the whole chain on one page.
    std::vector<std::string> peers;

    bool enabled() const { return port != 0; }
    bool secured() const { return tls.enabled() && !token_sha256.empty(); }
    bool operator==(const AdminListener&) const = default;
};

// [runtime] io: what a role's worker threads wait on. io_uring: a loop of our own
// (net::RingLoop); epoll: Asio's reactor, as the control thread always does.
enum class EventLoopIo { io_uring, epoll };

// Who may connect to an internal listener. Checked before any byte of the protocol: the
// source address first (at accept), then the client certificate (after the TLS handshake).
struct PeerAccess {
    std::vector<std::string> allowed_sources;           // addresses or CIDR blocks; empty: any
    std::vector<std::string> client_certificate_names;  // empty: no client certificate needed
};

}  // namespace sqlgate::config
