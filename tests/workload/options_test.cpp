#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>

#include "workload/send_requests.hpp"

namespace sqlgate::workload {
namespace {

// A file under /tmp removed when the test ends.
class TempFile {
  public:
    explicit TempFile(const std::string& content) {
        char name[] = "/tmp/sqlgate_workload_testXXXXXX";
        const int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        close(fd);
        path_ = name;
        std::ofstream(path_, std::ios::binary) << content;
    }
    ~TempFile() { unlink(path_.c_str()); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Sets an environment variable for the scope of a test.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
    ~ScopedEnv() { unsetenv(name_); }

  private:
    const char* name_;
};

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
