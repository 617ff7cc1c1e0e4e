#include "proxy/router.hpp"

#include <gtest/gtest.h>

#include "sql/classifier.hpp"

namespace sqlgate::proxy {
namespace {

using config::RouteStrategy;
using Target = RouteDecision::Target;

RouteDecision route(std::string_view sql, SessionSituation s = {}) {
    return decide_route(sql::describe(sql), s);
}

TEST(Router, PlainReadFollowsListenerDefault) {
    const auto d = route("SELECT 1", {.listener_default = RouteStrategy::customized});
    EXPECT_EQ(d.target, Target::replica);
    EXPECT_EQ(d.strategy, RouteStrategy::customized);
}

TEST(Router, UserDefaultBeatsListenerDefault) {
    const auto d = route("SELECT 1", {.user_default = RouteStrategy::random,
                                      .listener_default = RouteStrategy::customized});
    EXPECT_EQ(d.strategy, RouteStrategy::random);
}

TEST(Router, HintBeatsUserDefault) {
    const auto d =
        route("/* sqlgate:route=customized */ SELECT 1", {.user_default = RouteStrategy::random});
    EXPECT_EQ(d.target, Target::replica);
    EXPECT_EQ(d.strategy, RouteStrategy::customized);
}

TEST(Router, DirectMeansPrimary) {
    EXPECT_EQ(route("/* sqlgate:route=direct */ SELECT 1").target, Target::primary);
    EXPECT_EQ(route("SELECT 1", {.user_default = RouteStrategy::direct}).target, Target::primary);
}

TEST(Router, WritesAndUnknownGoToPrimaryWhateverTheHint) {
    for (std::string_view sql :
         {"/* sqlgate:route=random */ INSERT INTO t VALUES (1)", "UPDATE t SET a = 1",
          "SELECT * FROM t FOR UPDATE", "SELECT LAST_INSERT_ID()", "FLUSH TABLES", "CALL p()",
          "/* sqlgate:route=node:replica-1 */ DELETE FROM t"}) {
        EXPECT_EQ(route(sql).target, Target::primary) << sql;
    }
}

TEST(Router, ReadsInsideTransactionsStayOnPrimary) {
    EXPECT_EQ(route("SELECT 1", {.in_transaction = true}).target, Target::primary);
    EXPECT_EQ(route("SELECT 1", {.autocommit = false}).target, Target::primary);
    EXPECT_EQ(route("/* sqlgate:route=random */ SELECT 1", {.in_transaction = true}).target,
              Target::primary);
}

TEST(Router, PinnedSessionStaysOnPrimary) {
    EXPECT_EQ(route("SELECT 1", {.pinned_to_primary = true}).target, Target::primary);
}

// Once the primary may hold user variables the replicas' sessions lack (CALL p(@x), a
// trigger, SELECT @x := ...), reads naming any user variable are the primary's; others
// still spread.
TEST(Router, UserVariablesSetOnThePrimaryAreReadThere) {
    const SessionSituation set_there{.user_variables_on_primary = true};
    EXPECT_EQ(route("SELECT @cnt", set_there).target, Target::primary);
    EXPECT_EQ(route("SELECT a FROM t WHERE id = @id", set_there).target, Target::primary);
    EXPECT_EQ(route("/* sqlgate:route=node:replica-1 */ SELECT @x", set_there).target,
              Target::primary);
    EXPECT_EQ(route("SELECT a FROM t", set_there).target, Target::replica);
    EXPECT_EQ(route("SELECT @cnt").target, Target::replica);
}

// After a stored function or procedure ran on the primary, its session variables may differ
// from what replay gave the replicas: reads naming a system variable are the primary's.
TEST(Router, SystemVariablesAStoredFunctionMaySetAreReadOnThePrimary) {
    const SessionSituation set_there{.session_settings_on_primary = true};
    EXPECT_EQ(route("SELECT CONCAT(@@sort_buffer_size)", set_there).target, Target::primary);
    EXPECT_EQ(route("SELECT a FROM t WHERE b > @@session.max_sort_length", set_there).target,
              Target::primary);
    EXPECT_EQ(route("SELECT a FROM t", set_there).target, Target::replica);
    // What names the answering server, or a global value, is not the session's setting.
    EXPECT_EQ(route("SELECT @@server_id", set_there).target, Target::replica);
    EXPECT_EQ(route("SELECT @@global.sort_buffer_size", set_there).target, Target::replica);
    EXPECT_EQ(route("SELECT @@sort_buffer_size").target, Target::replica);
}

TEST(Router, UnknownHintIsRejectedEvenForWrites) {
    for (std::string_view sql : {"/* sqlgate:route=fastest */ SELECT 1",
                                 "/* sqlgate:route=fastest */ INSERT INTO t VALUES (1)",
                                 "/* sqlgate:route=node: */ SELECT 1"}) {
        const auto d = route(sql);
        EXPECT_EQ(d.target, Target::reject) << sql;
        EXPECT_NE(d.error.find("unknown route"), std::string::npos);
    }
}

TEST(Router, NodeHintNamesAServerForReads) {
    const auto d = route("/* sqlgate:route=node:replica-2 */ SELECT COUNT(*) FROM t");
    EXPECT_EQ(d.target, Target::named_server);
    EXPECT_EQ(d.server, "replica-2");
}

TEST(Router, DiagnosticsGoWhereThePreviousStatementRan) {
    EXPECT_EQ(route("SHOW WARNINGS").target, Target::previous_server);
    EXPECT_EQ(route("SELECT @@warning_count", {.in_transaction = true}).target,
              Target::previous_server);
}

TEST(Router, SessionStateGoesToPrimary) {
    EXPECT_EQ(route("USE other_db").target, Target::primary);
    EXPECT_EQ(route("SET NAMES utf8mb4").target, Target::primary);
}

}  // namespace
}  // namespace sqlgate::proxy
