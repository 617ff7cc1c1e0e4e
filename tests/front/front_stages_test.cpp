// A front role (gatekeeper settings) run by the session engine between a scripted client and
// a scripted upstream over loopback with mutual TLS: what the gate lets through, what it
// refuses, and what a client sees when the next hop fails. No database.
#include "front/front_stages.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <filesystem>

#include "engine/server_session.hpp"
#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "scripted_peer.hpp"
#include "session_under_test.hpp"
#include "test_tls.hpp"

namespace sqlgate::front {
namespace {

using namespace std::chrono_literals;
using boost::asio::awaitable;
using mysql::Bytes;
using mysql::Command;
using test_support::error_code_of;
using test_support::error_message_of;
using test_support::is_ok;
using test_support::ScriptedPeer;
namespace tls_support = gatekeeper::test_support;

class FrontStagesTest : public ::testing::Test {
  protected:
    FrontStagesTest()
        : dir_(std::filesystem::temp_directory_path() /
               ("sqlgate-front-test-" + std::to_string(::getpid()))),
          upstream_acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          upstream_tls_(tls_support::make_server_context(tls_support::shared_test_certificate())) {
        std::filesystem::create_directories(dir_);
        tls_support::write_pem_files(tls_support::shared_test_certificate(), dir_ / "cert.pem",
                                     dir_ / "key.pem");
        settings_.role = "gatekeeper";
        settings_.listener.handshake_timeout = 2s;
        settings_.allow_plain_from_loopback = true;
        settings_.authentication = Authentication::password;
        settings_.upstream = {.address = "127.0.0.1",
                              .port = upstream_acceptor_.local_endpoint().port(),
                              .server_name = "sqlgate-test",
                              .tls = {.certificate = dir_ / "cert.pem",
                                      .private_key = dir_ / "key.pem",
                                      .ca = dir_ / "cert.pem"},
                              .connect_timeout = 2s};
        config::FrontUser demo;
        demo.name = "demo";
        demo.password_hash = mysql::native_password_hash("pw");
        demo.policy.allowed_schemas = {"main_db"};
        settings_.users.push_back(demo);
    }
    ~FrontStagesTest() override { std::filesystem::remove_all(dir_); }

    // Builds the role from settings_ and starts one session for the scripted client.
    void start() {
        runtime_.emplace(settings_);
        session_.emplace(io_, *runtime_);
        peer_ = &session_->client();
    }

    // The next hop, as the front's upstream connection reaches it: TLS, login accepted.
    awaitable<ScriptedPeer> upstream() {
        auto socket = co_await upstream_acceptor_.async_accept(boost::asio::use_awaitable);
        ScriptedPeer peer(std::move(socket));
        const test_support::SeenLogin login = co_await peer.accept_login(&upstream_tls_);
        EXPECT_EQ(login.user, "demo");  // asserted over mutual TLS, no password held
        co_return peer;
    }

    // Logs the client in while the upstream accepts; returns the upstream.
    awaitable<ScriptedPeer> logged_in() {
        std::optional<ScriptedPeer> next;
        boost::asio::co_spawn(
            io_, [&]() -> awaitable<void> { next.emplace(co_await upstream()); },
            boost::asio::detached);
        const Bytes reply = co_await peer_->log_in("demo", "pw");
        EXPECT_TRUE(is_ok(reply)) << error_message_of(reply);
        while (!next) {  // the upstream's OK reached the front before its OK reached us
            co_await boost::asio::post(io_, boost::asio::use_awaitable);
        }
        co_return std::move(*next);
    }

    bool run(awaitable<void> script) { return test_support::run_script(io_, std::move(script)); }

    std::filesystem::path dir_;
    boost::asio::io_context io_;
    net::tcp::acceptor upstream_acceptor_;
    boost::asio::ssl::context upstream_tls_;
    FrontSettings settings_;
    std::optional<FrontRuntime> runtime_;
    std::optional<test_support::SessionUnderTest<FrontStages>> session_;
    ScriptedPeer* peer_ = nullptr;  // the session's scripted client
};

TEST_F(FrontStagesTest, AnAllowedStatementIsForwardedAndItsReplyRelayed) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT 1");
        const Bytes forwarded = *co_await next.receive();
        EXPECT_EQ(test_support::command_text(forwarded), "SELECT 1");
        co_await next.reply_value("1", "1");
        const Bytes count = *co_await peer_->receive();
        const Bytes one_column{1};
        EXPECT_EQ(count, one_column);
        const Bytes definition = *co_await peer_->receive();
        const auto column = mysql::parse_column_definition(definition);
        EXPECT_TRUE(column && column->name == "1");
        EXPECT_TRUE(mysql::parse_eof(*co_await peer_->receive()));
        std::vector<std::optional<std::string_view>> values;
        const Bytes row = *co_await peer_->receive();
        EXPECT_TRUE(mysql::parse_text_row(row, 1, values));
        EXPECT_EQ(values.at(0), "1");
        EXPECT_TRUE(mysql::parse_eof(*co_await peer_->receive()));
    }()));
}

TEST_F(FrontStagesTest, ARefusedStatementNeverReachesTheNextHopAndTheSessionGoesOn) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT * FROM main_db.t WHERE id = 1 OR 1=1");
        const Bytes refused = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(refused), 1227);
        EXPECT_EQ(
            error_message_of(refused).rfind("sqlgate: statement rejected by rule tautology", 0), 0u)
            << error_message_of(refused);
        co_await peer_->send_command(Command::query, "SELECT 2");
        // The first thing the next hop sees is the statement after the refused one.
        EXPECT_EQ(test_support::command_text(*co_await next.receive()), "SELECT 2");
        co_await next.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(FrontStagesTest, ComProcessKillIsGatedAsTheKillItAmountsTo) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        Bytes kill;
        mysql::serialize_statement_command(kill, Command::process_kill, 12);
        co_await peer_->send(kill, 0);
        const Bytes refused = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(refused), 1227);
        EXPECT_NE(error_message_of(refused).find("statement_not_allowed"), std::string::npos)
            << error_message_of(refused);
        co_await peer_->send_command(Command::ping, "");
        const Bytes ping = *co_await next.receive();
        const Bytes expected{static_cast<std::uint8_t>(Command::ping)};
        EXPECT_EQ(ping, expected);
    }()));
}

TEST_F(FrontStagesTest, AnAdminUsersComProcessKillIsForwardedAsItCame) {
    settings_.users[0].policy.allowed_kinds.add(policy::StatementKind::admin);
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        Bytes kill;
        mysql::serialize_statement_command(kill, Command::process_kill, 12);
        co_await peer_->send(kill, 0);
        EXPECT_EQ(*co_await next.receive(), kill);
        co_await next.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(FrontStagesTest, TheRateLimitRefusesWithItsOwnErrorAndNamesTheRule) {
    settings_.rate_limits.per_user_per_second = 0.01;
    settings_.rate_limits.per_user_burst = 1;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT 1");
        EXPECT_EQ(test_support::command_text(*co_await next.receive()), "SELECT 1");
        co_await next.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT 2");
        const Bytes refused = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(refused), 1226);
        EXPECT_NE(error_message_of(refused).find("rate_limit"), std::string::npos);
    }()));
}

TEST_F(FrontStagesTest, ComChangeUserIsRefusedAndTheSessionGoesOn) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        const Bytes change_user{static_cast<std::uint8_t>(Command::change_user), 'x', 0};
        co_await peer_->send(change_user, 0);
        EXPECT_EQ(error_code_of(*co_await peer_->receive()), 1235);
        co_await peer_->send_command(Command::query, "SELECT 3");
        EXPECT_EQ(test_support::command_text(*co_await next.receive()), "SELECT 3");
    }()));
}

TEST_F(FrontStagesTest, AnUnreachableNextHopFailsTheLoginAndSaysWhichHop) {
    const auto port = upstream_acceptor_.local_endpoint().port();
    upstream_acceptor_.close();
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("demo", "pw");
        EXPECT_EQ(error_code_of(reply), 1105);
        EXPECT_EQ(error_message_of(reply).rfind(
                      "sqlgate: upstream 127.0.0.1:" + std::to_string(port) + " unavailable", 0),
                  0u)
            << error_message_of(reply);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(FrontStagesTest, ANextHopLostBeforeItRepliesIsReportedAndEndsTheSession) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer next = co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT 4");
        EXPECT_TRUE(co_await next.receive());
        next.channel().close();
        const Bytes reply = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(reply), 1105);
        EXPECT_NE(error_message_of(reply).find("lost the connection to upstream 127.0.0.1"),
                  std::string::npos)
            << error_message_of(reply);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(FrontStagesTest, AWrongPasswordNeverOpensTheNextHop) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("demo", "nope");
        EXPECT_EQ(error_code_of(reply), 1045);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
    // Nothing ever connected upstream: an accept would complete at once if one had.
    upstream_acceptor_.non_blocking(true);
    boost::system::error_code ec;
    net::tcp::socket nobody(io_);
    upstream_acceptor_.accept(nobody, ec);
    EXPECT_EQ(ec, boost::asio::error::would_block);
}

}  // namespace
}  // namespace sqlgate::front

namespace sqlgate::front {
namespace {

TEST_F(FrontStagesTest, AReloadReplacesUsersAndRateLimitsNotTheLoginsOfOpenSessions) {
    start();
    const auto held = runtime_->find_user("demo");  // as a logged-in session holds it
    ASSERT_NE(held, nullptr);
    FrontSettings next = settings_;
    next.users.front().name = "demo2";
    next.rate_limits.per_user_per_second = 1;
    next.rate_limits.per_user_burst = 1;
    next.listener.port = 1;
    std::vector<std::string> ignored;
    runtime_->reload(next, ignored);
    EXPECT_EQ(runtime_->find_user("demo"), nullptr);
    ASSERT_NE(runtime_->find_user("demo2"), nullptr);
    EXPECT_EQ(held->name, "demo");
    EXPECT_EQ(ignored, std::vector<std::string>{"listener address"});
    const auto user = runtime_->find_user("demo2");
    EXPECT_TRUE(runtime_->check_rate(*user, "127.0.0.1", "SELECT 1", AuditFront::mysql).allowed());
    EXPECT_FALSE(runtime_->check_rate(*user, "127.0.0.1", "SELECT 1", AuditFront::mysql).allowed());
}

}  // namespace
}  // namespace sqlgate::front
