// TLS for every hop: server and client contexts built from PEM files (a private CA signs
// each role's certificate), and the peer checks a hop makes after the TLS handshake.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "config/shared_sections.hpp"

namespace sqlgate::net {

using config::TlsFiles;

// A context for accepting TLS. With `require_client_certificate` the handshake fails unless
// the client presents a certificate signed by `files.ca`. Throws at start-up on bad files.
boost::asio::ssl::context make_server_tls(const TlsFiles& files, bool require_client_certificate);

// A context for connecting: the server must present a certificate signed by `files.ca`; our
// own certificate is presented when `files.certificate` is set. Throws on bad files.
boost::asio::ssl::context make_client_tls(const TlsFiles& files);

// True when the verified peer certificate of `ssl` names one of `names` (a DNS name in its
// subjectAltName, as X509_check_host matches it). False without a verified certificate.
bool peer_certificate_matches(SSL* ssl, std::span<const std::string> names);

// The peer certificate's subject, for logs ("" without one).
std::string peer_certificate_subject(SSL* ssl);

}  // namespace sqlgate::net
