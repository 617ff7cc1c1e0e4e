#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "test_files.hpp"
#include "workload/send_requests.hpp"

namespace sqlgate::workload {
namespace {

using test_support::ScopedEnv;
using test_support::TempFile;

void parse(CLI::App& app, std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector form last-first
    app.parse(args);
}

TEST(SendRequestsCli, DefaultsMatchTheDemo) {
    SendRequestsOptions opts;
    CLI::App app;
    add_send_requests_options(app, opts);
    parse(app, {});
    EXPECT_FALSE(opts.host.has_value());
    EXPECT_FALSE(opts.port.has_value());
    EXPECT_EQ(opts.database, "main_db");
    EXPECT_EQ(opts.writes_per_table, 20);
    EXPECT_EQ(opts.reads_per_strategy, 20);
    EXPECT_EQ(opts.nodes,
              (std::vector<std::string>{"primary", "replica-1", "replica-2", "replica-3"}));
    EXPECT_EQ(opts.replication_deadline, std::chrono::seconds(10));
}

TEST(SendRequestsCli, FlagsFillTheOptions) {
    TempFile password("secret\n");
    SendRequestsOptions opts;
    CLI::App app;
    add_send_requests_options(app, opts);
    parse(app, {"--host", "127.0.10.1", "--port", "3307", "--user", "app", "--password-file",
                password.path(), "--bind-address", "127.0.50.1", "--nodes", "db1,db2", "--writes",
                "5", "--reads", "7", "--replication-timeout", "2.5"});
    EXPECT_EQ(opts.host, "127.0.10.1");
    EXPECT_EQ(opts.port, 3307u);
    EXPECT_EQ(opts.user, "app");
    EXPECT_EQ(opts.password_file, password.path());
    EXPECT_EQ(opts.bind_address, "127.0.50.1");
    EXPECT_EQ(opts.nodes, (std::vector<std::string>{"db1", "db2"}));
    EXPECT_EQ(opts.writes_per_table, 5);
    EXPECT_EQ(opts.reads_per_strategy, 7);
    EXPECT_EQ(opts.replication_deadline, std::chrono::milliseconds(2500));
}

TEST(SendRequestsCli, EmptyNodesSkipTheReplicationCheck) {
    SendRequestsOptions opts;
    CLI::App app;
    add_send_requests_options(app, opts);
    parse(app, {"--nodes", ""});
    EXPECT_TRUE(opts.nodes.empty());
    EXPECT_EQ(validate(opts), "");
}

TEST(SendRequestsCli, NoPasswordOnTheCommandLine) {
    SendRequestsOptions opts;
    CLI::App app;
    add_send_requests_options(app, opts);
    EXPECT_THROW(parse(app, {"--password", "secret"}), CLI::ParseError);
}

TEST(SendRequestsCli, RejectsBadValues) {
    for (std::vector<std::string> args : {std::vector<std::string>{"--port", "70000"},
                                          {"--writes", "-1"},
                                          {"--password-file", "/nonexistent/sqlgate"}}) {
        SendRequestsOptions opts;
        CLI::App app;
        add_send_requests_options(app, opts);
        EXPECT_THROW(parse(app, args), CLI::ParseError) << args[0];
    }
}

TEST(Validate, AcceptsDefaults) {
    EXPECT_EQ(validate(SendRequestsOptions{}), "");
}

TEST(Validate, RejectsNamesThatWouldBreakTheStatements) {
    SendRequestsOptions opts;
    opts.database = "main_db; DROP DATABASE x";
    EXPECT_NE(validate(opts), "");
    opts = {};
    opts.nodes = {"primary", "evil*/ SELECT 1 /*"};
    EXPECT_NE(validate(opts), "");
    opts = {};
    opts.nodes = {"primary", "primary"};
    EXPECT_NE(validate(opts).find("twice"), std::string::npos);
    opts = {};
    opts.port = 0;
    EXPECT_NE(validate(opts), "");
}

TEST(ResolvePassword, FileWinsAndLosesItsTrailingNewline) {
    TempFile file("from-file\r\n");
    ScopedEnv env("SQLGATE_PASSWORD", "from-env");
    SendRequestsOptions opts;
    opts.password_file = file.path();
    opts.password = "set-directly";
    EXPECT_EQ(resolve_password(opts), "from-file");
}

TEST(ResolvePassword, ThenDirectThenEnvironmentThenNothing) {
    ScopedEnv env("SQLGATE_TEST_PASSWORD", "from-env");
    SendRequestsOptions opts;
    opts.password_env = "SQLGATE_TEST_PASSWORD";
    opts.password = "set-directly";
    EXPECT_EQ(resolve_password(opts), "set-directly");
    opts.password.reset();
    EXPECT_EQ(resolve_password(opts), "from-env");
    opts.password_env = "SQLGATE_TEST_PASSWORD_UNSET";
    EXPECT_EQ(resolve_password(opts), std::nullopt);
}

TEST(ResolvePassword, UnreadableFileThrows) {
    SendRequestsOptions opts;
    opts.password_file = "/nonexistent/sqlgate-password";
    EXPECT_THROW(resolve_password(opts), std::runtime_error);
}

TEST(SendRequestsCli, HttpFlagsFillTheOptions) {
    TempFile token("t0ken\n");
    TempFile ca("not read by the parser");
    SendRequestsOptions opts;
    CLI::App app;
    add_send_requests_options(app, opts);
    parse(app, {"--http", "https://127.0.10.1:8443", "--token-file", token.path(), "--ssl-ca",
                ca.path()});
    EXPECT_EQ(opts.http_url, "https://127.0.10.1:8443");
    EXPECT_EQ(opts.token_file, token.path());
    EXPECT_EQ(opts.ssl_ca, ca.path());
    EXPECT_EQ(validate(opts), "");
}

TEST(SendRequestsCli, HttpFilesMustExist) {
    for (const char* flag : {"--token-file", "--ssl-ca"}) {
        SendRequestsOptions opts;
        CLI::App app;
        add_send_requests_options(app, opts);
        EXPECT_THROW(parse(app, {"--http", "https://127.0.0.1", flag, "/nonexistent/sqlgate"}),
                     CLI::ParseError)
            << flag;
    }
}

TEST(Validate, HttpModeRefusesMysqlOptions) {
    SendRequestsOptions base;
    base.http_url = "https://127.0.10.1:8443";
    for (auto set : std::vector<void (*)(SendRequestsOptions&)>{
             [](SendRequestsOptions& o) { o.host = "127.0.0.1"; },
             [](SendRequestsOptions& o) { o.port = 3306; },
             [](SendRequestsOptions& o) { o.user = "app"; },
             [](SendRequestsOptions& o) { o.password_file = "/tmp/p"; },
             [](SendRequestsOptions& o) { o.defaults_file = "/tmp/my.cnf"; }}) {
        SendRequestsOptions opts = base;
        set(opts);
        EXPECT_NE(validate(opts).find("for MySQL mode"), std::string::npos) << validate(opts);
    }
    SendRequestsOptions opts = base;
    opts.bind_address = "127.0.50.1";  // means the same in both modes
    EXPECT_EQ(validate(opts), "");
}

TEST(Validate, HttpOptionsNeedHttp) {
    SendRequestsOptions opts;
    opts.token_file = "/tmp/token";
    EXPECT_NE(validate(opts).find("are for --http"), std::string::npos);
    opts = {};
    opts.ssl_ca = "/tmp/ca.crt";
    EXPECT_NE(validate(opts).find("are for --http"), std::string::npos);
}

TEST(Validate, HttpUrlIsParsed) {
    SendRequestsOptions opts;
    opts.http_url = "http://192.0.2.1:8080";
    EXPECT_NE(validate(opts).find("loopback"), std::string::npos) << validate(opts);
    opts.http_url = "127.0.10.1:8443";
    EXPECT_NE(validate(opts).find("--http '127.0.10.1:8443'"), std::string::npos) << validate(opts);
}

TEST(ReadTokenFile, LosesItsTrailingNewline) {
    TempFile lf("abc.DEF-123_~+/=\n");
    EXPECT_EQ(read_token_file(lf.path()), "abc.DEF-123_~+/=");
    TempFile crlf("token\r\n");
    EXPECT_EQ(read_token_file(crlf.path()), "token");
    TempFile bare("token");
    EXPECT_EQ(read_token_file(bare.path()), "token");
}

TEST(ReadTokenFile, RefusesEmptyUnreadableAndUnsendable) {
    for (const char* content : {"", "\n", "\r\n\n"}) {
        TempFile file(content);
        try {
            read_token_file(file.path());
            ADD_FAILURE() << "accepted an empty token";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
        }
    }
    // Would split or corrupt the Authorization header.
    for (const char* content : {"two words", "line\nbreak", "tab\there", "caf\xc3\xa9"}) {
        TempFile file(content);
        EXPECT_THROW(read_token_file(file.path()), std::runtime_error) << content;
    }
    EXPECT_THROW(read_token_file("/nonexistent/sqlgate-token"), std::runtime_error);
}

TEST(ResolveToken, FileThenDirectThenEnvironment) {
    TempFile file("from-file\n");
    ScopedEnv env("SQLGATE_TEST_TOKEN", "from-env");
    SendRequestsOptions opts;
    opts.token_env = "SQLGATE_TEST_TOKEN";
    opts.token_file = file.path();
    opts.token = "set-directly";
    EXPECT_EQ(resolve_token(opts), "from-file");
    opts.token_file.clear();
    EXPECT_EQ(resolve_token(opts), "set-directly");
    opts.token.reset();
    EXPECT_EQ(resolve_token(opts), "from-env");
}

TEST(ResolveToken, NoneOrUnusableIsAnError) {
    SendRequestsOptions opts;
    opts.token_env = "SQLGATE_TEST_TOKEN_UNSET";
    try {
        resolve_token(opts);
        ADD_FAILURE() << "found a token where there is none";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("--token-file or set $SQLGATE_TEST_TOKEN_UNSET"),
                  std::string::npos)
            << e.what();
    }
    ScopedEnv env("SQLGATE_TEST_TOKEN", "");
    opts.token_env = "SQLGATE_TEST_TOKEN";
    EXPECT_THROW(resolve_token(opts), std::runtime_error);
}

TEST(RunWorkload, HttpWithoutATokenIsFatal) {
    SendRequestsOptions opts;
    opts.http_url = "https://127.0.0.1:1";
    opts.token_env = "SQLGATE_TEST_TOKEN_UNSET";
    const auto result = run_workload(opts);
    EXPECT_NE(result.fatal_error.find("no API token"), std::string::npos) << result.fatal_error;
}

TEST(RunWorkload, HttpRefusedConnectionIsFatalWithAHint) {
    SendRequestsOptions opts;
    opts.http_url = "https://127.0.0.1:1";
    opts.token = "t";
    const auto result = run_workload(opts);
    EXPECT_NE(result.fatal_error.find("cannot connect to https://127.0.0.1:1"), std::string::npos)
        << result.fatal_error;
    EXPECT_NE(result.fatal_error.find("check --http"), std::string::npos);
}

TEST(RunWorkload, BadOptionsAreFatalWithoutConnecting) {
    SendRequestsOptions opts;
    opts.nodes = {"a b"};
    const auto result = run_workload(opts);
    EXPECT_NE(result.fatal_error.find("bad options"), std::string::npos);
}

TEST(RunWorkload, RefusedConnectionIsFatalWithAHint) {
    SendRequestsOptions opts;
    opts.host = "127.0.0.1";
    opts.port = 1;  // nothing listens on tcpmux
    opts.password_env.clear();
    const auto result = run_workload(opts);
    EXPECT_NE(result.fatal_error.find("cannot connect to 127.0.0.1:1"), std::string::npos)
        << result.fatal_error;
    EXPECT_NE(result.fatal_error.find("check --host/--port"), std::string::npos);
}

}  // namespace
}  // namespace sqlgate::workload
