// The HTTP API without sockets: which endpoint a request names, the checks on its header
// and body, and the JSON answers. http_api.cpp does the I/O around these.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gatekeeper/api_token.hpp"
#include "gatekeeper/http_api.hpp"

namespace sqlgate::gatekeeper {

namespace http = boost::beast::http;

// An answer ready to send: status, JSON body and the headers some statuses need (Allow,
// WWW-Authenticate, Retry-After).
struct ApiAnswer {
    http::status status = http::status::ok;
    std::string body;
    std::vector<std::pair<http::field, std::string>> headers;
};

enum class Endpoint {
    health,
    openapi,  // GET /v1/openapi.json: the API's description, like health asked without a token
    populate_tables,
    fetch_direct,
    fetch_random,
    fetch_customized,
    query
};

std::optional<Endpoint> endpoint_of(std::string_view target);  // the query string is ignored

// What a request's header allows: an answer to send at once, or the endpoint to serve (and,
// for statements, the authenticated user) once the body is read.
struct HeaderVerdict {
    std::optional<ApiAnswer> reject;
    Endpoint endpoint = Endpoint::health;
    std::string user;
};

// Checks in order: path (404), method (405), bearer token (401), Content-Type (415),
// Content-Length (413). Health needs no token. `content_length` is empty when chunked.
HeaderVerdict check_header(const http::request_header<>& header,
                           std::optional<std::uint64_t> content_length, const TokenStore& tokens,
                           std::size_t max_body_bytes);

// Reads `{"sql": "...", "route": "..."}` into query.sql and query.route (the route from the
// body only for Endpoint::query, from the endpoint otherwise); unknown members are ignored.
// Returns the 400 answer when the body does not say that.
std::optional<ApiAnswer> read_query_body(Endpoint endpoint, std::string_view body, ApiQuery& query);

ApiAnswer answer_outcome(const ApiOutcome& outcome);
ApiAnswer answer_health(bool upstream_reachable);
// Errors of the API itself: `{"error":{"status":N,"code":code,"message":message}}`.
ApiAnswer answer_error(http::status status, std::string_view code, std::string_view message);

}  // namespace sqlgate::gatekeeper
