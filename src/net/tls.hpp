// TLS for every hop: server and client contexts built from PEM files (a private CA signs
// each role's certificate), and the peer checks a hop makes after the TLS handshake.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
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

// How long a session-ticket key encrypts new tickets. A server context accepts tickets of the
// key before too, so a ticket resumes for one to two of these; OpenSSL's own key would live
// as long as the process, and whoever read it from memory could decrypt every resumed
// session's traffic since start.
inline constexpr std::chrono::seconds kTicketKeyLifetime{3600};

// Makes a new ticket key for `context` (a server context from make_server_tls) at once; the
// current one becomes the one before, still accepted. Rotation is otherwise automatic.
void rotate_ticket_keys(boost::asio::ssl::context& context);

// A context for connecting: the server must present a certificate signed by `files.ca`; our
// own certificate is presented when `files.certificate` is set. Throws on bad files.
// Its connections resume the session of the last one (a ticket), so reconnecting to the next
// hop skips the certificate exchange and key agreement of a full handshake.
boost::asio::ssl::context make_client_tls(const TlsFiles& files);

// Offers, on a new client connection of a context from make_client_tls, the session to resume
// (none yet, or none still resumable: a full handshake).
void offer_resumption(SSL* ssl);

// True when the verified peer certificate of `ssl` names one of `names` (a DNS name in its
// subjectAltName, as X509_check_host matches it). False without a verified certificate.
bool peer_certificate_matches(SSL* ssl, std::span<const std::string> names);

// The peer certificate's subject, for logs ("" without one).
std::string peer_certificate_subject(SSL* ssl);

}  // namespace sqlgate::net
