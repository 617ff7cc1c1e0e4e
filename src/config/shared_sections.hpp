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

    bool enabled() const { return !certificate.empty(); }
};

// [admin]: a role's admin listener (health, metrics, status; the proxy's switchover). Off
// without a port. Loopback only: it has no authentication (yet), and one endpoint changes
// the cluster.
struct AdminListener {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;
    // Other roles' admin listeners (loopback ADDRESS:PORT) whose status the dashboard shows
    // next to this role's: the whole chain on one page.
    std::vector<std::string> peers;

    bool enabled() const { return port != 0; }
    bool operator==(const AdminListener&) const = default;
};

// Who may connect to an internal listener. Checked before any byte of the protocol: the
// source address first (at accept), then the client certificate (after the TLS handshake).
struct PeerAccess {
    std::vector<std::string> allowed_sources;           // addresses or CIDR blocks; empty: any
    std::vector<std::string> client_certificate_names;  // empty: no client certificate needed
};

}  // namespace sqlgate::config
