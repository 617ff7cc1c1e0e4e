// A small blocking HTTPS JSON client for the gatekeeper's API: one keep-alive connection,
// the server certificate always verified, each statement POSTed to the endpoint its route names.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "workload/statement_sink.hpp"

namespace sqlgate::workload {

struct HttpUrl {
    bool tls = true;         // https
    std::string host;        // as written, without IPv6 brackets
    std::uint16_t port = 0;  // the scheme's default when the URL has none
    std::string base_path;   // prefix of every endpoint, no trailing '/'; usually empty

    // host[:port] as it goes in a Host header or a message (IPv6 in brackets).
    std::string authority() const;
    std::string to_string() const;  // scheme://authority/base_path
};

// Parses http(s)://HOST[:PORT][/PATH]. Throws std::invalid_argument saying what is wrong:
// another scheme, a user name or password (the token has its own option), a query or
// fragment, a bad port, or http:// to anything but a loopback address, which would send the
// token and the data in clear across a network.
HttpUrl parse_http_url(std::string_view text);

// Throws std::invalid_argument unless `token` is non-empty visible ASCII, which is all an
// Authorization header can carry without being split or rejected.
void check_token(std::string_view token);

// The endpoint a statement is POSTed to, before HttpUrl::base_path.
std::string_view endpoint_for(Route route);

// Maps an API answer onto what the MySQL client would have produced: a 2xx JSON body
// with "rows" (values strings, numbers or null) or "affected_rows"; anything else becomes
// QueryResult::error, e.g. "HTTP 403 policy (tautology): ..." or, when the database
// refused the statement, "HTTP 400 statement_failed: ERROR 1146 (42S02): ...".
QueryResult result_from_answer(unsigned status, std::string_view body);

struct HttpParams {
    HttpUrl url;
    std::string token;
    std::string ca_file;       // PEM CA(s) to verify the server with; empty: the system store
    std::string bind_address;  // local address to connect from; empty: the kernel's choice
    std::chrono::seconds connect_timeout{5};  // TCP connect plus TLS handshake
    std::chrono::seconds read_timeout{10};    // one request written and its answer read
};

enum class ConnectProblem {
    none,
    bad_settings,  // the CA file or the bind address is unusable
    unreachable,   // no address, or nobody accepted the connection in time
    certificate,   // the TLS handshake failed because the certificate was not accepted
    tls,           // the TLS handshake failed for another reason
};

class HttpClient : public StatementSink {
  public:
    explicit HttpClient(HttpParams params);
    ~HttpClient() override;
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Opens the connection (TCP, then TLS with the certificate checked against the URL's
    // host). Empty on success, else why not.
    std::string connect(ConnectProblem* problem = nullptr);

    // POSTs {"sql": sql} to endpoint_for(route) and maps the answer with result_from_answer.
    // A connection the server has closed is reopened first. When it turns out closed only
    // while the request is under way, the request is sent again on a new connection if it
    // cannot have run (it was not fully written) or is a read; a write is not repeated,
    // since it may have run, and fails instead.
    QueryResult query(std::string_view sql, Route route) override;

    // Connections opened so far, for tests of the keep-alive behaviour.
    int connections_opened() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace sqlgate::workload
