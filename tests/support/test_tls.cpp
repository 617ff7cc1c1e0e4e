#include "test_tls.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace sqlgate::gatekeeper::test_support {
namespace {

namespace ssl = boost::asio::ssl;

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate: ") + what + " failed");
}

template <class Write>
std::string to_pem(Write write) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    check(bio != nullptr && write(bio.get()) == 1, "PEM encoding");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TestCertificate make_self_signed_certificate() {
    KeyPtr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "key generation");
    CertPtr cert(X509_new());
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "version");
    check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1, "serial");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr, "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
    check(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>("sqlgate test"), -1, -1,
                                     0) == 1,
          "subject");
    check(X509_set_issuer_name(cert.get(), name) == 1, "issuer");
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    ExtPtr san(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1,DNS:sqlgate-test"));
    check(san != nullptr && X509_add_ext(cert.get(), san.get(), -1) == 1, "subjectAltName");
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

    TestCertificate result;
    result.certificate_pem = to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
    result.private_key_pem = to_pem([&](BIO* bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    return result;
}

const TestCertificate& shared_test_certificate() {
    static const TestCertificate made = make_self_signed_certificate();
    return made;
}

ssl::context make_server_context(const TestCertificate& certificate) {
    ssl::context context(ssl::context::tls_server);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    context.use_certificate_chain(boost::asio::buffer(certificate.certificate_pem));
    context.use_private_key(boost::asio::buffer(certificate.private_key_pem), ssl::context::pem);
    return context;
}

ssl::context make_client_context(const TestCertificate& certificate) {
    ssl::context context(ssl::context::tls_client);
    context.add_certificate_authority(boost::asio::buffer(certificate.certificate_pem));
    context.set_verify_mode(ssl::verify_peer);
    context.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    return context;
}

void write_pem_files(const TestCertificate& certificate, const std::string& certificate_path,
                     const std::string& key_path) {
    std::ofstream(certificate_path) << certificate.certificate_pem;
    std::ofstream(key_path) << certificate.private_key_pem;
}

}  // namespace sqlgate::gatekeeper::test_support
