#include "gatekeeper/api_query_runner.hpp"

#include <memory>

#include "mysql/constants.hpp"
#include "net/mysql_client.hpp"
#include "obs/log.hpp"

namespace sqlgate::gatekeeper {
namespace {

using boost::asio::awaitable;
namespace errc = mysql::error_code;

std::string_view route_hint(ApiRoute route) {
    switch (route) {
        case ApiRoute::direct:
            return "/* sqlgate:route=direct */ ";
        case ApiRoute::random:
            return "/* sqlgate:route=random */ ";
        case ApiRoute::customized:
            return "/* sqlgate:route=customized */ ";
        case ApiRoute::default_route:
            break;
    }
    return "";
}

ApiOutcome failure(ApiFailure kind, std::string message) {
    ApiOutcome outcome;
    outcome.error.kind = kind;
    outcome.error.message = std::move(message);
    return outcome;
}

// Opens an upstream session as `user`; on failure fills `outcome` with a 503.
awaitable<bool> open_session(front::FrontRuntime& runtime, const config::FrontUser& user,
                             net::PacketChannel& channel, ApiOutcome& outcome) {
    net::Login login = runtime.upstream_login(user);
    net::ServerInfo server;
    std::string diagnostics;
    const auto ec = co_await net::connect_and_login(channel, runtime.upstream(), login,
                                                    runtime.settings().upstream.connect_timeout,
                                                    server, diagnostics);
    if (!ec) {
        co_await runtime.enter_default_schema(channel, user, login.capabilities);
        co_return true;
    }
    const auto& hop = runtime.settings().upstream;
    obs::log(obs::LogLevel::warn, "upstream_failed",
             {{"role", "gatekeeper"},
              {"front", "http"},
              {"upstream", hop.address},
              {"error", ec.message()},
              {"detail", diagnostics}});
    outcome = failure(ApiFailure::upstream_unavailable,
                      "upstream " + hop.address + ":" + std::to_string(hop.port) +
                          " unavailable: " + (diagnostics.empty() ? ec.message() : diagnostics));
    co_return false;
}

// A parked session of `user`, reset (COM_RESET_CONNECTION: the last call's variables,
// transaction and temporary tables are gone) and back in the default schema; null when none
// is parked or the one parked no longer answers.
awaitable<std::unique_ptr<net::PacketChannel>> reuse_session(front::FrontRuntime& runtime,
                                                             UpstreamSessionPool& pool,
                                                             const config::FrontUser& user) {
    for (;;) {
        auto channel = pool.take(user.name, UpstreamSessionPool::Clock::now());
        if (channel == nullptr) co_return nullptr;
        net::CommandResult reset;
        const auto ec = co_await net::run_command(*channel, mysql::Command::reset_connection, "",
                                                  mysql::kProxyCapabilities, reset);
        if (!ec && !reset.failed) {
            const std::string schema =
                co_await runtime.enter_default_schema(*channel, user, mysql::kProxyCapabilities);
            if (schema == user.policy.default_schema.value_or("")) co_return channel;
        }
        channel->close();
    }
}

}  // namespace

awaitable<ApiOutcome> run_api_query(front::FrontRuntime& runtime, UpstreamSessionPool& pool,
                                    const ApiQuery& query) {
    // Held for the whole call: a reload may replace the user meanwhile.
    const auto user = runtime.find_user(query.user);
    if (user == nullptr) co_return failure(ApiFailure::forbidden, "unknown user");
    const std::string source = query.source.to_string();
    const std::string schema = user->policy.default_schema.value_or("");
    const front::GateVerdict verdict =
        runtime.check_statement(*user, source, query.sql, schema, front::AuditFront::http);
    if (verdict.kind == front::GateVerdict::Kind::rate_limited) {
        ApiOutcome outcome = failure(ApiFailure::rate_limited, verdict.message);
        outcome.error.rule = "rate_limit";
        outcome.error.retry_after_s = verdict.retry_after_s;
        co_return outcome;
    }
    if (!verdict.allowed()) {
        ApiOutcome outcome =
            failure(verdict.rule == policy::Rule::statement_too_large ? ApiFailure::too_large
                                                                      : ApiFailure::forbidden,
                    verdict.message);
        outcome.error.rule = std::string(policy::to_string(verdict.rule));
        co_return outcome;
    }

    ApiOutcome outcome;
    std::unique_ptr<net::PacketChannel> channel = co_await reuse_session(runtime, pool, *user);
    if (channel == nullptr) {
        auto executor = co_await boost::asio::this_coro::executor;
        channel = std::make_unique<net::PacketChannel>(executor);
        if (!co_await open_session(runtime, *user, *channel, outcome)) co_return outcome;
    }
    const std::string sql = std::string(route_hint(query.route)) + query.sql;
    net::CommandResult result;
    const auto ec = co_await net::run_command(*channel, mysql::Command::query, sql,
                                              mysql::kProxyCapabilities, result);
    if (ec) {
        channel->close();
        co_return failure(ApiFailure::upstream_error, "upstream failed: " + ec.message());
    }
    // After a whole exchange, even one the server refused, the session is in step: park it.
    pool.give_back(user->name, std::move(channel), UpstreamSessionPool::Clock::now());
    if (result.failed) {
        const ApiFailure kind =
            result.error_code == errc::backend_unavailable  ? ApiFailure::upstream_unavailable
            : result.error_code == errc::statement_rejected ? ApiFailure::forbidden
            : result.error_code == errc::resource_limit     ? ApiFailure::rate_limited
                                                            : ApiFailure::statement_failed;
        outcome = failure(kind, result.error_message);
        outcome.error.mysql_code = result.error_code;
        outcome.error.sql_state = result.sql_state;
        co_return outcome;
    }
    ApiResultSet set;
    set.has_result_set = result.has_result_set;
    set.columns = std::move(result.columns);
    set.column_types = std::move(result.column_types);
    set.rows = std::move(result.rows);
    set.affected_rows = result.affected_rows;
    set.last_insert_id = result.last_insert_id;
    outcome.result = std::move(set);
    co_return outcome;
}

awaitable<bool> probe_upstream(front::FrontRuntime& runtime) {
    if (runtime.settings().users.empty()) co_return false;
    auto executor = co_await boost::asio::this_coro::executor;
    net::PacketChannel channel{executor};
    ApiOutcome ignored;
    if (!co_await open_session(runtime, runtime.settings().users.front(), channel, ignored)) {
        co_return false;
    }
    net::CommandResult result;
    const auto ec = co_await net::run_command(channel, mysql::Command::ping, "",
                                              mysql::kProxyCapabilities, result);
    channel.close();
    co_return !ec && !result.failed;
}

}  // namespace sqlgate::gatekeeper
