// A MySQL client at the packet level, for tests that must send what no driver sends: bytes
// before or after a login, over plain TCP or TLS (OpenSSL on the socket, client cert optional).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sqlgate::testing {

struct RawTls {
    std::string ca;           // verify the server against it
    std::string certificate;  // ours, optional
    std::string private_key;
};

class RawMysqlConnection {
  public:
    // Connects (from `bind_address` when set) and reads the greeting; null on failure.
    static std::unique_ptr<RawMysqlConnection> open(const std::string& address, unsigned port,
                                                    const std::string& bind_address = "");
    ~RawMysqlConnection();

    const std::vector<std::uint8_t>& greeting() const { return greeting_; }
    // Sends the SSL request and runs the TLS handshake. False if the server refuses it.
    bool start_tls(const RawTls& tls);
    // Logs in with mysql_native_password (after start_tls when TLS is wanted). On success
    // the connection is in the command phase. `error` gets the server's message otherwise.
    // `capabilities` 0: what sqlgate offers, less connect_with_db.
    bool login(const std::string& user, const std::string& password, std::string* error = nullptr,
               std::uint32_t capabilities = 0);

    bool write_bytes(const std::vector<std::uint8_t>& bytes);
    // Frames `payload` with `sequence` and sends it.
    bool write_packet(const std::vector<std::uint8_t>& payload, std::uint8_t sequence);
    // Reads one packet within `timeout_ms`; false on close, error or timeout.
    bool read_packet(std::vector<std::uint8_t>& payload, std::uint8_t& sequence,
                     int timeout_ms = 5000);
    // True when the peer closes the connection within `timeout_ms` (whatever it sends first
    // is read and dropped).
    bool closed_within(int timeout_ms);
    std::uint32_t capabilities() const { return capabilities_; }

  private:
    RawMysqlConnection() = default;
    bool read_exact(std::uint8_t* out, std::size_t n, int timeout_ms);

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::vector<std::uint8_t> greeting_;
    std::string scramble_;
    std::uint32_t capabilities_ = 0;
    std::uint8_t sequence_ = 0;  // of the last packet read in the login
};

}  // namespace sqlgate::testing
