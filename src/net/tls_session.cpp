#include "net/tls_session.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <limits>

#include "net/tls.hpp"

namespace sqlgate::net {

std::unique_ptr<TlsSession> TlsSession::create(SSL_CTX* context, Side side) {
    SSL* ssl = SSL_new(context);
    if (ssl == nullptr) return nullptr;
    BIO* input = BIO_new(BIO_s_mem());
    BIO* output = BIO_new(BIO_s_mem());
    if (input == nullptr || output == nullptr) {
        BIO_free(input);
        BIO_free(output);
        SSL_free(ssl);
        return nullptr;
    }
    // An empty input means "wait for more", not end of stream.
    BIO_set_mem_eof_return(input, -1);
    SSL_set_bio(ssl, input, output);
    if (side == Side::server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
        offer_resumption(ssl);
    }
    return std::make_unique<TlsSession>(Key{}, ssl, input, output);
}

TlsSession::TlsSession(Key, SSL* ssl, BIO* input, BIO* output)
    : ssl_(ssl), input_(input), output_(output) {}

TlsSession::Step TlsSession::outcome(int result) {
    switch (SSL_get_error(ssl_.get(), result)) {
        case SSL_ERROR_WANT_READ:
            return Step::want_read;
        case SSL_ERROR_ZERO_RETURN:
            return Step::closed;
        default:
            break;
    }
    const unsigned long code = ERR_get_error();
    error_ = code != 0 ? boost::system::error_code(static_cast<int>(code),
                                                   boost::asio::error::get_ssl_category())
                       : boost::system::error_code(boost::asio::ssl::error::stream_truncated);
    // SSL_get_error reads the queue: what is left of this failure must not outlive it.
    ERR_clear_error();
    return Step::failed;
}

TlsSession::Step TlsSession::handshake() {
    const int result = SSL_do_handshake(ssl_.get());
    return result == 1 ? Step::done : outcome(result);
}

TlsSession::Step TlsSession::read(std::span<std::uint8_t> out, std::size_t& n) {
    n = 0;
    const int result = SSL_read_ex(ssl_.get(), out.data(), out.size(), &n);
    return result == 1 ? Step::done : outcome(result);
}

TlsSession::Step TlsSession::write(std::span<const std::uint8_t> plain) {
    // A memory output never pushes back, so each call takes everything it is given.
    while (!plain.empty()) {
        std::size_t written = 0;
        const int result = SSL_write_ex(ssl_.get(), plain.data(), plain.size(), &written);
        if (result != 1) return outcome(result);
        plain = plain.subspan(written);
    }
    return Step::done;
}

void TlsSession::feed(std::span<const std::uint8_t> ciphertext) {
    while (!ciphertext.empty()) {
        const std::size_t chunk =
            std::min<std::size_t>(ciphertext.size(), std::numeric_limits<int>::max());
        const int written = BIO_write(input_, ciphertext.data(), static_cast<int>(chunk));
        // A memory BIO only refuses when it cannot grow; the read then fails and says so.
        if (written <= 0) return;
        ciphertext = ciphertext.subspan(static_cast<std::size_t>(written));
    }
}

bool TlsSession::has_output() const {
    return BIO_ctrl_pending(output_) > 0;
}

void TlsSession::take_output(mysql::Bytes& out) {
    const std::size_t pending = BIO_ctrl_pending(output_);
    if (pending == 0) return;
    const std::size_t start = out.size();
    out.resize(start + pending);
    std::size_t read = 0;
    BIO_read_ex(output_, out.data() + start, pending, &read);
    out.resize(start + read);
}

}  // namespace sqlgate::net
