#include "net/tls.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>
#include <memory>
#include <mutex>
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
    const std::string& ciphers =
        files.tls12_ciphers.empty() ? std::string(kTls12Ciphers) : files.tls12_ciphers;
    if (SSL_CTX_set_cipher_list(context.native_handle(), ciphers.c_str()) != 1) {
        throw std::runtime_error("OpenSSL knows none of the TLS 1.2 suites " + ciphers);
    }
    // A configured list may narrow the default, never weaken it.
    const STACK_OF(SSL_CIPHER)* chosen = SSL_CTX_get_ciphers(context.native_handle());
    for (int i = 0; i < sk_SSL_CIPHER_num(chosen); ++i) {
        const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(chosen, i);
        if (SSL_CIPHER_get_kx_nid(cipher) == NID_kx_any) continue;  // TLS 1.3: all AEAD
        const bool ecdhe = SSL_CIPHER_get_kx_nid(cipher) == NID_kx_ecdhe;
        if (!ecdhe || SSL_CIPHER_is_aead(cipher) != 1) {
            throw std::runtime_error(std::string("TLS 1.2 suite ") + SSL_CIPHER_get_name(cipher) +
                                     " is not allowed: only ECDHE with an AEAD cipher (AES-GCM, "
                                     "ChaCha20-Poly1305)");
        }
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

// An object a context owns in its ex_data: one slot per type, registered once, whose free
// callback deletes the object with the context.
template <class T>
int context_slot() {
    static const int slot = SSL_CTX_get_ex_new_index(
        0, nullptr, nullptr, nullptr, [](void*, void* owned, CRYPTO_EX_DATA*, int, long, void*) {
            delete static_cast<T*>(owned);
        });
    return slot;
}

template <class T>
T* owned_by(SSL_CTX* context) {
    return static_cast<T*>(SSL_CTX_get_ex_data(context, context_slot<T>()));
}

// Gives `context` a new T; `what` names it in the error when OpenSSL cannot hold it.
template <class T>
void give_to(SSL_CTX* context, const char* what) {
    auto owned = std::make_unique<T>();
    if (SSL_CTX_set_ex_data(context, context_slot<T>(), owned.get()) != 1) {
        throw std::runtime_error(std::string("OpenSSL could not hold ") + what);
    }
    owned.release();
}

// Session-ticket keys that rotate (see kTicketKeyLifetime): the current key makes tickets, the
// one before still opens them. A context owns its keys through its ex_data slot.
class TicketKeys {
  public:
    TicketKeys() { rotate(); }

    // Called with mutex_ held (or before the context is shared).
    void rotate() {
        previous_ = current_;
        RAND_bytes(current_.name, sizeof current_.name);
        RAND_bytes(current_.aes, sizeof current_.aes);
        RAND_bytes(current_.hmac, sizeof current_.hmac);
        made_ = std::chrono::steady_clock::now();
    }

    // OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb): 1 to go on, 2 to
    // accept a ticket and issue a fresh one (it was made with the key before), 0 to ignore
    // the ticket (a full handshake), -1 on error.
    int use(unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
            int encrypt) {
        // A context may serve handshakes on several threads (the proxy's event loops).
        const std::lock_guard lock(mutex_);
        if (encrypt) {
            if (std::chrono::steady_clock::now() - made_ >= kTicketKeyLifetime) rotate();
            if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
            std::memcpy(name, current_.name, sizeof current_.name);
            return start(current_, iv, cipher, mac, 1) ? 1 : -1;
        }
        for (const Key* key : {&current_, &previous_}) {
            if (std::memcmp(name, key->name, sizeof key->name) != 0) continue;
            if (!start(*key, iv, cipher, mac, 0)) return -1;
            return key == &current_ ? 1 : 2;
        }
        return 0;
    }

  private:
    std::mutex mutex_;
    struct Key {
        unsigned char name[16] = {};
        unsigned char aes[32] = {};
        unsigned char hmac[32] = {};
    };

    // RFC 5077's construction, as OpenSSL's own ticket keys use it: AES-256-CBC encrypts the
    // ticket, HMAC-SHA256 authenticates it (encrypt-then-MAC; no padding oracle).
    static bool start(const Key& key, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                      int encrypt) {
        char digest[] = "SHA256";
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end()};
        return EVP_MAC_init(mac, key.hmac, sizeof key.hmac, params) == 1 &&
               EVP_CipherInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv, encrypt) == 1;
    }

    Key current_;
    Key previous_;  // all zero until the first rotation: its name matches no ticket of ours
    std::chrono::steady_clock::time_point made_;
};

void install_ticket_keys(SSL_CTX* context) {
    give_to<TicketKeys>(context, "the session-ticket keys");
    // Resumption by ticket only: a server-side session cache would resume what a rotated key
    // no longer opens, and grows with every client.
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_tlsext_ticket_key_evp_cb(
        context, [](SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                    EVP_MAC_CTX* mac, int encrypt) {
            TicketKeys* keys = owned_by<TicketKeys>(SSL_get_SSL_CTX(ssl));
            return keys != nullptr ? keys->use(name, iv, cipher, mac, encrypt) : -1;
        });
}

// The session a client context offers to resume: the newest its server gave. A copy, since
// OpenSSL marks a connection's own session unresumable when the connection is freed without
// close_notify, which ours never send (see PacketChannel::close). A front role's event-loop
// threads share the context, hence the mutex (taken once per connection to the next hop).
class ResumableSession {
  public:
    ResumableSession() = default;
    ResumableSession(const ResumableSession&) = delete;
    ResumableSession& operator=(const ResumableSession&) = delete;
    ~ResumableSession() { SSL_SESSION_free(session_); }

    void keep(const SSL_SESSION* session) {
        if (SSL_SESSION* copy = SSL_SESSION_dup(session)) {
            const std::lock_guard lock(mutex_);
            SSL_SESSION_free(session_);
            session_ = copy;
        }
    }
    // A copy of the kept session when it is resumable (the caller frees it), or null. A copy
    // again: the connection's own session is spoilt when it ends without close_notify.
    SSL_SESSION* resumable_copy() const {
        const std::lock_guard lock(mutex_);
        return session_ != nullptr && SSL_SESSION_is_resumable(session_) == 1
                   ? SSL_SESSION_dup(session_)
                   : nullptr;
    }

  private:
    mutable std::mutex mutex_;
    SSL_SESSION* session_ = nullptr;
};

void install_client_session_store(SSL_CTX* context) {
    give_to<ResumableSession>(context, "the client's TLS session");
    SSL_CTX_set_session_cache_mode(context,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, [](SSL* ssl, SSL_SESSION* session) {
        if (ResumableSession* kept = owned_by<ResumableSession>(SSL_get_SSL_CTX(ssl))) {
            kept->keep(session);
        }
        return 0;  // a copy was kept, not this reference
    });
}

}  // namespace

void offer_resumption(SSL* ssl) {
    const ResumableSession* kept = owned_by<ResumableSession>(SSL_get_SSL_CTX(ssl));
    if (SSL_SESSION* copy = kept != nullptr ? kept->resumable_copy() : nullptr) {
        SSL_set_session(ssl, copy);
        SSL_SESSION_free(copy);  // the connection holds its own reference
    }
}

void rotate_ticket_keys(ssl::context& context) {
    if (TicketKeys* keys = owned_by<TicketKeys>(context.native_handle())) keys->rotate();
}

ssl::context make_server_tls(const TlsFiles& files, bool require_client_certificate) {
    ssl::context context(ssl::context::tls_server);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::single_dh_use);
    load(context, files, true);
    install_ticket_keys(context.native_handle());
    // OpenSSL resumes a session with a verified client certificate only within the context
    // that issued it; its tickets are sealed with this context's keys anyway.
    static constexpr unsigned char kSessionContext[] = "sqlgate";
    SSL_CTX_set_session_id_context(context.native_handle(), kSessionContext,
                                   sizeof kSessionContext - 1);
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
    install_client_session_store(context.native_handle());
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
