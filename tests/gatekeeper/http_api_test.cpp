// The HTTPS API end to end on loopback: a real HttpApiServer with a generated certificate, a
// canned QueryRunner that records what it is given, and a verifying Beast client.
#include "gatekeeper/http_api.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "eventually.hpp"
#include "https_test_client.hpp"
#include "test_tls.hpp"

namespace sqlgate::gatekeeper {
namespace {

using namespace std::chrono_literals;
using namespace test_support;
namespace ssl = boost::asio::ssl;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using sqlgate::testing::eventually;

constexpr std::string_view kAliceToken = "alice-secret-token";
constexpr std::string_view kBobToken = "bob-secret-token";

json json_of(const Response& response) {
    return json::parse(response.body());
}

std::string sql_body(std::string_view sql) {
    return json{{"sql", sql}}.dump();
}

class HttpApiTest : public ::testing::Test {
  protected:
    HttpApiTest()
        : server_tls_(make_server_context(shared_test_certificate())),
          client_tls_(make_client_context(shared_test_certificate())) {}

    void SetUp() override { start(default_settings()); }
    void TearDown() override { stop(); }

    static HttpApiSettings default_settings() {
        HttpApiSettings settings;
        settings.listen = {boost::asio::ip::make_address("127.0.0.1"), 0};
        settings.tokens = {{"alice", sha256_hex(kAliceToken)}, {"bob", sha256_hex(kBobToken)}};
        settings.header_timeout = 5s;
        settings.idle_timeout = 5s;
        return settings;
    }

    void start(HttpApiSettings settings) {
        server_ = std::make_unique<HttpApiServer>(server_io_, server_tls_, std::move(settings),
                                                  runner(), probe());
        server_->start();
        endpoint_ = server_->local_endpoint();
        server_io_.restart();
        server_thread_ = std::thread([this] { server_io_.run(); });
    }

    // Stops the server on its own thread and waits until every connection has ended.
    void stop() {
        if (!server_thread_.joinable()) return;
        boost::asio::post(server_io_, [this] { server_->stop(); });
        server_thread_.join();
        server_.reset();
    }

    // Restarts the server with the default settings as `change` leaves them.
    void restart(const std::function<void(HttpApiSettings&)>& change) {
        HttpApiSettings settings = default_settings();
        change(settings);
        stop();
        start(std::move(settings));
    }

    // How long after `since` the server ended `c`'s connection.
    Clock::duration closed_after(HttpsTestClient& c, Clock::time_point since, bool tls = true) {
        EXPECT_TRUE(run_for(client_io_, tls ? c.wait_closed_tls() : c.wait_closed_tcp()));
        return Clock::now() - since;
    }

    // The server's count of open connections, read on its own thread.
    std::size_t server_connections() {
        std::promise<std::size_t> count;
        boost::asio::post(server_io_, [&] { count.set_value(server_->connection_count()); });
        return count.get_future().get();
    }

    QueryRunner runner() {
        return [this](const ApiQuery& query) -> boost::asio::awaitable<ApiOutcome> {
            if (query.sql == "SLOW") {
                const auto executor = co_await boost::asio::this_coro::executor;
                boost::asio::steady_timer timer(executor, 500ms);
                co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            }
            if (query.sql == "THROW") throw std::runtime_error("runner exploded");
            const std::lock_guard lock(mutex_);
            queries_.push_back(query);
            co_return outcome_;
        };
    }

    HealthProbe probe() {
        return [this]() -> boost::asio::awaitable<bool> { co_return healthy_.load(); };
    }

    void set_outcome(ApiOutcome outcome) {
        const std::lock_guard lock(mutex_);
        outcome_ = std::move(outcome);
    }

    std::vector<ApiQuery> queries() {
        const std::lock_guard lock(mutex_);
        return queries_;
    }

    HttpsTestClient client() { return HttpsTestClient(client_io_, client_tls_, endpoint_); }

    // One request on a fresh connection.
    Reply call(const Request& request) {
        HttpsTestClient c = client();
        const error_code ec = run_for(client_io_, c.connect());
        if (ec) return {ec, {}};
        return run_for(client_io_, c.request(request));
    }

    Reply post(std::string_view target, std::string_view body,
               std::string_view token = kAliceToken) {
        const Request request = make_request(http::verb::post, target, body, token);
        return call(request);
    }

    // Sends raw bytes over TLS on a fresh connection and reads one answer.
    Reply send_raw(const std::string& bytes) {
        HttpsTestClient c = client();
        const error_code ec = run_for(client_io_, c.connect());
        if (ec) return {ec, {}};
        const error_code write_ec = run_for(client_io_, c.write_tls(bytes));
        if (write_ec) return {write_ec, {}};
        return run_for(client_io_, c.read_response());
    }

    // The answer for each error status must be JSON with the same status inside.
    static void expect_error(const Reply& reply, http::status status, std::string_view code) {
        ASSERT_FALSE(reply.ec) << reply.ec.message();
        EXPECT_EQ(reply.response.result(), status);
        EXPECT_EQ(reply.response[http::field::content_type], "application/json");
        EXPECT_EQ(reply.response[http::field::cache_control], "no-store");
        const json body = json_of(reply.response);
        EXPECT_EQ(body["error"]["status"], static_cast<unsigned>(status));
        EXPECT_EQ(body["error"]["code"], code);
        EXPECT_TRUE(body["error"]["message"].is_string());
    }

    ssl::context server_tls_;
    ssl::context client_tls_;
    boost::asio::io_context server_io_{1};
    boost::asio::io_context client_io_{1};
    std::unique_ptr<HttpApiServer> server_;
    std::thread server_thread_;
    tcp::endpoint endpoint_;

    std::atomic<bool> healthy_{true};
    std::mutex mutex_;
    std::vector<ApiQuery> queries_;
    ApiOutcome outcome_{ApiResultSet{.columns = {"one"}, .rows = {{"1"}}, .has_result_set = true},
                        {}};
};

TEST_F(HttpApiTest, HealthIsOkWhileTheUpstreamIsReachableAndNeedsNoToken) {
    const Request request = make_request(http::verb::get, "/health_check");
    const Reply up = call(request);
    ASSERT_FALSE(up.ec) << up.ec.message();
    EXPECT_EQ(up.response.result(), http::status::ok);
    EXPECT_EQ(up.response[http::field::content_type], "application/json");
    EXPECT_EQ(up.response[http::field::cache_control], "no-store");
    EXPECT_EQ(json_of(up.response), json({{"status", "ok"}}));

    healthy_ = false;
    const Reply down = call(request);
    ASSERT_FALSE(down.ec);
    EXPECT_EQ(down.response.result(), http::status::service_unavailable);
    EXPECT_EQ(json_of(down.response), json({{"status", "unavailable"}}));
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, OriginalEndpointsPassTheirRouteTheStatementAndTheUser) {
    struct Case {
        std::string_view target;
        ApiRoute route;
        std::string_view token;
        std::string_view user;
    };
    const Case cases[] = {
        {"/populate_tables", ApiRoute::default_route, kAliceToken, "alice"},
        {"/fetch_direct", ApiRoute::direct, kBobToken, "bob"},
        {"/fetch_random", ApiRoute::random, kAliceToken, "alice"},
        {"/fetch_customized", ApiRoute::customized, kBobToken, "bob"},
    };
    for (const Case& c : cases) {
        const std::string sql = "SELECT '" + std::string(c.target) + "'";
        const Reply reply = post(c.target, sql_body(sql), c.token);
        ASSERT_FALSE(reply.ec) << c.target;
        EXPECT_EQ(reply.response.result(), http::status::ok) << c.target;
        const auto seen = queries();
        ASSERT_FALSE(seen.empty());
        EXPECT_EQ(seen.back().sql, sql);
        EXPECT_EQ(seen.back().route, c.route) << c.target;
        EXPECT_EQ(seen.back().user, c.user);
        EXPECT_EQ(seen.back().source, boost::asio::ip::make_address("127.0.0.1"));
    }
    EXPECT_EQ(queries().size(), std::size(cases));
}

TEST_F(HttpApiTest, V1QueryTakesTheRouteFromTheBody) {
    const std::pair<std::string, ApiRoute> cases[] = {
        {R"({"sql":"SELECT 1","route":"random"})", ApiRoute::random},
        {R"({"sql":"SELECT 1","route":"direct"})", ApiRoute::direct},
        {R"({"sql":"SELECT 1","route":"customized"})", ApiRoute::customized},
        {R"({"sql":"SELECT 1"})", ApiRoute::default_route},
        {R"({"sql":"SELECT 1","route":null,"comment":{"extra":[1,2]}})", ApiRoute::default_route},
    };
    for (const auto& [body, route] : cases) {
        const Reply reply = post("/v1/query", body);
        ASSERT_FALSE(reply.ec);
        EXPECT_EQ(reply.response.result(), http::status::ok) << body;
        ASSERT_FALSE(queries().empty());
        EXPECT_EQ(queries().back().route, route) << body;
    }
}

TEST_F(HttpApiTest, UnknownRouteIs400NamingItAndRunsNothing) {
    const Reply reply = post("/v1/query", R"({"sql":"SELECT 1","route":"fastest"})");
    expect_error(reply, http::status::bad_request, "bad_request");
    EXPECT_NE(json_of(reply.response)["error"]["message"].get<std::string>().find("fastest"),
              std::string::npos);
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, ResultSetsAnswerColumnsRowsAndRowCountWithNullsAsNull) {
    set_outcome({ApiResultSet{.columns = {"id", "name"},
                              .column_types = {{.type = 0x03}, {}},
                              .rows = {{"1", "ann"}, {"2", std::nullopt}},
                              .has_result_set = true},
                 {}});
    const Reply reply = post("/fetch_random", sql_body("SELECT id, name FROM t"));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
    EXPECT_EQ(
        json_of(reply.response),
        json::parse(R"({"columns":[{"name":"id","type":"INT"},{"name":"name","type":"VARCHAR"}],
        "rows":[[1,"ann"],[2,null]],"row_count":2})"));
}

TEST_F(HttpApiTest, WritesAnswerAffectedRowsAndLastInsertId) {
    set_outcome({ApiResultSet{.affected_rows = 3, .last_insert_id = 42}, {}});
    const Reply reply = post("/populate_tables", sql_body("INSERT INTO t VALUES (1),(2),(3)"));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
    EXPECT_EQ(json_of(reply.response), json({{"affected_rows", 3}, {"last_insert_id", 42}}));
}

TEST_F(HttpApiTest, MissingOrUnknownTokensAre401WithABearerChallenge) {
    const std::string body = sql_body("SELECT 1");
    std::vector<Request> requests = {
        make_request(http::verb::post, "/fetch_direct", body),
        make_request(http::verb::post, "/fetch_direct", body, "not-a-token"),
        make_request(http::verb::post, "/fetch_direct", body, std::string(kAliceToken) + "x"),
        make_request(http::verb::post, "/fetch_direct", body, sha256_hex(kAliceToken)),
    };
    Request basic = make_request(http::verb::post, "/fetch_direct", body);
    basic.set(http::field::authorization, "Basic " + std::string(kAliceToken));
    requests.push_back(basic);
    for (const Request& request : requests) {
        const Reply reply = call(request);
        expect_error(reply, http::status::unauthorized, "unauthorized");
        EXPECT_TRUE(reply.response[http::field::www_authenticate].starts_with("Bearer"));
    }
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, RunnerFailuresBecomeTheirStatuses) {
    struct Case {
        ApiError error;
        http::status status;
        std::string_view code;
    };
    const Case cases[] = {
        {{.kind = ApiFailure::forbidden, .rule = "tautology", .message = "OR 1=1"},
         http::status::forbidden,
         "policy"},
        {{.kind = ApiFailure::rate_limited, .message = "slow down", .retry_after_s = 1.2},
         http::status::too_many_requests,
         "rate_limited"},
        {{.kind = ApiFailure::upstream_unavailable},
         http::status::service_unavailable,
         "upstream_unavailable"},
        {{.kind = ApiFailure::upstream_error, .message = "lost"},
         http::status::bad_gateway,
         "upstream_error"},
        {{.kind = ApiFailure::statement_failed,
          .message = "no such table",
          .mysql_code = 1146,
          .sql_state = "42S02"},
         http::status::bad_request,
         "statement_failed"},
        {{.kind = ApiFailure::too_large}, http::status::payload_too_large, "too_large"},
        {{.kind = ApiFailure::bad_request}, http::status::bad_request, "bad_request"},
    };
    for (const Case& c : cases) {
        set_outcome({std::nullopt, c.error});
        const Reply reply = post("/fetch_direct", sql_body("SELECT 1"));
        SCOPED_TRACE(std::string(c.code));
        expect_error(reply, c.status, c.code);
        const json error = json_of(reply.response)["error"];
        if (!c.error.message.empty()) {
            EXPECT_EQ(error["message"], c.error.message);
        }
        if (c.status == http::status::forbidden) {
            EXPECT_EQ(error["rule"], "tautology");
        }
        if (c.status == http::status::too_many_requests) {
            EXPECT_EQ(reply.response[http::field::retry_after], "2");
        }
        if (c.code == "statement_failed") {
            EXPECT_EQ(error["mysql_code"], 1146);
            EXPECT_EQ(error["sql_state"], "42S02");
        }
    }
}

TEST_F(HttpApiTest, UnknownPathIs404) {
    expect_error(post("/fetch_everything", sql_body("SELECT 1")), http::status::not_found,
                 "not_found");
    expect_error(call(make_request(http::verb::get, "/")), http::status::not_found, "not_found");
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, WrongMethodIs405WithAllow) {
    const Reply get = call(make_request(http::verb::get, "/fetch_direct", {}, kAliceToken));
    expect_error(get, http::status::method_not_allowed, "method_not_allowed");
    EXPECT_EQ(get.response[http::field::allow], "POST");

    const Reply post_health = post("/health_check", "{}");
    expect_error(post_health, http::status::method_not_allowed, "method_not_allowed");
    EXPECT_EQ(post_health.response[http::field::allow], "GET");

    const Reply del = call(make_request(http::verb::delete_, "/v1/query", {}, kAliceToken));
    expect_error(del, http::status::method_not_allowed, "method_not_allowed");
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, ContentTypeOtherThanJsonIs415) {
    const std::string body = sql_body("SELECT 1");
    const Request text =
        make_request(http::verb::post, "/fetch_direct", body, kAliceToken, "text/plain");
    expect_error(call(text), http::status::unsupported_media_type, "unsupported_media_type");
    EXPECT_TRUE(queries().empty());

    for (const std::string_view accepted :
         {"application/json; charset=utf-8", "Application/JSON", ""}) {
        const Request request =
            make_request(http::verb::post, "/fetch_direct", body, kAliceToken, accepted);
        const Reply reply = call(request);
        ASSERT_FALSE(reply.ec);
        EXPECT_EQ(reply.response.result(), http::status::ok) << accepted;
    }
    EXPECT_EQ(queries().size(), 3u);
}

TEST_F(HttpApiTest, BodiesWithoutAStatementAre400) {
    for (const std::string_view body : {"not json", "[1,2]", "{}", R"({"sql":5})", R"({"sql":""})",
                                        R"({"query":"SELECT 1"})", R"({"sql":"SELECT 1")"}) {
        expect_error(post("/fetch_random", body), http::status::bad_request, "bad_request");
    }
    expect_error(post("/fetch_random", ""), http::status::bad_request, "bad_request");
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, RunnerExceptionIs500AndServiceGoesOn) {
    expect_error(post("/fetch_direct", sql_body("THROW")), http::status::internal_server_error,
                 "internal");
    const Reply next = post("/fetch_direct", sql_body("SELECT 1"));
    ASSERT_FALSE(next.ec);
    EXPECT_EQ(next.response.result(), http::status::ok);
}

TEST_F(HttpApiTest, DeclaredBodyOverTheLimitIs413WithoutReadingIt) {
    restart([](HttpApiSettings& s) { s.max_body_bytes = 1024; });
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const std::string header = "POST /fetch_direct HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                               std::string(kAliceToken) +
                               "\r\nContent-Type: application/json\r\nContent-Length: 1025\r\n\r\n";
    ASSERT_FALSE(run_for(client_io_, c.write_tls(header)));
    const Reply reply = run_for(client_io_, c.read_response());
    expect_error(reply, http::status::payload_too_large, "too_large");
    EXPECT_FALSE(reply.response.keep_alive());
    // Closed without waiting for the 1025 bytes it announced.
    EXPECT_LT(closed_after(c, Clock::now()), 1s);
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, BodyAtTheLimitIsAccepted) {
    restart([](HttpApiSettings& s) { s.max_body_bytes = 1024; });
    std::string body = sql_body("SELECT ''");
    body.insert(body.size() - 3, 1024 - body.size(), 'x');
    ASSERT_EQ(body.size(), 1024u);
    const Reply reply = post("/fetch_direct", body);
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
    ASSERT_EQ(queries().size(), 1u);
    EXPECT_EQ(queries()[0].sql.size(), 1024u - std::string(R"({"sql":""})").size());
}

TEST_F(HttpApiTest, ChunkedBodyOverTheLimitIs413) {
    restart([](HttpApiSettings& s) { s.max_body_bytes = 1024; });
    std::string body = sql_body(std::string(2000, 'x'));
    Request request = make_request(http::verb::post, "/fetch_direct", body, kAliceToken);
    request.chunked(true);
    expect_error(call(request), http::status::payload_too_large, "too_large");
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, ClientStillUploadingAnOversizedBodyReceivesThe413) {
    restart([](HttpApiSettings& s) { s.max_body_bytes = 1024; });
    // Far more than socket buffers hold: the client is still writing when the server answers.
    const std::string body = sql_body(std::string(4 << 20, 'x'));
    const Reply reply = post("/fetch_direct", body);
    expect_error(reply, http::status::payload_too_large, "too_large");
}

TEST_F(HttpApiTest, ExpectContinueGets100BeforeTheBody) {
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const std::string body = sql_body("SELECT 100");
    const std::string header = "POST /fetch_direct HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                               std::string(kAliceToken) + "\r\nExpect: 100-continue\r\n" +
                               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    ASSERT_FALSE(run_for(client_io_, c.write_tls(header)));
    const Reply interim = run_for(client_io_, c.read_response());
    ASSERT_FALSE(interim.ec);
    EXPECT_EQ(interim.response.result(), http::status::continue_);
    ASSERT_FALSE(run_for(client_io_, c.write_tls(body)));
    const Reply final_reply = run_for(client_io_, c.read_response());
    ASSERT_FALSE(final_reply.ec);
    EXPECT_EQ(final_reply.response.result(), http::status::ok);
    ASSERT_EQ(queries().size(), 1u);
    EXPECT_EQ(queries()[0].sql, "SELECT 100");
}

TEST_F(HttpApiTest, RefusedExpectContinueIsAnsweredAtOnceAndClosed) {
    const std::string header =
        "POST /fetch_direct HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\n"
        "Expect: 100-continue\r\nContent-Length: 20\r\n\r\n";
    const Reply reply = send_raw(header);
    expect_error(reply, http::status::unauthorized, "unauthorized");
    EXPECT_FALSE(reply.response.keep_alive());
}

TEST_F(HttpApiTest, KeepAliveServesSeveralRequestsIncludingRefusedOnes) {
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const std::string body = sql_body("SELECT 1");
    const Request requests[] = {
        make_request(http::verb::get, "/health_check"),
        make_request(http::verb::post, "/fetch_direct", body, kAliceToken),
        make_request(http::verb::post, "/fetch_direct", body, "wrong-token"),  // body dropped
        make_request(http::verb::post, "/nowhere", body, kAliceToken),
        make_request(http::verb::post, "/v1/query", "[]", kAliceToken),
        make_request(http::verb::post, "/fetch_random", body, kBobToken),
    };
    const http::status expected[] = {http::status::ok,           http::status::ok,
                                     http::status::unauthorized, http::status::not_found,
                                     http::status::bad_request,  http::status::ok};
    for (std::size_t i = 0; i < std::size(requests); ++i) {
        const Reply reply = run_for(client_io_, c.request(requests[i]));
        ASSERT_FALSE(reply.ec) << i << ": " << reply.ec.message();
        EXPECT_EQ(reply.response.result(), expected[i]) << i;
        EXPECT_TRUE(reply.response.keep_alive()) << i;
    }
    ASSERT_EQ(queries().size(), 2u);
    EXPECT_EQ(queries()[1].user, "bob");
}

TEST_F(HttpApiTest, PipelinedRequestsAreAnsweredInOrder) {
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const std::string body = sql_body("SELECT 2");
    const std::string requests =
        "GET /health_check HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /fetch_direct HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
        std::string(kAliceToken) + "\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body + "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_FALSE(run_for(client_io_, c.write_tls(requests)));
    for (const http::status status :
         {http::status::ok, http::status::ok, http::status::not_found}) {
        const Reply reply = run_for(client_io_, c.read_response());
        ASSERT_FALSE(reply.ec);
        EXPECT_EQ(reply.response.result(), status);
    }
    ASSERT_EQ(queries().size(), 1u);
    EXPECT_EQ(queries()[0].sql, "SELECT 2");
}

TEST_F(HttpApiTest, MalformedHttpIs400AndClosedWhileOtherClientsAreServed) {
    HttpsTestClient bystander = client();
    ASSERT_FALSE(run_for(client_io_, bystander.connect()));

    const std::string token_line = "Authorization: Bearer " + std::string(kAliceToken) + "\r\n";
    const std::string cases[] = {
        "GARBAGE\r\n\r\n",
        "GET /health_check HTTP/1.1\nHost: x\n\n",
        "GET /health_check HTTP/1.1\r\nHost\r\n\r\n",
        "GET /health\x01check HTTP/1.1\r\n\r\n",
        std::string("\0\0\0\0\r\n\r\n", 8),
        "GET /health_check HTTP/1.1 extra\r\n\r\n",
        "POST /fetch_direct HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "POST /fetch_direct HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "POST /fetch_direct HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "POST /fetch_direct HTTP/1.1\r\n" + token_line +
            "Transfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n",
    };
    for (const std::string& bytes : cases) {
        HttpsTestClient c = client();
        ASSERT_FALSE(run_for(client_io_, c.connect()));
        ASSERT_FALSE(run_for(client_io_, c.write_tls(bytes)));
        const Reply reply = run_for(client_io_, c.read_response());
        SCOPED_TRACE(json(bytes).dump(-1, ' ', false, json::error_handler_t::replace));
        expect_error(reply, http::status::bad_request, "bad_request");
        EXPECT_TRUE(run_for(client_io_, c.wait_closed_tls()));
    }

    const Request health = make_request(http::verb::get, "/health_check");
    const Reply reply = run_for(client_io_, bystander.request(health));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
    EXPECT_TRUE(queries().empty());
}

TEST_F(HttpApiTest, OversizedHeaderIs431) {
    const std::string bytes =
        "GET /health_check HTTP/1.1\r\nX-Padding: " + std::string(16 * 1024, 'a') + "\r\n\r\n";
    expect_error(send_raw(bytes), http::status::request_header_fields_too_large,
                 "header_too_large");
}

TEST_F(HttpApiTest, PlainHttpOnTheTlsPortIsDroppedAndServiceGoesOn) {
    HttpsTestClient plain = client();
    ASSERT_FALSE(run_for(client_io_, plain.connect_tcp()));
    ASSERT_FALSE(run_for(client_io_, plain.write_tcp("GET /health_check HTTP/1.1\r\n\r\n")));
    EXPECT_TRUE(run_for(client_io_, plain.wait_closed_tcp()));

    const Reply reply = call(make_request(http::verb::get, "/health_check"));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
}

TEST_F(HttpApiTest, SilentClientsAreDroppedAfterTheHeaderTimeout) {
    restart([](HttpApiSettings& s) { s.header_timeout = 300ms; });

    HttpsTestClient no_tls = client();  // never starts the TLS handshake
    auto start = Clock::now();
    ASSERT_FALSE(run_for(client_io_, no_tls.connect_tcp()));
    const auto no_tls_wait = closed_after(no_tls, start, false);
    EXPECT_GE(no_tls_wait, 250ms);
    EXPECT_LT(no_tls_wait, 3s);

    HttpsTestClient no_request = client();  // completes TLS, then sends nothing
    start = Clock::now();
    ASSERT_FALSE(run_for(client_io_, no_request.connect()));
    const auto no_request_wait = closed_after(no_request, start);
    EXPECT_GE(no_request_wait, 250ms);
    EXPECT_LT(no_request_wait, 3s);
}

TEST_F(HttpApiTest, HeaderSentByteByByteIsCutOffAtTheHeaderTimeout) {
    restart([](HttpApiSettings& s) { s.header_timeout = 300ms; });
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    ASSERT_FALSE(run_for(client_io_, c.write_tls("GET /health_check HTTP/1.1\r\n")));
    const auto start = Clock::now();
    // Keeps sending a header line every 50 ms for 3 s unless the server hangs up first.
    const std::string line = "X-Slow: 1\r\n";  // outlives the spawned coroutine
    auto trickling = spawn(client_io_, c.trickle(line, 50ms, 60));
    EXPECT_LT(closed_after(c, start), 2s);
    wait_for(client_io_, trickling);
}

TEST_F(HttpApiTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
    restart([](HttpApiSettings& s) { s.idle_timeout = 300ms; });
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const Request health = make_request(http::verb::get, "/health_check");
    const Reply reply = run_for(client_io_, c.request(health));
    ASSERT_FALSE(reply.ec);
    EXPECT_TRUE(reply.response.keep_alive());
    const auto idle = closed_after(c, Clock::now());
    EXPECT_GE(idle, 250ms);
    EXPECT_LT(idle, 3s);
}

TEST_F(HttpApiTest, ConnectionsOverTheCapAreClosedUntilOneEnds) {
    restart([](HttpApiSettings& s) { s.max_connections = 2; });
    const Request health = make_request(http::verb::get, "/health_check");
    HttpsTestClient first = client();
    HttpsTestClient second = client();
    for (HttpsTestClient* c : {&first, &second}) {
        ASSERT_FALSE(run_for(client_io_, c->connect()));
        const Reply reply = run_for(client_io_, c->request(health));
        ASSERT_FALSE(reply.ec);
        EXPECT_EQ(reply.response.result(), http::status::ok);
    }
    HttpsTestClient third = client();
    EXPECT_TRUE(run_for(client_io_, third.connect()));  // accepted, closed before TLS

    first.close();
    // The server notices the close on its own thread; a place frees soon after.
    EXPECT_TRUE(eventually("a new client served after one closed", 3s, [&] {
        HttpsTestClient fourth = client();
        if (run_for(client_io_, fourth.connect())) return false;
        const Reply reply = run_for(client_io_, fourth.request(health));
        return !reply.ec && reply.response.result() == http::status::ok;
    }));
}

TEST_F(HttpApiTest, SlowStatementDoesNotHoldUpOtherClients) {
    HttpsTestClient slow = client();
    ASSERT_FALSE(run_for(client_io_, slow.connect()));
    const Request slow_request =
        make_request(http::verb::post, "/fetch_direct", sql_body("SLOW"), kAliceToken);
    auto slow_reply = spawn(client_io_, slow.request(slow_request));

    const Reply fast = post("/fetch_direct", sql_body("SELECT 1"));
    ASSERT_FALSE(fast.ec);
    EXPECT_EQ(fast.response.result(), http::status::ok);
    EXPECT_NE(slow_reply.wait_for(0s), std::future_status::ready);

    const Reply late = wait_for(client_io_, slow_reply);
    ASSERT_FALSE(late.ec);
    EXPECT_EQ(late.response.result(), http::status::ok);
    ASSERT_EQ(queries().size(), 2u);
    EXPECT_EQ(queries()[0].sql, "SELECT 1");
    EXPECT_EQ(queries()[1].sql, "SLOW");
}

// Mutations of a valid request and plain noise, each on its own connection: whatever the
// server makes of them, it must stay up, end every such connection, and serve the next client.
TEST_F(HttpApiTest, ArbitraryBytesNeverBreakTheServer) {
    const std::string body = R"({"sql":"SELECT 1","route":"random"})";
    const std::string valid =
        "POST /v1/query HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(kAliceToken) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n" + body;
    std::mt19937 random(20240611);
    const auto below = [&](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(random);
    };
    const auto noise = [&](std::size_t n) {
        std::string bytes(n, '\0');
        for (char& b : bytes)
            b = static_cast<char>(below(256));
        return bytes;
    };
    for (int i = 0; i < 80; ++i) {
        std::string bytes = valid;
        switch (i % 4) {
            case 0:  // cut short, then noise
                bytes = bytes.substr(0, below(bytes.size())) + noise(below(40));
                break;
            case 1:  // a few bytes changed
                for (std::size_t k = 1 + below(4); k > 0; --k)
                    bytes[below(bytes.size())] = static_cast<char>(below(256));
                break;
            case 2:  // noise inserted
                bytes.insert(below(bytes.size()), noise(1 + below(30)));
                break;
            default:
                bytes = noise(1 + below(300));
        }
        HttpsTestClient c = client();
        ASSERT_FALSE(run_for(client_io_, c.connect()));
        ASSERT_FALSE(run_for(client_io_, c.write_tls(bytes)));
        c.close();
    }
    EXPECT_TRUE(eventually("every connection ended by the server", 5s,
                           [&] { return server_connections() == 0; }))
        << server_connections() << " still open";
    const Reply reply = call(make_request(http::verb::get, "/health_check"));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result(), http::status::ok);
}

TEST_F(HttpApiTest, StopClosesOpenConnections) {
    HttpsTestClient c = client();
    ASSERT_FALSE(run_for(client_io_, c.connect()));
    const auto start = Clock::now();
    stop();  // returns once the server's io_context ran out of work
    EXPECT_LT(Clock::now() - start, 2s);
    EXPECT_TRUE(run_for(client_io_, c.wait_closed_tls()));
}

TEST_F(HttpApiTest, StartThrowsWhenTheAddressIsTaken) {
    boost::asio::io_context other_io;
    auto settings = default_settings();
    settings.listen = endpoint_;
    HttpApiServer second(other_io, server_tls_, settings, runner(), probe());
    EXPECT_THROW(second.start(), std::runtime_error);
}

}  // namespace
}  // namespace sqlgate::gatekeeper
