// HttpClient and the workload's HTTP mode against FakeGatekeeper: the requests sent,
// keep-alive and reconnection, certificate checks, and a whole run's report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "fake_gatekeeper.hpp"
#include "eventually.hpp"
#include "test_files.hpp"
#include "workload/http_client.hpp"
#include "workload/report.hpp"
#include "workload/send_requests.hpp"

namespace sqlgate::workload {
namespace {

using gatekeeper::test_support::make_self_signed_certificate;
using gatekeeper::test_support::shared_test_certificate;
using sqlgate::testing::eventually;
using test_support::Answer;
using test_support::FakeGatekeeper;
using test_support::rows_answer;
using test_support::SeenRequest;
using test_support::TempFile;
using ::testing::HasSubstr;

// True when a TCP connection of this machine to `port` is in CLOSE_WAIT (state 08 in
// /proc/net/tcp): the peer's FIN has arrived and the local end has not closed yet.
bool a_connection_to_port_in_close_wait(std::uint16_t port) {
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the header
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        const auto colon = remote.rfind(':');
        if (colon == std::string::npos || state != "08") continue;
        if (std::stoul(remote.substr(colon + 1), nullptr, 16) == port) return true;
    }
    return false;
}

constexpr const char* kWriteAnswer = R"({"affected_rows":1,"last_insert_id":7})";

Answer answer_writes(const SeenRequest&, int) {
    return {200, kWriteAnswer};
}

// Answers `body`, except that the requests `drop` picks end the connection unanswered.
test_support::Handler dropping(std::string body, std::function<bool(int)> drop) {
    return [body = std::move(body), drop = std::move(drop)](const SeenRequest&, int index) {
        Answer answer{200, body};
        answer.drop = drop(index);
        return answer;
    };
}

class HttpClientTest : public ::testing::Test {
  protected:
    HttpParams params(const FakeGatekeeper& server, const std::string& host = "127.0.0.1") {
        HttpParams p;
        p.url = parse_http_url("https://" + host + ":" + std::to_string(server.port()));
        p.token = "s3cret-token";
        p.ca_file = ca_.path();
        p.connect_timeout = std::chrono::seconds(5);
        p.read_timeout = std::chrono::seconds(5);
        return p;
    }

    TempFile ca_{shared_test_certificate().certificate_pem};
};

TEST_F(HttpClientTest, PostsTheStatementAsJsonWithTheToken) {
    FakeGatekeeper server(shared_test_certificate(), answer_writes);
    HttpClient client(params(server));
    ASSERT_EQ(client.connect(), "");
    const std::string sql = "INSERT INTO main_db.t (c) VALUES ('a\"b\\\\c')";
    const auto q = client.query(sql, Route::write);
    ASSERT_TRUE(q.ok()) << q.error;
    EXPECT_EQ(q.affected_rows, 1u);
    EXPECT_EQ(q.http_status, 200u);

    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/populate_tables");
    EXPECT_EQ(seen[0].authorization, "Bearer s3cret-token");
    EXPECT_EQ(seen[0].content_type, "application/json");
    EXPECT_EQ(seen[0].host, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(nlohmann::json::parse(seen[0].body), (nlohmann::json{{"sql", sql}}));
}

TEST_F(HttpClientTest, EachRouteReachesItsEndpointUnderTheBasePath) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        return Answer{200, rows_answer({})};
    });
    auto p = params(server);
    p.url = parse_http_url(p.url.to_string() + "/api/");
    HttpClient client(std::move(p));
    for (Route route :
         {Route::write, Route::direct, Route::random, Route::customized, Route::node}) {
        EXPECT_TRUE(client.query("SELECT 1", route).ok());
    }
    std::vector<std::string> targets;
    for (const auto& seen : server.requests())
        targets.push_back(seen.target);
    EXPECT_EQ(targets, (std::vector<std::string>{"/api/populate_tables", "/api/fetch_direct",
                                                 "/api/fetch_random", "/api/fetch_customized",
                                                 "/api/v1/query"}));
}

TEST_F(HttpClientTest, KeepsOneConnectionAlive) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        return Answer{200, rows_answer({{"2", "20"}})};
    });
    HttpClient client(params(server));
    for (int i = 0; i < 5; ++i) {
        const auto q = client.query("SELECT @@server_id, COUNT(*)", Route::random);
        ASSERT_TRUE(q.ok()) << q.error;
        EXPECT_EQ(q.rows, (std::vector<Row>{{"2", "20"}}));
    }
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(client.connections_opened(), 1);
}

TEST_F(HttpClientTest, ReconnectsWhenTheServerClosedTheIdleConnection) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int index) {
        return Answer{200, kWriteAnswer, /*close_after=*/index == 0};
    });
    HttpClient client(params(server));
    ASSERT_TRUE(client.query("INSERT 1", Route::write).ok());
    ASSERT_TRUE(server.wait_closed(1));
    // Only a close the client can see tests the reconnection; one still in flight would test
    // a write sent into a closing connection.
    ASSERT_TRUE(eventually("the server's FIN at the client", std::chrono::seconds(2),
                           [&] { return a_connection_to_port_in_close_wait(server.port()); }));
    // A write: it is sent once, on the new connection, not into the closed one.
    const auto q = client.query("INSERT 2", Route::write);
    EXPECT_TRUE(q.ok()) << q.error;
    EXPECT_EQ(server.requests().size(), 2u);
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpClientTest, ReadIsSentAgainOnceWhenTheConnectionDiesUnderIt) {
    FakeGatekeeper server(shared_test_certificate(),
                          dropping(rows_answer({{"1"}}), [](int index) { return index == 1; }));
    HttpClient client(params(server));
    ASSERT_TRUE(client.query("SELECT 1", Route::direct).ok());
    const auto q = client.query("SELECT 1", Route::direct);
    EXPECT_TRUE(q.ok()) << q.error;
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[1].connection, 1);
    EXPECT_EQ(seen[2].connection, 2);
}

TEST_F(HttpClientTest, ReadIsSentAgainOnlyOnce) {
    FakeGatekeeper server(shared_test_certificate(),
                          dropping(rows_answer({{"1"}}), [](int index) { return index >= 1; }));
    HttpClient client(params(server));
    ASSERT_TRUE(client.query("SELECT 1", Route::node).ok());
    const auto q = client.query("SELECT 1", Route::node);
    EXPECT_FALSE(q.ok());
    EXPECT_THAT(q.error, HasSubstr("/v1/query failed"));
    EXPECT_EQ(server.requests().size(), 3u);
}

TEST_F(HttpClientTest, WriteIsNotSentAgainSinceItMayHaveRun) {
    FakeGatekeeper server(shared_test_certificate(),
                          dropping(kWriteAnswer, [](int index) { return index == 1; }));
    HttpClient client(params(server));
    ASSERT_TRUE(client.query("INSERT 1", Route::write).ok());
    const auto q = client.query("INSERT 2", Route::write);
    EXPECT_FALSE(q.ok());
    EXPECT_THAT(q.error, HasSubstr("/populate_tables failed"));
    EXPECT_THAT(q.error, HasSubstr("it may have run"));
    EXPECT_EQ(server.requests().size(), 2u);
    // The next statement opens a new connection.
    EXPECT_TRUE(client.query("INSERT 3", Route::write).ok());
    EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpClientTest, FreshConnectionThatDiesIsNotRetried) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        Answer answer;
        answer.drop = true;
        return answer;
    });
    HttpClient client(params(server));
    ASSERT_EQ(client.connect(), "");
    EXPECT_FALSE(client.query("SELECT 1", Route::random).ok());
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, GivesUpOnAnAnswerThatNeverComes) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        Answer answer;
        answer.stall = true;
        return answer;
    });
    auto p = params(server);
    p.read_timeout = std::chrono::seconds(1);
    HttpClient client(std::move(p));
    const auto start = std::chrono::steady_clock::now();
    const auto q = client.query("SELECT SLEEP(60)", Route::customized);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
    EXPECT_THAT(q.error, HasSubstr("timeout"));
    EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(HttpClientTest, ErrorAnswersKeepTheConnection) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        return Answer{403, R"({"error":{"status":403,"code":"policy","rule":"tautology",)"
                           R"("message":"always true"}})"};
    });
    HttpClient client(params(server));
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(client.query("SELECT 1 WHERE 1=1", Route::random).error,
                  "HTTP 403 policy (tautology): always true");
    }
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, RefusesACertificateForAnotherAddress) {
    // The certificate names 127.0.0.1 only.
    FakeGatekeeper server(shared_test_certificate(), answer_writes, "127.0.0.2");
    HttpClient client(params(server, "127.0.0.2"));
    ConnectProblem problem = ConnectProblem::none;
    EXPECT_THAT(client.connect(&problem), HasSubstr("IP address mismatch"));
    EXPECT_EQ(problem, ConnectProblem::certificate);
    EXPECT_FALSE(client.query("SELECT 1", Route::direct).ok());
    EXPECT_TRUE(server.requests().empty());  // the token never left the client
}

TEST_F(HttpClientTest, RefusesACertificateForAnotherName) {
    FakeGatekeeper server(shared_test_certificate(), answer_writes);
    HttpClient client(params(server, "localhost"));
    ConnectProblem problem = ConnectProblem::none;
    EXPECT_THAT(client.connect(&problem), HasSubstr("certificate rejected"));
    EXPECT_EQ(problem, ConnectProblem::certificate);
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTest, RefusesACertificateFromAnotherAuthority) {
    FakeGatekeeper server(shared_test_certificate(), answer_writes);
    TempFile other_ca(make_self_signed_certificate().certificate_pem);
    for (const std::string& ca : {other_ca.path(), std::string()}) {  // "": the system's CAs
        auto p = params(server);
        p.ca_file = ca;
        HttpClient client(std::move(p));
        ConnectProblem problem = ConnectProblem::none;
        EXPECT_THAT(client.connect(&problem), HasSubstr("certificate rejected")) << ca;
        EXPECT_EQ(problem, ConnectProblem::certificate);
    }
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(HttpClientTest, UnusableCaFileIsASettingsProblem) {
    FakeGatekeeper server(shared_test_certificate(), answer_writes);
    TempFile garbage("not a certificate");
    auto p = params(server);
    p.ca_file = garbage.path();
    HttpClient client(std::move(p));
    ConnectProblem problem = ConnectProblem::none;
    EXPECT_THAT(client.connect(&problem), HasSubstr("cannot use CA file"));
    EXPECT_EQ(problem, ConnectProblem::bad_settings);
    EXPECT_EQ(server.connections(), 0);
}

// Answers the workload's statements as a gatekeeper in front of three servers would.
Answer answer_workload(const SeenRequest& seen, int) {
    const std::string sql = nlohmann::json::parse(seen.body).at("sql");
    if (seen.target == "/populate_tables") {
        const bool insert = sql.rfind("INSERT", 0) == 0;
        return {200, insert ? kWriteAnswer : R"({"affected_rows":0,"last_insert_id":0})"};
    }
    if (seen.target == "/fetch_direct") return {200, rows_answer({{"1", "2", "2"}})};
    if (seen.target == "/fetch_random") return {200, rows_answer({{"2", "2", "2"}})};
    if (seen.target == "/fetch_customized") {
        return {403, R"({"error":{"status":403,"code":"policy","rule":"tautology",)"
                     R"("message":"always true"}})"};
    }
    for (const auto& [node, id] : {std::pair{"primary", "1"}, {"replica-1", "2"}}) {
        if (sql.find(std::string("route=node:") + node + " */") != std::string::npos) {
            return {200, rows_answer({{"2", id}})};
        }
    }
    return {404, R"({"error":{"status":404,"code":"not_found","message":"no such endpoint"}})"};
}

TEST_F(HttpClientTest, WorkloadRunsThroughTheApi) {
    FakeGatekeeper server(shared_test_certificate(), answer_workload);
    SendRequestsOptions opts;
    opts.http_url = "https://127.0.0.1:" + std::to_string(server.port());
    opts.token = "s3cret-token";
    opts.ssl_ca = ca_.path();
    opts.nodes = {"primary", "replica-1"};
    opts.writes_per_table = 2;
    opts.reads_per_strategy = 2;
    const auto result = run_workload(opts);
    ASSERT_EQ(result.fatal_error, "");

    std::ostringstream report;
    print_report(result, report);
    EXPECT_THAT(report.str(), HasSubstr("writes      direct_table 2/2   random_table 2/2"));
    EXPECT_THAT(report.str(), HasSubstr("primary 2 rows  replica-1 2"));
    EXPECT_THAT(report.str(),
                HasSubstr("customized read: HTTP 403 policy (tautology): always true  (x2)"));
    EXPECT_THAT(report.str(), HasSubstr("result: FAILED (2 reads failed)"));
    EXPECT_EQ(exit_code(result), 1);

    std::map<std::string, int> by_target;
    for (const auto& seen : server.requests()) {
        ++by_target[seen.target];
        EXPECT_EQ(seen.authorization, "Bearer s3cret-token");
    }
    EXPECT_EQ(by_target, (std::map<std::string, int>{{"/populate_tables", 1 + 3 * 2 + 3 * 2},
                                                     {"/fetch_direct", 2},
                                                     {"/fetch_random", 2},
                                                     {"/fetch_customized", 2},
                                                     {"/v1/query", 3 * 2}}));
    EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, RefusedTokenStopsTheWorkloadWithAHint) {
    FakeGatekeeper server(shared_test_certificate(), [](const SeenRequest&, int) {
        return Answer{401, R"({"error":{"status":401,"code":"unauthorized",)"
                           R"("message":"the bearer token is not valid"}})"};
    });
    SendRequestsOptions opts;
    opts.http_url = "https://127.0.0.1:" + std::to_string(server.port());
    opts.token = "wrong";
    opts.ssl_ca = ca_.path();
    const auto result = run_workload(opts);
    EXPECT_THAT(result.fatal_error,
                HasSubstr("could not create database main_db: HTTP 401 unauthorized: the bearer "
                          "token is not valid\n  the gatekeeper did not accept the token"));
    EXPECT_EQ(exit_code(result), 2);
}

TEST_F(HttpClientTest, UntrustedServerStopsTheWorkloadWithAHint) {
    FakeGatekeeper server(shared_test_certificate(), answer_writes);
    TempFile other_ca(make_self_signed_certificate().certificate_pem);
    SendRequestsOptions opts;
    opts.http_url = "https://127.0.0.1:" + std::to_string(server.port());
    opts.token = "s3cret-token";
    opts.ssl_ca = other_ca.path();
    const auto result = run_workload(opts);
    EXPECT_THAT(result.fatal_error, HasSubstr("cannot connect to https://127.0.0.1:"));
    EXPECT_THAT(result.fatal_error, HasSubstr("must chain to --ssl-ca"));
    EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace sqlgate::workload
