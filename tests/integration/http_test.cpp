// The gatekeeper's HTTP JSON API through the whole chain, called with curl: the original
// system's endpoints and /v1/query, the same policy as the MySQL listener, and honest statuses.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/chain.hpp"
#include "harness/test_cluster.hpp"

namespace sqlgate::testing {
namespace {

using nlohmann::json;

class HttpApiTest : public ::testing::Test {
  protected:
    void SetUp() override { TestCluster::get(); }
};

json parse(const HttpAnswer& a) {
    json j = json::parse(a.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << a.body;
    return j;
}

std::string sql_body(const std::string& sql) {
    return json{{"sql", sql}}.dump();
}

int server_id_of(const HttpAnswer& a) {
    const json j = parse(a);
    if (!j.contains("rows") || j["rows"].empty() || !j["rows"][0][0].is_number_integer()) return 0;
    return j["rows"][0][0].get<int>();
}

TEST_F(HttpApiTest, TheOriginalEndpointsWorkThroughTheChain) {
    Chain chain;
    EXPECT_EQ(chain.http("GET", "/health_check", "").status, 200);

    auto created = chain.http("POST", "/populate_tables",
                              sql_body("CREATE TABLE IF NOT EXISTS http_t (id INT "
                                       "AUTO_INCREMENT PRIMARY KEY, v VARCHAR(50))"));
    ASSERT_EQ(created.status, 200) << created.body;
    ASSERT_EQ(chain.http("POST", "/populate_tables", sql_body("DELETE FROM http_t")).status, 200);
    auto inserted = chain.http("POST", "/populate_tables",
                               sql_body("INSERT INTO http_t (v) VALUES ('a'), ('b''s; -- x')"));
    ASSERT_EQ(inserted.status, 200) << inserted.body;
    EXPECT_EQ(parse(inserted)["affected_rows"], 2);
    EXPECT_GT(parse(inserted)["last_insert_id"].get<int>(), 0);

    // Statements run in the user's default schema.
    auto schema = chain.http("POST", "/v1/query", sql_body("SELECT DATABASE()"));
    ASSERT_EQ(schema.status, 200) << schema.body;
    EXPECT_EQ(parse(schema)["rows"][0][0], kChainSchema);

    const int primary = TestCluster::get().primary().server_id;
    EXPECT_EQ(server_id_of(chain.http("POST", "/fetch_direct", sql_body("SELECT @@server_id"))),
              primary);
    for (const char* path : {"/fetch_random", "/fetch_customized"}) {
        const auto a = chain.http("POST", path, sql_body("SELECT @@server_id"));
        ASSERT_EQ(a.status, 200) << path << ": " << a.body;
        EXPECT_GT(server_id_of(a), 1) << path << " answered from the primary";
    }
    const auto routed = chain.http("POST", "/v1/query",
                                   json{{"sql", "SELECT @@server_id"}, {"route", "direct"}}.dump());
    EXPECT_EQ(server_id_of(routed), primary) << routed.body;

    // Read your writes through the API: each call is its own session, so the rows must be
    // read from wherever they are by now; the primary always has them.
    const auto rows =
        chain.http("POST", "/fetch_direct", sql_body("SELECT v FROM http_t ORDER BY id"));
    ASSERT_EQ(rows.status, 200) << rows.body;
    EXPECT_EQ(parse(rows)["rows"], json::parse(R"([["a"], ["b's; -- x"]])"));
    EXPECT_EQ(parse(rows)["columns"], json::parse(R"([{"name": "v", "type": "VARCHAR"}])"));
    EXPECT_NE(chain.audit_log().find("\"front\":\"http\""), std::string::npos);
}

// Values come back as their column types say, from the real server's column definitions.
TEST_F(HttpApiTest, ValuesAreTypedFromTheServersColumnDefinitions) {
    Chain chain;
    for (const char* sql :
         {"DROP TABLE IF EXISTS http_types",
          "CREATE TABLE http_types (i INT, big BIGINT, d DECIMAL(30, 4), n INT, "
          "dt DATETIME(3), day DATE, b BLOB, f DOUBLE, t TEXT)",
          "INSERT INTO http_types VALUES (-7, 9007199254740993, 12345678901234567890.1234, NULL, "
          "'2026-12-06 10:20:30.250', '2026-12-06', 0x00FF10, 1.5, 'caf\xc3\xa9')"}) {
        const auto a = chain.http("POST", "/populate_tables", sql_body(sql));
        ASSERT_EQ(a.status, 200) << sql << ": " << a.body;
    }
    const auto a = chain.http("POST", "/fetch_direct", sql_body("SELECT * FROM http_types"));
    ASSERT_EQ(a.status, 200) << a.body;
    const json j = parse(a);
    EXPECT_EQ(j["rows"][0], json::parse(R"([-7, "9007199254740993", "12345678901234567890.1234",
        null, "2026-12-06T10:20:30.250", "2026-12-06", "AP8Q", 1.5, "caf\u00e9"])"))
        << a.body;
    std::vector<std::string> types;
    for (const auto& c : j["columns"])
        types.push_back(c["type"]);
    EXPECT_EQ(types, (std::vector<std::string>{"INT", "BIGINT", "DECIMAL", "INT", "DATETIME",
                                               "DATE", "BLOB", "DOUBLE", "TEXT"}));
    EXPECT_EQ(j["columns"][6]["encoding"], "base64");
    EXPECT_FALSE(j["columns"][8].contains("encoding"));
}

TEST_F(HttpApiTest, ErrorsHaveTheRightStatusAndSayWhy) {
    Chain chain;
    const auto injection =
        chain.http("POST", "/fetch_random", sql_body("SELECT * FROM t WHERE id = 1 OR 1=1"));
    EXPECT_EQ(injection.status, 403);
    EXPECT_EQ(parse(injection)["error"]["rule"], "tautology");

    const auto reader_write = chain.http("POST", "/populate_tables",
                                         sql_body("CREATE TABLE nope (id INT)"), kReaderApiToken);
    EXPECT_EQ(reader_write.status, 403) << reader_write.body;
    EXPECT_EQ(parse(reader_write)["error"]["rule"], "statement_not_allowed");
    const auto reader_read =
        chain.http("POST", "/fetch_direct", sql_body("SELECT 1"), kReaderApiToken);
    EXPECT_EQ(reader_read.status, 200) << reader_read.body;

    EXPECT_EQ(chain.http("POST", "/v1/query", sql_body("SELECT 1"), "").status, 401);
    EXPECT_EQ(chain.http("POST", "/v1/query", sql_body("SELECT 1"), "wrong-token").status, 401);
    EXPECT_EQ(chain.http("POST", "/v1/query", "{\"sql\": 42}").status, 400);
    EXPECT_EQ(chain.http("POST", "/v1/query", "not json").status, 400);
    const auto unknown_route =
        chain.http("POST", "/v1/query", json{{"sql", "SELECT 1"}, {"route", "fastest"}}.dump());
    EXPECT_EQ(unknown_route.status, 400);
    EXPECT_NE(unknown_route.body.find("fastest"), std::string::npos) << unknown_route.body;
    EXPECT_EQ(
        chain.http("POST", "/v1/query", sql_body("SELECT '" + std::string(2 << 20, 'x') + "'"))
            .status,
        413);
    const auto failed = chain.http("POST", "/v1/query", sql_body("SELECT no_such_column"));
    EXPECT_EQ(failed.status, 400);
    EXPECT_EQ(parse(failed)["error"]["mysql_code"], 1054) << failed.body;
    EXPECT_EQ(chain.http("GET", "/v1/query", "").status, 405);
    EXPECT_EQ(chain.http("POST", "/no/such/path", sql_body("SELECT 1")).status, 404);

    chain.stop_trusted_host();
    EXPECT_EQ(chain.http("POST", "/v1/query", sql_body("SELECT 1")).status, 503);
    EXPECT_EQ(chain.http("GET", "/health_check", "").status, 503);
}

// Calls reuse parked upstream sessions; each starts from a reset session in the default schema.
TEST_F(HttpApiTest, ACallSeesNothingOfTheSessionStateOfTheCallBefore) {
    Chain chain;
    for (int i = 0; i < 3; ++i) {
        const auto set = chain.http("POST", "/v1/query", sql_body("SET @carried = 42"));
        ASSERT_EQ(set.status, 200) << set.body;
        const auto next = chain.http("POST", "/v1/query", sql_body("SELECT @carried"));
        ASSERT_EQ(next.status, 200) << next.body;
        EXPECT_TRUE(parse(next)["rows"][0][0].is_null()) << next.body;
        const auto schema = chain.http("POST", "/v1/query", sql_body("SELECT DATABASE()"));
        ASSERT_EQ(schema.status, 200) << schema.body;
        EXPECT_EQ(parse(schema)["rows"][0][0], kChainSchema);
    }
}

TEST_F(HttpApiTest, RateLimitsAnswer429WithRetryAfter) {
    ChainScenario s;
    // A slow refill, so that no build (sanitizers make each call slower) refills between calls.
    s.per_user_per_second = 0.05;
    s.per_user_burst = 2;
    Chain chain(s);
    int limited = 0;
    for (int i = 0; i < 6; ++i) {
        const auto a = chain.http("POST", "/v1/query", sql_body("SELECT 1"));
        if (a.status == 429) {
            ++limited;
            EXPECT_EQ(parse(a)["error"]["code"], "rate_limited") << a.body;
        }
    }
    EXPECT_GE(limited, 3);
}

// The OpenAPI document at GET /v1/openapi.json is valid (a maintained validator written by
// others, @seriousme/openapi-schema-validator) and describes what the gatekeeper answers:
// results and every error the check provokes validate against it (Ajv).
TEST_F(HttpApiTest, TheOpenApiDocumentValidatesAndDescribesTheAnswers) {
    Chain chain;
    const std::string token_file = chain.config_dir() + "/api-token";
    std::ofstream(token_file) << kApiToken << '\n';
    std::string out;
    const int status =
        run_command("node " + source_dir() + "/tests/clients/node/openapi_check.mjs 'https://" +
                        std::string(kGatekeeperAddress) + ":" + std::to_string(chain.http_port()) +
                        "' '" + token_file + "' '" + chain.certs() + "/ca.crt' 2>&1",
                    &out);
    EXPECT_EQ(status, 0) << out;
    const json summary = json::parse(out, nullptr, false);
    ASSERT_TRUE(summary.is_object()) << out;
    EXPECT_EQ(summary["checked"], 17) << out;
    EXPECT_TRUE(summary["failures"].empty()) << out;
    // Served without a token, like /health_check.
    const auto doc = chain.http("GET", "/v1/openapi.json", "", "");
    EXPECT_EQ(doc.status, 200);
    EXPECT_EQ(parse(doc)["openapi"], "3.1.0");
}

}  // namespace
}  // namespace sqlgate::testing
