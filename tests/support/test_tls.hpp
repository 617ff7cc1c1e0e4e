// A throw-away self-signed certificate for 127.0.0.1, made with OpenSSL in memory, and the
// TLS contexts the gatekeeper tests use on both ends.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace sqlgate::gatekeeper::test_support {

struct TestCertificate {
    std::string certificate_pem;
    std::string private_key_pem;
};

// An EC P-256 key and a certificate for IP 127.0.0.1 and DNS sqlgate-test, valid for a day.
TestCertificate make_self_signed_certificate();
// One such certificate for the whole test binary: a key per test adds nothing.
const TestCertificate& shared_test_certificate();

boost::asio::ssl::context make_server_context(const TestCertificate& certificate);
// Writes the certificate and its key as PEM files, for code that loads TLS from files.
void write_pem_files(const TestCertificate& certificate, const std::string& certificate_path,
                     const std::string& key_path);
// Verifies the server against `certificate` and its address against 127.0.0.1.
boost::asio::ssl::context make_client_context(const TestCertificate& certificate);

}  // namespace sqlgate::gatekeeper::test_support
