#include "gatekeeper/api_exchange.hpp"

#include <openssl/evp.h>

#include <boost/beast/core/string.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace sqlgate::gatekeeper {
namespace {

// Insertion order keeps "status" and "code" first in errors, for people reading them.
using Json = nlohmann::ordered_json;

constexpr std::string_view kWhitespace = " \t\r\n";
constexpr std::size_t kEchoLimit = 64;  // of client text quoted back in a message
constexpr double kMaxRetryAfterS = 86'400;

template <class T>
struct Named {
    std::string_view name;
    T value;
};

constexpr Named<Endpoint> kPaths[] = {
    {"/health_check", Endpoint::health},
    {"/populate_tables", Endpoint::populate_tables},
    {"/fetch_direct", Endpoint::fetch_direct},
    {"/fetch_random", Endpoint::fetch_random},
    {"/fetch_customized", Endpoint::fetch_customized},
    {"/v1/query", Endpoint::query},
    {"/v1/openapi.json", Endpoint::openapi},
};

constexpr Named<ApiRoute> kRoutes[] = {
    {"direct", ApiRoute::direct},
    {"random", ApiRoute::random},
    {"customized", ApiRoute::customized},
};

template <class T, std::size_t N>
std::optional<T> find_named(const Named<T> (&table)[N], std::string_view name) {
    for (const Named<T>& entry : table) {
        if (entry.name == name) return entry.value;
    }
    return std::nullopt;
}

std::string_view trim(std::string_view s) {
    const std::size_t begin = s.find_first_not_of(kWhitespace);
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(kWhitespace) - begin + 1);
}

// Row values are whatever the database holds; bytes that are not UTF-8 become U+FFFD
// rather than an exception.
std::string dump(const Json& json) {
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

ApiAnswer error_answer(http::status status, std::string_view code, std::string_view message,
                       Json extra = Json::object()) {
    Json error = {{"status", static_cast<unsigned>(status)}, {"code", code}};
    error.update(extra);
    error["message"] = message.empty() ? std::string_view(http::obsolete_reason(status)) : message;
    return {status, dump(Json{{"error", std::move(error)}}), {}};
}

ApiAnswer bad_request(std::string_view message) {
    return error_answer(http::status::bad_request, "bad_request", message);
}

ApiRoute route_of(Endpoint endpoint) {
    switch (endpoint) {
        case Endpoint::fetch_direct:
            return ApiRoute::direct;
        case Endpoint::fetch_random:
            return ApiRoute::random;
        case Endpoint::fetch_customized:
            return ApiRoute::customized;
        case Endpoint::health:
        case Endpoint::openapi:
        case Endpoint::populate_tables:
        case Endpoint::query:
            break;
    }
    return ApiRoute::default_route;
}

// The bearer token of an Authorization value, or empty.
std::string_view bearer_token(std::string_view authorization) {
    authorization = trim(authorization);
    const std::size_t space = authorization.find(' ');
    if (space == std::string_view::npos) return {};
    if (!boost::beast::iequals(authorization.substr(0, space), "Bearer")) return {};
    return trim(authorization.substr(space + 1));
}

bool is_json_media_type(std::string_view content_type) {
    return boost::beast::iequals(trim(content_type.substr(0, content_type.find(';'))),
                                 "application/json");
}

std::string retry_after_seconds(double seconds) {
    // Rounded up so that a client that waits as told is not refused again; NaN and
    // nonsense become one second.
    if (!(seconds >= 1)) return "1";
    return std::to_string(
        static_cast<std::uint64_t>(std::ceil(std::min(seconds, kMaxRetryAfterS))));
}

// 2^53: the largest range of integers a JSON number (an IEEE double) holds exactly.
constexpr std::int64_t kExactInJson = std::int64_t{1} << 53;

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(std::max(n, 0)));
    return out;
}

// One value as its column's type asks (see mysql::ValueKind); the text as it came when it
// does not read as the type says, so nothing is ever lost.
Json typed_value(const std::string& text, const mysql::ColumnType& column) {
    switch (mysql::value_kind(column)) {
        case mysql::ValueKind::integer: {
            std::int64_t v = 0;
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec == std::errc() && end == text.data() + text.size() && v <= kExactInJson &&
                v >= -kExactInJson) {
                return v;
            }
            return text;  // beyond 2^53 (or an UNSIGNED BIGINT beyond int64)
        }
        case mysql::ValueKind::floating: {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (end == text.c_str() + text.size() && std::isfinite(v)) return v;
            return text;
        }
        case mysql::ValueKind::datetime: {
            if (text.size() > 10 && text[10] == ' ') {
                std::string iso = text;
                iso[10] = 'T';
                return iso;
            }
            return text;
        }
        case mysql::ValueKind::binary:
            return base64(text);
        case mysql::ValueKind::decimal:
        case mysql::ValueKind::date:
        case mysql::ValueKind::time:
        case mysql::ValueKind::text:
            break;
    }
    return text;
}

ApiAnswer answer_result(const ApiResultSet& result) {
    if (!result.has_result_set) {
        const Json body = {{"affected_rows", result.affected_rows},
                           {"last_insert_id", result.last_insert_id}};
        return {http::status::ok, dump(body), {}};
    }
    Json columns = Json::array();
    for (std::size_t i = 0; i < result.columns.size(); ++i) {
        const mysql::ColumnType type =
            i < result.column_types.size() ? result.column_types[i] : mysql::ColumnType{};
        Json column = {{"name", result.columns[i]}, {"type", mysql::type_name(type)}};
        if (mysql::value_kind(type) == mysql::ValueKind::binary) column["encoding"] = "base64";
        columns.push_back(std::move(column));
    }
    Json rows = Json::array();
    for (const auto& row : result.rows) {
        Json values = Json::array();
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (!row[i]) {
                values.push_back(nullptr);
            } else {
                values.push_back(typed_value(*row[i], i < result.column_types.size()
                                                          ? result.column_types[i]
                                                          : mysql::ColumnType{}));
            }
        }
        rows.push_back(std::move(values));
    }
    const Json body = {{"columns", std::move(columns)},
                       {"rows", std::move(rows)},
                       {"row_count", result.rows.size()}};
    return {http::status::ok, dump(body), {}};
}

ApiAnswer answer_failure(const ApiError& error) {
    switch (error.kind) {
        case ApiFailure::bad_request:
            return bad_request(error.message);
        case ApiFailure::forbidden: {
            Json rule = Json::object();
            if (!error.rule.empty()) rule["rule"] = error.rule;
            return error_answer(http::status::forbidden, "policy", error.message, std::move(rule));
        }
        case ApiFailure::too_large:
            return error_answer(http::status::payload_too_large, "too_large", error.message);
        case ApiFailure::rate_limited: {
            ApiAnswer answer =
                error_answer(http::status::too_many_requests, "rate_limited", error.message);
            answer.headers.emplace_back(http::field::retry_after,
                                        retry_after_seconds(error.retry_after_s));
            return answer;
        }
        case ApiFailure::upstream_unavailable:
            return error_answer(http::status::service_unavailable, "upstream_unavailable",
                                error.message);
        case ApiFailure::upstream_error:
            return error_answer(http::status::bad_gateway, "upstream_error", error.message);
        case ApiFailure::statement_failed:
            return error_answer(http::status::bad_request, "statement_failed", error.message,
                                {{"mysql_code", error.mysql_code}, {"sql_state", error.sql_state}});
    }
    return error_answer(http::status::internal_server_error, "internal", "unknown failure");
}

}  // namespace

std::optional<Endpoint> endpoint_of(std::string_view target) {
    return find_named(kPaths, target.substr(0, target.find('?')));
}

HeaderVerdict check_header(const http::request_header<>& header,
                           std::optional<std::uint64_t> content_length, const TokenStore& tokens,
                           std::size_t max_body_bytes) {
    HeaderVerdict verdict;
    const std::optional<Endpoint> endpoint = endpoint_of(header.target());
    if (!endpoint) {
        verdict.reject = error_answer(http::status::not_found, "not_found", "no such endpoint");
        return verdict;
    }
    verdict.endpoint = *endpoint;
    // The GET endpoints need no token: a load balancer's health check, a client's generator.
    const bool get = *endpoint == Endpoint::health || *endpoint == Endpoint::openapi;
    if (header.method() != (get ? http::verb::get : http::verb::post)) {
        verdict.reject = error_answer(http::status::method_not_allowed, "method_not_allowed",
                                      get ? "use GET" : "use POST");
        verdict.reject->headers.emplace_back(http::field::allow, get ? "GET" : "POST");
        return verdict;
    }
    if (get) return verdict;

    const std::string_view token = bearer_token(header[http::field::authorization]);
    std::optional<std::string> user = tokens.authenticate(token);
    if (!user) {
        verdict.reject = error_answer(
            http::status::unauthorized, "unauthorized",
            token.empty() ? "a bearer token is required" : "the bearer token is not valid");
        verdict.reject->headers.emplace_back(
            http::field::www_authenticate,
            token.empty() ? R"(Bearer realm="sqlgate")"
                          : R"(Bearer realm="sqlgate", error="invalid_token")");
        return verdict;
    }
    verdict.user = std::move(*user);

    const auto content_type = header.find(http::field::content_type);
    if (content_type != header.end() && !is_json_media_type(content_type->value())) {
        verdict.reject =
            error_answer(http::status::unsupported_media_type, "unsupported_media_type",
                         "the body must be application/json");
        return verdict;
    }
    if (content_length && *content_length > max_body_bytes) {
        const std::string message = "the body exceeds " + std::to_string(max_body_bytes) + " bytes";
        verdict.reject = error_answer(http::status::payload_too_large, "too_large", message);
    }
    return verdict;
}

std::optional<ApiAnswer> read_query_body(Endpoint endpoint, std::string_view body,
                                         ApiQuery& query) {
    const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return bad_request("the body is not valid JSON");
    if (!json.is_object()) return bad_request("the body must be a JSON object");
    const auto sql = json.find("sql");
    if (sql == json.end() || !sql->is_string()) {
        return bad_request(R"(the body needs a "sql" string)");
    }
    if (trim(sql->get_ref<const std::string&>()).empty()) return bad_request(R"("sql" is empty)");

    query.route = route_of(endpoint);
    if (endpoint == Endpoint::query) {
        const auto route = json.find("route");
        if (route != json.end() && !route->is_null()) {
            if (!route->is_string()) return bad_request(R"("route" must be a string)");
            const std::string& name = route->get_ref<const std::string&>();
            const std::optional<ApiRoute> known = find_named(kRoutes, name);
            if (!known) {
                const std::string message = "unknown route \"" + name.substr(0, kEchoLimit) +
                                            "\": use direct, random or customized";
                return bad_request(message);
            }
            query.route = *known;
        }
    }
    query.sql = sql->get<std::string>();
    return std::nullopt;
}

ApiAnswer answer_outcome(const ApiOutcome& outcome) {
    if (outcome.result) return answer_result(*outcome.result);
    return answer_failure(outcome.error);
}

ApiAnswer answer_health(bool upstream_reachable) {
    const Json body = {{"status", upstream_reachable ? "ok" : "unavailable"}};
    return {
        upstream_reachable ? http::status::ok : http::status::service_unavailable, dump(body), {}};
}

ApiAnswer answer_error(http::status status, std::string_view code, std::string_view message) {
    return error_answer(status, code, message);
}

}  // namespace sqlgate::gatekeeper
