#include "workload/http_client.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sqlgate::workload {
namespace {

std::string url_error(const std::string& text) {
    try {
        parse_http_url(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(ParseHttpUrl, HttpsWithHostAndPort) {
    const HttpUrl url = parse_http_url("https://127.0.10.1:8443");
    EXPECT_TRUE(url.tls);
    EXPECT_EQ(url.host, "127.0.10.1");
    EXPECT_EQ(url.port, 8443);
    EXPECT_EQ(url.base_path, "");
    EXPECT_EQ(url.authority(), "127.0.10.1:8443");
    EXPECT_EQ(url.to_string(), "https://127.0.10.1:8443");
}

TEST(ParseHttpUrl, SchemeDefaultsThePort) {
    EXPECT_EQ(parse_http_url("https://gatekeeper.example.com").port, 443);
    EXPECT_EQ(parse_http_url("HTTPS://gatekeeper.example.com/").port, 443);
    EXPECT_EQ(parse_http_url("http://127.0.0.1").port, 80);
}

TEST(ParseHttpUrl, Ipv6InBrackets) {
    const HttpUrl url = parse_http_url("https://[2001:db8::1]:9443");
    EXPECT_EQ(url.host, "2001:db8::1");
    EXPECT_EQ(url.port, 9443);
    EXPECT_EQ(url.authority(), "[2001:db8::1]:9443");
    EXPECT_EQ(parse_http_url("https://[::1]").port, 443);
}

TEST(ParseHttpUrl, PathIsAPrefixWithoutTrailingSlash) {
    EXPECT_EQ(parse_http_url("https://gk:8443/").base_path, "");
    EXPECT_EQ(parse_http_url("https://gk:8443/api/v2//").base_path, "/api/v2");
    EXPECT_EQ(parse_http_url("https://gk/api").to_string(), "https://gk:443/api");
}

TEST(ParseHttpUrl, PlainHttpOnlyToLoopback) {
    for (const char* ok : {"http://127.0.0.1:8080", "http://127.0.10.1:8443", "http://[::1]:80",
                           "http://localhost:8080", "http://LocalHost"}) {
        EXPECT_NO_THROW(parse_http_url(ok)) << ok;
    }
    for (const char* refused :
         {"http://10.0.0.1:8443", "http://192.0.2.7", "http://[2001:db8::1]",
          "http://gatekeeper.example.com", "http://localhost.example.com", "http://0.0.0.0:8443"}) {
        EXPECT_NE(url_error(refused).find("in clear"), std::string::npos) << refused;
    }
}

TEST(ParseHttpUrl, RefusesWhatIsNotAUsableUrl) {
    const std::pair<const char*, const char*> cases[] = {
        {"127.0.10.1:8443", "expected https://"},
        {"ftp://127.0.0.1", "scheme"},
        {"https://", "host"},
        {"https://:8443", "host"},
        {"https://host:", "port"},
        {"https://host:0", "port"},
        {"https://host:65536", "port"},
        {"https://host:84x3", "port"},
        {"https://host:-1", "port"},
        {"https://user:secret@host", "credentials"},
        {"https://host/fetch?x=1", "query"},
        {"https://host/#top", "fragment"},
        {"https://::1:8443", "brackets"},
        {"https://[::1", "unterminated"},
        {"https://[not-ipv6]:1", "IPv6"},
        {"https://[::1]x", "unexpected"},
        {"https://bad_host!", "host"},
        {"https://host/a b", "path"},
        {"https://host/%2e", "path"},
    };
    for (const auto& [text, why] : cases) {
        const std::string error = url_error(text);
        EXPECT_NE(error.find(why), std::string::npos) << text << " -> " << error;
    }
}

TEST(EndpointFor, EachRouteHasTheOriginalEndpoint) {
    EXPECT_EQ(endpoint_for(Route::write), "/populate_tables");
    EXPECT_EQ(endpoint_for(Route::direct), "/fetch_direct");
    EXPECT_EQ(endpoint_for(Route::random), "/fetch_random");
    EXPECT_EQ(endpoint_for(Route::customized), "/fetch_customized");
    EXPECT_EQ(endpoint_for(Route::node), "/v1/query");
}

TEST(CheckToken, OnlyVisibleAscii) {
    EXPECT_NO_THROW(check_token("Zm9v.YmFy-_~+/="));
    for (const char* bad : {"", "a b", "a\r\nX-Injected: 1", "\x7f", "caf\xc3\xa9"}) {
        EXPECT_THROW(check_token(bad), std::invalid_argument) << bad;
    }
}

TEST(ResultFromAnswer, TypedRowsWithNulls) {
    const auto q = result_from_answer(
        200, R"js({"columns":[{"name":"@@server_id","type":"BIGINT UNSIGNED"},)js"
             R"js({"name":"COUNT(*)","type":"BIGINT"},{"name":"MAX(id)","type":"INT"},)js"
             R"js({"name":"avg","type":"DOUBLE"},{"name":"d","type":"DECIMAL"}],)js"
             R"js("rows":[[2,0,null,1.5,"9.10"]],"row_count":1})js");
    ASSERT_TRUE(q.ok()) << q.error;
    EXPECT_EQ(q.http_status, 200u);
    ASSERT_EQ(q.rows.size(), 1u);
    EXPECT_EQ(q.rows[0], (Row{"2", "0", std::nullopt, "1.5", "9.10"}));
    EXPECT_EQ(q.affected_rows, 0u);
}

TEST(ResultFromAnswer, EmptyResultSet) {
    const auto q = result_from_answer(200, R"({"columns":["a"],"rows":[],"row_count":0})");
    ASSERT_TRUE(q.ok()) << q.error;
    EXPECT_TRUE(q.rows.empty());
}

TEST(ResultFromAnswer, WriteCountsAffectedRows) {
    const auto q = result_from_answer(200, R"({"affected_rows":1,"last_insert_id":42})");
    ASSERT_TRUE(q.ok()) << q.error;
    EXPECT_EQ(q.affected_rows, 1u);
    EXPECT_TRUE(q.rows.empty());
}

TEST(ResultFromAnswer, MalformedSuccessIsAnError) {
    const char* bodies[] = {
        "",
        "not json",
        "[1,2]",
        R"({"affected_rows":-1})",
        R"({"affected_rows":"1"})",
        R"({"columns":[]})",
        R"({"rows":[[true]],"row_count":1})",
        R"({"rows":[[[1]]],"row_count":1})",
        R"({"rows":["a"],"row_count":1})",
        R"({"rows":{},"row_count":0})",
        R"({"rows":[["a"]],"row_count":2})",
    };
    for (const char* body : bodies) {
        const auto q = result_from_answer(200, body);
        EXPECT_FALSE(q.ok()) << body;
        EXPECT_EQ(q.error.rfind("HTTP 200: ", 0), 0u) << q.error;
        EXPECT_TRUE(q.rows.empty()) << body;
    }
}

TEST(ResultFromAnswer, PolicyRefusalNamesTheRule) {
    const auto q =
        result_from_answer(403, R"({"error":{"status":403,"code":"policy","rule":"tautology",)"
                                R"("message":"always-true condition"}})");
    EXPECT_EQ(q.error, "HTTP 403 policy (tautology): always-true condition");
    EXPECT_EQ(q.http_status, 403u);
    EXPECT_EQ(q.error_code, 0u);
}

TEST(ResultFromAnswer, ErrorWithoutRule) {
    const auto q = result_from_answer(
        401, R"({"error":{"status":401,"code":"unauthorized","message":"the bearer token is not )"
             R"(valid"}})");
    EXPECT_EQ(q.error, "HTTP 401 unauthorized: the bearer token is not valid");
}

TEST(ResultFromAnswer, DatabaseRefusalReadsLikeTheMysqlClient) {
    const auto q = result_from_answer(
        400, R"({"error":{"status":400,"code":"statement_failed","mysql_code":1146,)"
             R"("sql_state":"42S02","message":"Table 'main_db.nosuch' doesn't exist"}})");
    EXPECT_EQ(q.error,
              "HTTP 400 statement_failed: ERROR 1146 (42S02): Table 'main_db.nosuch' doesn't "
              "exist");
    EXPECT_EQ(q.error_code, 1146u);
}

TEST(ResultFromAnswer, BodyThatIsNotTheApiError) {
    EXPECT_EQ(result_from_answer(502, "").error, "HTTP 502 Bad Gateway");
    EXPECT_EQ(result_from_answer(503, "<html>\r\n<b>down</b></html>").error,
              "HTTP 503 Service Unavailable: <html>  <b>down</b></html>");
    EXPECT_EQ(result_from_answer(590, "{}").error, "HTTP 590: {}");
    const auto long_body = result_from_answer(500, std::string(1000, 'x')).error;
    EXPECT_LT(long_body.size(), 250u);
    EXPECT_EQ(long_body.substr(long_body.size() - 3), "...");
}

TEST(ResultFromAnswer, RedirectIsAnErrorNotFollowed) {
    const auto q = result_from_answer(301, "");
    EXPECT_FALSE(q.ok());
    EXPECT_EQ(q.error, "HTTP 301 Moved Permanently");
}

}  // namespace
}  // namespace sqlgate::workload
