// One connection's TLS state, with OpenSSL reading and writing memory buffers only: the
// packet channel moves the ciphertext to and from the socket itself.
#pragma once

// Why not asio::ssl::stream: it writes each buffer of a gather write as a record of its own,
// sends each record separately, posts a completion per layer (an extra event-loop pass and
// poll each time) and releases OpenSSL's buffers after every record. On a relay that handles
// one small message per statement, that was most of a TLS hop's cost.

#include <openssl/ssl.h>

#include <boost/system/error_code.hpp>
#include <cstdint>
#include <memory>
#include <span>

#include "mysql/wire.hpp"

namespace sqlgate::net {

class TlsSession {
  public:
    enum class Side { client, server };
    enum class Step {
        done,       // the call finished its work
        want_read,  // OpenSSL needs more ciphertext from the peer (feed it, then call again)
        closed,     // the peer sent close_notify
        failed,     // see error()
    };

    // Null when OpenSSL cannot make the session (out of memory).
    static std::unique_ptr<TlsSession> create(SSL_CTX* context, Side side);

    Step handshake();
    // Decrypts into `out`: `n` receives the byte count when the result is done.
    Step read(std::span<std::uint8_t> out, std::size_t& n);
    // Encrypts all of `plain`; the records wait in the output until take_output.
    Step write(std::span<const std::uint8_t> plain);

    // Hands OpenSSL ciphertext read from the socket.
    void feed(std::span<const std::uint8_t> ciphertext);
    bool has_output() const;
    // Moves the ciphertext produced so far to the end of `out`.
    void take_output(mysql::Bytes& out);

    SSL* handle() const { return ssl_.get(); }
    boost::system::error_code error() const { return error_; }

  private:
    struct Key {
        explicit Key() = default;
    };

  public:
    TlsSession(Key, SSL* ssl, BIO* input, BIO* output);  // through create() only

  private:
    struct SslFree {
        void operator()(SSL* ssl) const { SSL_free(ssl); }
    };
    Step outcome(int result);

    std::unique_ptr<SSL, SslFree> ssl_;
    BIO* input_;   // owned by ssl_
    BIO* output_;  // owned by ssl_
    boost::system::error_code error_;
};

}  // namespace sqlgate::net
