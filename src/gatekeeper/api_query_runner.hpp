// How the HTTP API's statements reach the database: through the same gate (rate limits,
// policy, audit) as the MySQL listener, then over mutual TLS to the trusted host.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "front/front_runtime.hpp"
#include "gatekeeper/http_api.hpp"
#include "gatekeeper/upstream_session_pool.hpp"

namespace sqlgate::gatekeeper {

// One statement on an upstream session of its own — a parked one, reset, when `pool` has
// one for the user, else a new one — in the user's default schema.
boost::asio::awaitable<ApiOutcome> run_api_query(front::FrontRuntime& runtime,
                                                 UpstreamSessionPool& pool, const ApiQuery& query);

// True when a session through the whole chain answers a ping.
boost::asio::awaitable<bool> probe_upstream(front::FrontRuntime& runtime);

}  // namespace sqlgate::gatekeeper
