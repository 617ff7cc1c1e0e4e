// The API's checks and JSON answers without sockets: header verdicts, body parsing, the
// shape of every answer.
#include "gatekeeper/api_exchange.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace sqlgate::gatekeeper {
namespace {

using nlohmann::json;

const TokenStore& tokens() {
    static const TokenStore store({{"alice", sha256_hex("alice-token")}});
    return store;
}

http::request_header<> header(http::verb method, std::string_view target,
                              std::string_view token = {}) {
    http::request_header<> h;
    h.method(method);
    h.target(target);
    h.version(11);
    if (!token.empty()) h.set(http::field::authorization, "Bearer " + std::string(token));
    return h;
}

std::string header_value(const ApiAnswer& answer, http::field field) {
    for (const auto& [f, value] : answer.headers) {
        if (f == field) return value;
    }
    return "<absent>";
}

ApiAnswer failure(ApiError error) {
    return answer_outcome({std::nullopt, std::move(error)});
}

TEST(EndpointOf, KnowsTheOriginalEndpointsAndV1Query) {
    EXPECT_EQ(endpoint_of("/health_check"), Endpoint::health);
    EXPECT_EQ(endpoint_of("/populate_tables"), Endpoint::populate_tables);
    EXPECT_EQ(endpoint_of("/fetch_direct"), Endpoint::fetch_direct);
    EXPECT_EQ(endpoint_of("/fetch_random"), Endpoint::fetch_random);
    EXPECT_EQ(endpoint_of("/fetch_customized"), Endpoint::fetch_customized);
    EXPECT_EQ(endpoint_of("/v1/query?trace=1"), Endpoint::query);
    EXPECT_EQ(endpoint_of("/v1/query/"), std::nullopt);
    EXPECT_EQ(endpoint_of("/FETCH_DIRECT"), std::nullopt);
    EXPECT_EQ(endpoint_of("http://host/fetch_direct"), std::nullopt);
    EXPECT_EQ(endpoint_of(""), std::nullopt);
}

TEST(CheckHeader, PathAndMethodComeBeforeTheToken) {
    const auto unknown = check_header(header(http::verb::post, "/nope"), 0, tokens(), 100);
    ASSERT_TRUE(unknown.reject);
    EXPECT_EQ(unknown.reject->status, http::status::not_found);

    const auto wrong_method =
        check_header(header(http::verb::get, "/fetch_direct"), {}, tokens(), 100);
    ASSERT_TRUE(wrong_method.reject);
    EXPECT_EQ(wrong_method.reject->status, http::status::method_not_allowed);
    EXPECT_EQ(header_value(*wrong_method.reject, http::field::allow), "POST");
}

TEST(CheckHeader, TokenComesBeforeContentTypeAndSize) {
    auto h = header(http::verb::post, "/fetch_direct", "wrong");
    h.set(http::field::content_type, "text/plain");
    const auto verdict = check_header(h, 1'000'000, tokens(), 100);
    ASSERT_TRUE(verdict.reject);
    EXPECT_EQ(verdict.reject->status, http::status::unauthorized);
    EXPECT_EQ(header_value(*verdict.reject, http::field::www_authenticate),
              R"(Bearer realm="sqlgate", error="invalid_token")");
}

TEST(CheckHeader, AcceptsAnAuthenticatedJsonPost) {
    auto h = header(http::verb::post, "/fetch_random", "alice-token");
    h.set(http::field::content_type, "application/json; charset=utf-8");
    const auto verdict = check_header(h, 100, tokens(), 100);
    EXPECT_FALSE(verdict.reject);
    EXPECT_EQ(verdict.endpoint, Endpoint::fetch_random);
    EXPECT_EQ(verdict.user, "alice");
}

TEST(CheckHeader, BearerSchemeIsCaseInsensitiveAndOthersAreRefused) {
    auto h = header(http::verb::post, "/fetch_direct");
    h.set(http::field::authorization, "bearer   alice-token ");
    EXPECT_FALSE(check_header(h, 0, tokens(), 100).reject);
    h.set(http::field::authorization, "Basic alice-token");
    EXPECT_TRUE(check_header(h, 0, tokens(), 100).reject);
    h.set(http::field::authorization, "Bearer");
    const auto bare = check_header(h, 0, tokens(), 100);
    ASSERT_TRUE(bare.reject);
    EXPECT_EQ(header_value(*bare.reject, http::field::www_authenticate),
              R"(Bearer realm="sqlgate")");
}

TEST(CheckHeader, ContentLengthOverTheLimitIs413AndAtTheLimitIsFine) {
    const auto h = header(http::verb::post, "/v1/query", "alice-token");
    EXPECT_FALSE(check_header(h, 100, tokens(), 100).reject);
    const auto over = check_header(h, 101, tokens(), 100);
    ASSERT_TRUE(over.reject);
    EXPECT_EQ(over.reject->status, http::status::payload_too_large);
}

TEST(CheckHeader, HealthNeedsNoToken) {
    const auto verdict = check_header(header(http::verb::get, "/health_check"), {}, tokens(), 100);
    EXPECT_FALSE(verdict.reject);
    EXPECT_EQ(verdict.endpoint, Endpoint::health);
}

TEST(ReadQueryBody, LegacyEndpointsIgnoreARouteInTheBody) {
    ApiQuery query;
    EXPECT_FALSE(
        read_query_body(Endpoint::fetch_direct, R"({"sql":"SELECT 1","route":"random"})", query));
    EXPECT_EQ(query.route, ApiRoute::direct);
    EXPECT_EQ(query.sql, "SELECT 1");
    EXPECT_FALSE(read_query_body(Endpoint::populate_tables, R"({"sql":"INSERT"})", query));
    EXPECT_EQ(query.route, ApiRoute::default_route);
}

TEST(ReadQueryBody, KeepsTheStatementByteForByte) {
    ApiQuery query;
    const std::string body = R"({"sql":"SELECT 'é\u0000\"' -- x\n"})";
    EXPECT_FALSE(read_query_body(Endpoint::query, body, query));
    using namespace std::string_literals;
    EXPECT_EQ(query.sql, "SELECT '\xc3\xa9\0\"' -- x\n"s);
}

TEST(ReadQueryBody, RefusesBodiesThatDoNotCarryAStatement) {
    for (const std::string_view body :
         {"", "null", "[]", R"("SELECT 1")", "{}", R"({"sql":1})", R"({"sql":null})",
          R"({"sql":["SELECT 1"]})", R"({"sql":" \n\t"})", R"({"sql":"SELECT 1")",
          "{\"sql\":\"\xff\"}", R"({"sql":"SELECT 1"} trailing)"}) {
        ApiQuery query;
        const auto answer = read_query_body(Endpoint::query, body, query);
        ASSERT_TRUE(answer) << body;
        EXPECT_EQ(answer->status, http::status::bad_request) << body;
        EXPECT_EQ(json::parse(answer->body)["error"]["code"], "bad_request") << body;
    }
}

TEST(ReadQueryBody, NamesAnUnknownRoute) {
    ApiQuery query;
    const auto answer =
        read_query_body(Endpoint::query, R"({"sql":"SELECT 1","route":"fastest"})", query);
    ASSERT_TRUE(answer);
    EXPECT_NE(json::parse(answer->body)["error"]["message"].get<std::string>().find("\"fastest\""),
              std::string::npos);
    EXPECT_TRUE(read_query_body(Endpoint::query, R"({"sql":"SELECT 1","route":"RANDOM"})", query));
    EXPECT_TRUE(read_query_body(Endpoint::query, R"({"sql":"SELECT 1","route":2})", query));
}

TEST(AnswerOutcome, ErrorsListStatusAndCodeFirst) {
    const ApiAnswer answer = failure(
        {.kind = ApiFailure::forbidden, .rule = "tautology", .message = "always-true condition"});
    EXPECT_EQ(answer.status, http::status::forbidden);
    EXPECT_EQ(
        answer.body,
        R"({"error":{"status":403,"code":"policy","rule":"tautology","message":"always-true condition"}})");
}

TEST(AnswerOutcome, PolicyRefusalWithoutRuleHasNoRuleMember) {
    const json body = json::parse(failure({.kind = ApiFailure::forbidden}).body);
    EXPECT_FALSE(body["error"].contains("rule"));
    EXPECT_EQ(body["error"]["message"], "Forbidden");  // the reason phrase stands in
}

TEST(AnswerOutcome, RetryAfterIsWholeSecondsRoundedUp) {
    const auto retry_after = [](double seconds) {
        return header_value(failure({.kind = ApiFailure::rate_limited, .retry_after_s = seconds}),
                            http::field::retry_after);
    };
    EXPECT_EQ(retry_after(1.2), "2");
    EXPECT_EQ(retry_after(2.0), "2");
    EXPECT_EQ(retry_after(2.001), "3");
    EXPECT_EQ(retry_after(0), "1");
    EXPECT_EQ(retry_after(0.01), "1");
    EXPECT_EQ(retry_after(-5), "1");
    EXPECT_EQ(retry_after(std::nan("")), "1");
    EXPECT_EQ(retry_after(std::numeric_limits<double>::infinity()), "86400");
}

TEST(AnswerOutcome, StatementFailureCarriesTheMysqlError) {
    const ApiAnswer answer = failure({.kind = ApiFailure::statement_failed,
                                      .message = "Table 'app.nope' doesn't exist",
                                      .mysql_code = 1146,
                                      .sql_state = "42S02"});
    EXPECT_EQ(answer.status, http::status::bad_request);
    const json error = json::parse(answer.body)["error"];
    EXPECT_EQ(error["code"], "statement_failed");
    EXPECT_EQ(error["mysql_code"], 1146);
    EXPECT_EQ(error["sql_state"], "42S02");
}

TEST(AnswerOutcome, EachFailureHasItsStatus) {
    EXPECT_EQ(failure({.kind = ApiFailure::bad_request}).status, http::status::bad_request);
    EXPECT_EQ(failure({.kind = ApiFailure::too_large}).status, http::status::payload_too_large);
    EXPECT_EQ(failure({.kind = ApiFailure::upstream_unavailable}).status,
              http::status::service_unavailable);
    EXPECT_EQ(failure({.kind = ApiFailure::upstream_error}).status, http::status::bad_gateway);
    EXPECT_EQ(failure({.kind = static_cast<ApiFailure>(99)}).status,
              http::status::internal_server_error);
}

TEST(AnswerOutcome, ValuesThatAreNotUtf8BecomeReplacementCharacters) {
    ApiResultSet result{.columns = {"blob"},
                        .rows = {{std::string("a\xff\xfe"
                                              "b")}},
                        .has_result_set = true};
    const ApiAnswer answer = answer_outcome({result, {}});
    EXPECT_EQ(json::parse(answer.body)["rows"][0][0],
              "a\xef\xbf\xbd\xef\xbf\xbd"
              "b");
}

TEST(AnswerOutcome, ValuesAreTypedByTheirColumns) {
    using mysql::ColumnType;
    const ColumnType int_type{.type = 0x03};
    const ColumnType bigint{.type = 0x08};
    const ColumnType bigint_unsigned{.type = 0x08, .flags = 0x20};
    const ColumnType decimal{.type = 0xf6, .charset = 63};
    const ColumnType datetime{.type = 0x0c, .charset = 63};
    const ColumnType date{.type = 0x0a, .charset = 63};
    const ColumnType blob{.type = 0xfc, .charset = 63};
    const ColumnType text{.type = 0xfc, .charset = 45};
    const ColumnType dbl{.type = 0x05, .charset = 63};
    ApiResultSet result{
        .columns = {"i", "big", "huge", "u", "d", "dt", "day", "b", "t", "f", "n"},
        .column_types = {int_type, bigint, bigint, bigint_unsigned, decimal, datetime, date, blob,
                         text, dbl, int_type},
        .rows = {{"-30", "9007199254740992", "9007199254740993", "18446744073709551615",
                  "12345678901234567890.12", "2026-12-06 10:20:30.250000", "2026-12-06",
                  std::string("\x00\xff\x10", 3), "caf\xc3\xa9", "1.5", std::nullopt}},
        .has_result_set = true};
    const json body = json::parse(answer_outcome({result, {}}).body);
    EXPECT_EQ(body["rows"][0], json::parse(R"([-30, 9007199254740992, "9007199254740993",
        "18446744073709551615", "12345678901234567890.12", "2026-12-06T10:20:30.250000",
        "2026-12-06", "AP8Q", "caf\u00e9", 1.5, null])"));
    EXPECT_EQ(body["columns"][0], json::parse(R"({"name": "i", "type": "INT"})"));
    EXPECT_EQ(body["columns"][3], json::parse(R"({"name": "u", "type": "BIGINT UNSIGNED"})"));
    EXPECT_EQ(body["columns"][4], json::parse(R"({"name": "d", "type": "DECIMAL"})"));
    EXPECT_EQ(body["columns"][5], json::parse(R"({"name": "dt", "type": "DATETIME"})"));
    EXPECT_EQ(body["columns"][7],
              json::parse(R"({"name": "b", "type": "BLOB", "encoding": "base64"})"));
    EXPECT_EQ(body["columns"][8], json::parse(R"({"name": "t", "type": "TEXT"})"));
    EXPECT_EQ(body["row_count"], 1);
}

TEST(AnswerOutcome, LargeCountersSurviveExactly) {
    const ApiResultSet write{.affected_rows = 18'446'744'073'709'551'615ull,
                             .last_insert_id = 9'007'199'254'740'993ull};
    EXPECT_EQ(answer_outcome({write, {}}).body,
              R"({"affected_rows":18446744073709551615,"last_insert_id":9007199254740993})");
}

TEST(AnswerOutcome, EmptyResultSetStillHasColumnsAndRows) {
    const ApiResultSet empty{.columns = {"id"}, .has_result_set = true};
    EXPECT_EQ(answer_outcome({empty, {}}).body,
              R"({"columns":[{"name":"id","type":"VARCHAR"}],"rows":[],"row_count":0})");
}

TEST(AnswerHealth, SaysOkOrUnavailable) {
    EXPECT_EQ(answer_health(true).status, http::status::ok);
    EXPECT_EQ(answer_health(true).body, R"({"status":"ok"})");
    EXPECT_EQ(answer_health(false).status, http::status::service_unavailable);
    EXPECT_EQ(answer_health(false).body, R"({"status":"unavailable"})");
}

}  // namespace
}  // namespace sqlgate::gatekeeper
