// The session engine driven by a scripted client over loopback, with a role of the test's
// own (RecordingStages): login, framing limits, sequence checks, KILL, COM_CHANGE_USER,
// timeouts. No database and no real role.
#include "engine/server_session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "scripted_peer.hpp"

namespace sqlgate::engine {
namespace {

using namespace std::chrono_literals;
using boost::asio::awaitable;
using mysql::Bytes;
using mysql::Command;
using test_support::error_code_of;
using test_support::error_message_of;
using test_support::is_ok;
using test_support::ScriptedPeer;

// A role that knows two users, answers every command with OK and remembers what it saw.
class RecordingStages final : public SessionStages {
  public:
    explicit RecordingStages(ClientConnection& client) : client_(client) {}

    std::optional<ErrorReply> admit() override {
        if (refuse_admission) return ErrorReply{1040, "08004", "full"};
        return std::nullopt;
    }
    bool authenticate(const net::ClientLogin& login, std::string_view scramble) override {
        const auto it = passwords.find(login.user);
        if (it == passwords.end()) return false;
        const auto hash =
            mysql::parse_native_password_hash(mysql::native_password_hash(it->second));
        if (!hash || !mysql::verify_native_password(login.token, scramble, *hash)) return false;
        user = login.user;
        return true;
    }
    awaitable<std::optional<ErrorReply>> open(const net::ClientLogin& login) override {
        ++opened;
        if (login.database == "missing") {
            co_return ErrorReply{1049, "42000", "Unknown database 'missing'"};
        }
        co_return std::nullopt;
    }
    std::string_view user_name() const override { return user; }
    awaitable<bool> handle(Command command, mysql::ByteView payload) override {
        commands.emplace_back(static_cast<std::uint8_t>(command),
                              std::string(mysql::as_chars(payload.subspan(1))));
        if (commands.back().second == "SLOW") {  // a statement that takes a while
            boost::asio::steady_timer timer(client_.channel().executor(), 200ms);
            co_await timer.async_wait(boost::asio::use_awaitable);
        }
        co_return co_await client_.send_ok(status_flags());
    }
    awaitable<bool> kill(std::uint64_t id, bool query_only) override {
        killed.push_back(id);
        EXPECT_FALSE(query_only);
        co_return co_await client_.send_ok(status_flags());
    }
    std::optional<ErrorReply> change_user_refusal() const override {
        if (refuse_change_user) return ErrorReply{1235, "42000", "not here"};
        return std::nullopt;
    }
    void reset() override { ++resets; }
    void close() override { ++closes; }

    std::map<std::string, std::string> passwords{{"alice", "secret"}, {"bob", "hunter2"}};
    bool refuse_admission = false;
    bool refuse_change_user = false;
    std::string user;
    int opened = 0;
    int resets = 0;
    int closes = 0;
    std::vector<std::pair<std::uint8_t, std::string>> commands;
    std::vector<std::uint64_t> killed;

  private:
    ClientConnection& client_;
};

class ServerSessionTest : public ::testing::Test {
  protected:
    ServerSessionTest() {
        auto pair = test_support::make_socket_pair(io_);
        client_.emplace(net::PacketChannel(std::move(pair.near)), 42);
        stages_.emplace(*client_);
        peer_.emplace(std::move(pair.far));
        settings_.role = "test";
        settings_.server_version = "5.5.5-10.11.0-test";
        settings_.max_statement_bytes = 64;
        settings_.pre_auth.timeout = 2s;
    }

    // Starts the session under test; it runs while a script runs.
    void start() {
        session_.emplace(*client_, *stages_, settings_, &registry_);
        boost::asio::co_spawn(io_, session_->run(), [this](std::exception_ptr e) {
            ended_ = true;
            if (e) std::rethrow_exception(e);
        });
    }

    bool run(awaitable<void> script) { return test_support::run_script(io_, std::move(script)); }

    awaitable<void> logged_in(std::string_view user = "alice",
                              std::string_view password = "secret") {
        const Bytes reply = co_await peer_->log_in(user, password);
        EXPECT_TRUE(is_ok(reply)) << error_message_of(reply);
    }

    // A command with a given sequence id, as a misbehaving client might send it.
    awaitable<void> send_raw_command(const Bytes& payload, std::uint8_t sequence) {
        co_await peer_->send(payload, sequence);
    }

    boost::asio::io_context io_;
    std::optional<ClientConnection> client_;
    std::optional<RecordingStages> stages_;
    std::optional<ScriptedPeer> peer_;
    ListenerSettings settings_;
    SessionRegistry registry_;
    std::optional<ServerSession> session_;
    bool ended_ = false;
};

TEST_F(ServerSessionTest, LogsInAndHandsEachCommandToTheStages) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes greeting = *co_await peer_->receive();
        const auto parsed = mysql::parse_greeting(greeting);
        EXPECT_TRUE(parsed);
        if (!parsed) co_return;
        EXPECT_EQ(parsed->server_version, "5.5.5-10.11.0-test");
        EXPECT_EQ(parsed->connection_id, 42u);
        EXPECT_EQ(parsed->auth_plugin, mysql::kNativePasswordPlugin);
        // Answer the greeting by hand, as log_in would.
        mysql::HandshakeResponse response;
        response.capabilities = mysql::kRequiredClientCapabilities | mysql::Capability::plugin_auth;
        response.user = "alice";
        const std::string token = mysql::native_password_token("secret", parsed->auth_data);
        response.auth_response = token;
        response.auth_plugin = mysql::kNativePasswordPlugin;
        Bytes payload;
        mysql::serialize_handshake_response(payload, response);
        co_await peer_->send(payload, 1);
        std::uint8_t sequence = 0;
        const Bytes ok = *co_await peer_->receive(&sequence);
        EXPECT_TRUE(is_ok(ok));
        EXPECT_EQ(sequence, 2);
        co_await peer_->send_command(Command::query, "SELECT 1");
        EXPECT_TRUE(is_ok(*co_await peer_->receive(&sequence)));
        EXPECT_EQ(sequence, 1);
    }()));
    EXPECT_EQ(stages_->user, "alice");
    EXPECT_EQ(stages_->opened, 1);
    ASSERT_EQ(stages_->commands.size(), 1u);
    EXPECT_EQ(stages_->commands[0].first, static_cast<std::uint8_t>(Command::query));
    EXPECT_EQ(stages_->commands[0].second, "SELECT 1");
}

TEST_F(ServerSessionTest, AWrongPasswordIsDeniedInMariaDBsWordsAndTheConnectionCloses) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("alice", "wrong");
        EXPECT_EQ(error_code_of(reply), 1045);
        EXPECT_EQ(error_message_of(reply),
                  "Access denied for user 'alice'@'127.0.0.1' (using password: YES)");
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
    EXPECT_EQ(stages_->opened, 0);
    EXPECT_GE(stages_->closes, 1);
}

TEST_F(ServerSessionTest, AnUnknownUserIsDeniedLikeAWrongPassword) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("mallory", "secret");
        EXPECT_EQ(error_code_of(reply), 1045);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, WhatTheStagesCannotOpenEndsTheLoginWithTheirError) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("alice", "secret", "missing");
        EXPECT_EQ(error_code_of(reply), 1049);
        EXPECT_EQ(error_message_of(reply), "Unknown database 'missing'");
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, ARefusedAdmissionIsSentInPlaceOfTheGreeting) {
    stages_->refuse_admission = true;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        std::uint8_t sequence = 9;
        const Bytes reply = *co_await peer_->receive(&sequence);
        EXPECT_EQ(error_code_of(reply), 1040);
        EXPECT_EQ(sequence, 0);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, AnOversizedStatementGetsAnErrorAndTheSessionGoesOn) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        const std::string big = "SELECT '" + std::string(200, 'x') + "'";
        co_await peer_->send_command(Command::query, big);
        const Bytes refused = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(refused), 1153);
        EXPECT_EQ(error_message_of(refused),
                  "sqlgate: statement larger than 64 bytes (max_statement_bytes)");
        co_await peer_->send_command(Command::query, "SELECT 2");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
    ASSERT_EQ(stages_->commands.size(), 1u);
    EXPECT_EQ(stages_->commands[0].second, "SELECT 2");
}

TEST_F(ServerSessionTest, ACommandOutOfSequenceEndsTheSession) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        Bytes payload;
        mysql::serialize_command(payload, Command::query, "SELECT 1");
        co_await send_raw_command(payload, 5);
        const Bytes reply = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(reply), 1835);
        EXPECT_EQ(error_message_of(reply), "sqlgate: packets out of order");
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
    EXPECT_TRUE(stages_->commands.empty());
}

TEST_F(ServerSessionTest, AnEmptyCommandGetsAnErrorAndTheSessionGoesOn) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        const Bytes empty;
        co_await send_raw_command(empty, 0);
        EXPECT_EQ(error_code_of(*co_await peer_->receive()), 1835);
        co_await peer_->send_command(Command::query, "SELECT 3");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ServerSessionTest, ComProcessKillReachesTheStagesWithItsIdAndAShortOneIsRefused) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        Bytes kill;
        mysql::serialize_statement_command(kill, Command::process_kill, 77);
        co_await send_raw_command(kill, 0);
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        const Bytes short_kill{static_cast<std::uint8_t>(Command::process_kill), 1};
        co_await send_raw_command(short_kill, 0);
        const Bytes refused = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(refused), 1835);
        EXPECT_EQ(error_message_of(refused), "sqlgate: malformed COM_PROCESS_KILL");
        co_await peer_->send_command(Command::query, "SELECT 4");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
    EXPECT_EQ(stages_->killed, std::vector<std::uint64_t>{77});
}

awaitable<void> change_user(ScriptedPeer& peer, std::string_view user, std::string_view password) {
    const std::string token = mysql::native_password_token(std::string(password), peer.scramble());
    mysql::ChangeUserRequest request{.user = user,
                                     .auth_response = token,
                                     .collation = mysql::kDefaultCollation,
                                     .auth_plugin = mysql::kNativePasswordPlugin};
    Bytes payload{static_cast<std::uint8_t>(Command::change_user)};
    mysql::serialize_change_user(payload, request,
                                 mysql::kProxyCapabilities & ~mysql::Capability::deprecate_eof);
    co_await peer.send(payload, 0);
}

TEST_F(ServerSessionTest, ComChangeUserResetsTheSessionAndLogsTheNewUserIn) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await change_user(*peer_, "bob", "hunter2");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT 5");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
    EXPECT_EQ(stages_->user, "bob");
    EXPECT_EQ(stages_->resets, 1);
    EXPECT_EQ(stages_->opened, 2);
}

TEST_F(ServerSessionTest, ComChangeUserWithAWrongPasswordEndsTheSession) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await change_user(*peer_, "bob", "wrong");
        EXPECT_EQ(error_code_of(*co_await peer_->receive()), 1045);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, ARoleThatRefusesComChangeUserKeepsTheSession) {
    stages_->refuse_change_user = true;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await change_user(*peer_, "bob", "hunter2");
        EXPECT_EQ(error_code_of(*co_await peer_->receive()), 1235);
        co_await peer_->send_command(Command::query, "SELECT 6");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
    EXPECT_EQ(stages_->user, "alice");
    EXPECT_EQ(stages_->resets, 0);
}

TEST_F(ServerSessionTest, ComQuitEndsTheSessionAndReleasesTheStages) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        const Bytes quit{static_cast<std::uint8_t>(Command::quit)};
        co_await send_raw_command(quit, 0);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
    EXPECT_TRUE(stages_->commands.empty());
    EXPECT_GE(stages_->closes, 1);
}

TEST_F(ServerSessionTest, AClientThatNeverAnswersTheGreetingIsClosedAtTheHandshakeTimeout) {
    settings_.pre_auth.timeout = 200ms;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        EXPECT_TRUE(co_await peer_->receive());  // the greeting
        EXPECT_TRUE(co_await peer_->closed_by_peer(3s));
    }()));
    EXPECT_TRUE(stages_->user.empty());
}

TEST_F(ServerSessionTest, AnIdleSessionIsClosedAtTheIdleTimeout) {
    settings_.idle_timeout = 200ms;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT 7");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        EXPECT_TRUE(co_await peer_->closed_by_peer(3s));
    }()));
}

TEST_F(ServerSessionTest, AClientThatDoesNotStartTlsWhereItIsRequiredIsRefused) {
    settings_.tls_required = true;  // (no context: refused before any TLS could start)
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        const Bytes reply = co_await peer_->log_in("alice", "secret");
        EXPECT_EQ(error_code_of(reply), 3159);
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, ADrainedIdleSessionEndsAtOnce) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        EXPECT_EQ(registry_.size(), 1u);
        registry_.drain();
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
    EXPECT_GE(stages_->closes, 1);
}

TEST_F(ServerSessionTest, ADrainedBusySessionAnswersItsCommandFirst) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "SLOW");
        while (stages_->commands.empty()) {  // the stages have it, and are busy with it
            co_await boost::asio::post(io_, boost::asio::use_awaitable);
        }
        registry_.drain();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        EXPECT_TRUE(co_await peer_->closed_by_peer());
    }()));
}

TEST_F(ServerSessionTest, ASessionThatStartsWhileDrainingIsClosedBeforeItLogsIn) {
    registry_.drain();
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> { EXPECT_FALSE(co_await peer_->receive()); }()));
    EXPECT_TRUE(stages_->user.empty());
}

}  // namespace
}  // namespace sqlgate::engine
