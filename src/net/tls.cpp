#include "net/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace sqlgate::net {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void load(ssl::context& context, const TlsFiles& files, bool own_certificate_required) {
    boost::system::error_code ec;
    const auto fail = [&](std::string_view what, const std::filesystem::path& path) {
        throw std::runtime_error(std::string(what) + " " + path.string() + ": " + ec.message());
    };
    // TLS 1.2 is the oldest version without known protocol breaks; MariaDB clients speak 1.3.
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    // In TLS 1.2 only ECDHE key exchange (forward secrecy) with an AEAD cipher: no CBC suite
    // (LUCKY13 and padding oracles) and no static RSA. TLS 1.3's suites are all AEAD.
    if (SSL_CTX_set_cipher_list(context.native_handle(), kTls12Ciphers) != 1) {
        throw std::runtime_error("OpenSSL knows none of the TLS 1.2 suites " +
                                 std::string(kTls12Ciphers));
    }
    if (own_certificate_required || !files.certificate.empty()) {
        context.use_certificate_chain_file(files.certificate.string(), ec);
        if (ec) fail("cannot load certificate", files.certificate);
        context.use_private_key_file(files.private_key.string(), ssl::context::pem, ec);
        if (ec) fail("cannot load private key", files.private_key);
        if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
            throw std::runtime_error("private key " + files.private_key.string() +
                                     " does not match certificate " + files.certificate.string());
        }
    }
    if (!files.ca.empty()) {
        context.load_verify_file(files.ca.string(), ec);
        if (ec) fail("cannot load CA", files.ca);
    }
}

}  // namespace

ssl::context make_server_tls(const TlsFiles& files, bool require_client_certificate) {
    ssl::context context(ssl::context::tls_server);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::single_dh_use);
    load(context, files, true);
    if (require_client_certificate) {
        if (files.ca.empty()) throw std::runtime_error("client certificates need a CA file");
        context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    } else {
        context.set_verify_mode(ssl::verify_none);
    }
    return context;
}

ssl::context make_client_tls(const TlsFiles& files) {
    ssl::context context(ssl::context::tls_client);
    load(context, files, false);
    if (files.ca.empty())
        throw std::runtime_error("a TLS client needs a CA file to verify servers");
    context.set_verify_mode(ssl::verify_peer);
    return context;
}

bool peer_certificate_matches(SSL* ssl, std::span<const std::string> names) {
    if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return false;
    const std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl),
                                                           &X509_free);
    if (!cert) return false;
    for (const std::string& name : names) {
        if (X509_check_host(cert.get(), name.data(), name.size(),
                            X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1) {
            return true;
        }
    }
    return false;
}

std::string peer_certificate_subject(SSL* ssl) {
    if (ssl == nullptr) return {};
    const std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl),
                                                           &X509_free);
    if (!cert) return {};
    char buffer[256] = {};
    X509_NAME_oneline(X509_get_subject_name(cert.get()), buffer, sizeof buffer);
    return buffer;
}

}  // namespace sqlgate::net
