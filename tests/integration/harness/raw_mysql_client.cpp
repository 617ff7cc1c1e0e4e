#include "harness/raw_mysql_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "mysql/auth.hpp"
#include "mysql/constants.hpp"
#include "mysql/messages.hpp"
#include "mysql/packet.hpp"

namespace sqlgate::testing {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

std::unique_ptr<RawMysqlConnection> RawMysqlConnection::open(const std::string& address,
                                                             unsigned port,
                                                             const std::string& bind_address) {
    std::unique_ptr<RawMysqlConnection> c(new RawMysqlConnection());
    c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!bind_address.empty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, bind_address.c_str(), &local.sin_addr);
        if (::bind(c->fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return nullptr;
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
    if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return nullptr;
    std::uint8_t sequence = 0;
    if (!c->read_packet(c->greeting_, sequence)) return nullptr;
    const auto greeting = mysql::parse_greeting(c->greeting_);
    if (!greeting) return c;  // e.g. an ERR in place of the greeting; the caller looks
    c->scramble_ = greeting->auth_data;
    c->capabilities_ = mysql::bits(greeting->capabilities);
    c->sequence_ = sequence;
    return c;
}

RawMysqlConnection::~RawMysqlConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

bool RawMysqlConnection::read_exact(std::uint8_t* out, std::size_t n, int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::size_t got = 0;
    while (got < n) {
        if (ssl_ != nullptr && SSL_pending(ssl_) > 0) {
            const int r = SSL_read(ssl_, out + got, static_cast<int>(n - got));
            if (r <= 0) return false;
            got += static_cast<std::size_t>(r);
            continue;
        }
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
        const long r = ssl_ != nullptr ? SSL_read(ssl_, out + got, static_cast<int>(n - got))
                                       : ::read(fd_, out + got, n - got);
        if (r <= 0) {
            if (ssl_ != nullptr &&
                SSL_get_error(ssl_, static_cast<int>(r)) == SSL_ERROR_WANT_READ) {
                continue;
            }
            return false;
        }
        got += static_cast<std::size_t>(r);
    }
    return true;
}

bool RawMysqlConnection::read_packet(std::vector<std::uint8_t>& payload, std::uint8_t& sequence,
                                     int timeout_ms) {
    std::uint8_t header[4];
    if (!read_exact(header, 4, timeout_ms)) return false;
    const std::size_t length = header[0] | (header[1] << 8) | (header[2] << 16);
    sequence = header[3];
    payload.resize(length);
    return length == 0 || read_exact(payload.data(), length, timeout_ms);
}

bool RawMysqlConnection::write_bytes(const std::vector<std::uint8_t>& bytes) {
    if (bytes.empty()) return true;
    if (ssl_ != nullptr) {
        return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
               static_cast<int>(bytes.size());
    }
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const long r = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (r <= 0) return false;
        sent += static_cast<std::size_t>(r);
    }
    return true;
}

bool RawMysqlConnection::write_packet(const std::vector<std::uint8_t>& payload,
                                      std::uint8_t sequence) {
    mysql::Bytes framed;
    mysql::append_framed(framed, payload, sequence);
    return write_bytes(std::vector<std::uint8_t>(framed.begin(), framed.end()));
}

bool RawMysqlConnection::start_tls(const RawTls& tls) {
    mysql::HandshakeResponse request;
    request.capabilities = mysql::kProxyCapabilities;
    request.max_packet_size = 1u << 24;
    mysql::Bytes payload;
    mysql::serialize_ssl_request(payload, request);
    if (!write_packet(std::vector<std::uint8_t>(payload.begin(), payload.end()),
                      static_cast<std::uint8_t>(sequence_ + 1))) {
        return false;
    }
    ++sequence_;
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!tls.ca.empty()) {
        SSL_CTX_load_verify_locations(ctx_, tls.ca.c_str(), nullptr);
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!tls.certificate.empty()) {
        SSL_CTX_use_certificate_chain_file(ctx_, tls.certificate.c_str());
        SSL_CTX_use_PrivateKey_file(ctx_, tls.private_key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (SSL_connect(ssl_) != 1) return false;
    // With TLS 1.3 a refused client certificate shows only at the first read. The server's
    // first records (session tickets, or an alert, or the close) arrive at once: wait for
    // them, then peek without blocking (an accepted client is rightly sent nothing more).
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
        const int flags = ::fcntl(fd_, F_GETFL);
        ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
        std::uint8_t byte = 0;
        const int r = SSL_peek(ssl_, &byte, 1);
        const bool refused = r <= 0 && SSL_get_error(ssl_, r) != SSL_ERROR_WANT_READ;
        ::fcntl(fd_, F_SETFL, flags);
        if (refused) return false;
    }
    return true;
}

bool RawMysqlConnection::login(const std::string& user, const std::string& password,
                               std::string* error, std::uint32_t capabilities) {
    mysql::HandshakeResponse response;
    response.capabilities = capabilities != 0
                                ? static_cast<mysql::Capability>(capabilities)
                                : mysql::kProxyCapabilities & ~mysql::Capability::connect_with_db;
    if (ssl_ != nullptr) response.capabilities = response.capabilities | mysql::Capability::ssl;
    response.max_packet_size = 1u << 24;
    response.user = user;
    const std::string token = mysql::native_password_token(password, scramble_);
    response.auth_response = token;
    response.auth_plugin = mysql::kNativePasswordPlugin;
    mysql::Bytes payload;
    mysql::serialize_handshake_response(payload, response);
    if (!write_packet(std::vector<std::uint8_t>(payload.begin(), payload.end()),
                      static_cast<std::uint8_t>(sequence_ + 1))) {
        return false;
    }
    std::vector<std::uint8_t> reply;
    std::uint8_t sequence = 0;
    if (!read_packet(reply, sequence)) {
        if (error != nullptr) *error = "connection closed during login";
        return false;
    }
    if (!reply.empty() && reply[0] == mysql::kOkHeader) return true;
    if (error != nullptr) {
        const auto err = mysql::parse_err(reply);
        *error = err ? std::string(err->message) : "unexpected login reply";
    }
    return false;
}

bool RawMysqlConnection::closed_within(int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::uint8_t buffer[4096];
    for (;;) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0) return false;
        const long r = ssl_ != nullptr ? SSL_read(ssl_, buffer, sizeof buffer)
                                       : ::read(fd_, buffer, sizeof buffer);
        if (r <= 0) {
            if (ssl_ != nullptr &&
                SSL_get_error(ssl_, static_cast<int>(r)) == SSL_ERROR_WANT_READ) {
                continue;
            }
            return true;
        }
    }
}

}  // namespace sqlgate::testing
