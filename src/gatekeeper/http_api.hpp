// The gatekeeper's HTTPS JSON API: the original system's endpoints and POST /v1/query,
// bearer-token authentication, strict limits; statements are handed to a QueryRunner.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/pre_auth_budget.hpp"
#include "gatekeeper/api_token.hpp"
#include "mysql/column_type.hpp"
#include "obs/connection_counters.hpp"

namespace sqlgate::gatekeeper {

// Maps to the proxy's route hints; default_route leaves the choice to the user's and the
// listener's defaults.
enum class ApiRoute { default_route, direct, random, customized };

struct ApiQuery {
    std::string user;  // authenticated by bearer token
    std::string sql;
    ApiRoute route = ApiRoute::default_route;
    boost::asio::ip::address source;  // client address, for rate limits and audit
};

struct ApiResultSet {
    std::vector<std::string> columns;
    std::vector<mysql::ColumnType> column_types;  // beside `columns`: how to write the values
    std::vector<std::vector<std::optional<std::string>>> rows;  // text values, NULL as nullopt
    std::uint64_t affected_rows = 0;
    std::uint64_t last_insert_id = 0;
    bool has_result_set = false;  // false for writes (then affected_rows/last_insert_id matter)
};

enum class ApiFailure {
    bad_request,           // 400
    forbidden,             // 403, refused by policy; ApiError::rule names the rule
    too_large,             // 413
    rate_limited,          // 429, with ApiError::retry_after_s
    upstream_unavailable,  // 503
    upstream_error,        // 502
    statement_failed,      // 400: the database refused it; mysql_code and sql_state say why
};

struct ApiError {
    ApiFailure kind = ApiFailure::upstream_error;
    std::string rule;
    std::string message;
    std::uint16_t mysql_code = 0;
    std::string sql_state;
    double retry_after_s = 0;
};

struct ApiOutcome {
    std::optional<ApiResultSet> result;  // empty: `error` says what went wrong
    ApiError error;
};

// The seam to the rest of the gatekeeper: runs one authenticated statement. The query lives
// until the returned awaitable completes. Exceptions are answered 500 and logged.
using QueryRunner = std::function<boost::asio::awaitable<ApiOutcome>(const ApiQuery&)>;
// Whether the upstream is reachable, for GET /health_check.
using HealthProbe = std::function<boost::asio::awaitable<bool>()>;

struct HttpApiSettings {
    boost::asio::ip::tcp::endpoint listen;
    std::vector<ApiToken> tokens;
    std::size_t max_body_bytes = 1 << 20;              // larger: 413, rejected before it is read
    std::size_t max_header_bytes = 8 * 1024;           // larger: 431
    std::chrono::milliseconds header_timeout{10'000};  // TLS handshake + first header; each
                                                       // header after the first byte arrives
    std::chrono::milliseconds idle_timeout{60'000};    // between requests; body and answer I/O
    std::size_t max_connections = 256;                 // more are accepted and closed at once
    // Connections without an authenticated request yet: their own budget (see
    // engine::PreAuthBudget); its timeout is header_timeout's.
    engine::PreAuthLimits pre_auth;
};

class HttpApiState;  // defined in http_api.cpp; shared with the connection coroutines

// Serves the API on one io_context thread; every connection is its own coroutine. All
// member functions are called on that thread (or before it runs).
class HttpApiServer {
  public:
    // Throws std::invalid_argument for a malformed token digest (start-up only).
    HttpApiServer(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                  HttpApiSettings settings, QueryRunner runner, HealthProbe probe);
    ~HttpApiServer();  // stops
    HttpApiServer(const HttpApiServer&) = delete;
    HttpApiServer& operator=(const HttpApiServer&) = delete;

    // Binds and spawns the accept loop; throws std::runtime_error when the address cannot
    // be bound (start-up only).
    void start();
    // Closes the listener and every open connection; coroutines still waiting on a runner
    // finish on their own and find their connection closed.
    void stop();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    std::size_t connection_count() const;
    const obs::ConnectionCounters& connections() const;  // refused and TLS handshakes
    // The users' tokens after a reload (requests already authenticated are not affected).
    void replace_tokens(TokenStore tokens);

  private:
    std::shared_ptr<HttpApiState> state_;
};

}  // namespace sqlgate::gatekeeper
