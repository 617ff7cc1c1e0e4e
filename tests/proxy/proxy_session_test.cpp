// The proxy's session run by the session engine between a scripted client and scripted
// backends (a primary and a replica) over loopback: where each statement goes, what is
// replayed before a replica's first read, read-your-writes, and failures. No database.
#include "proxy/proxy_session.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/server_session.hpp"
#include "mysql/auth.hpp"
#include "mysql/messages.hpp"
#include "mysql/session_changes.hpp"
#include "scripted_peer.hpp"
#include "session_under_test.hpp"

namespace sqlgate::proxy {
namespace {

using namespace std::chrono_literals;
using boost::asio::awaitable;
using mysql::Bytes;
using mysql::Command;
using test_support::command_text;
using test_support::error_code_of;
using test_support::error_message_of;
using test_support::is_ok;
using test_support::ScriptedPeer;

class ProxySessionTest : public ::testing::Test {
  protected:
    ProxySessionTest()
        : primary_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          replica_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        config_.backend = {"sqlgate", "backend-pw"};
        config_.connect_timeout = 2s;
        config_.read_your_writes = false;
        config_.servers = {
            {"primary", "127.0.0.1", primary_.local_endpoint().port(), config::ServerRole::primary},
            {"replica-1", "127.0.0.1", replica_.local_endpoint().port(),
             config::ServerRole::replica}};
        config_.users = {{"app", mysql::native_password_hash("pw"), config::RouteStrategy::random}};
    }

    void start() {
        runtime_.emplace(config_);
        // As if the monitor had seen both servers answer.
        for (BackendState& backend : runtime_->backends())
            backend.ever_reached = true;
        session_.emplace(io_, *runtime_);
        peer_ = &session_->client();
    }

    // The next connection the proxy opens to `server`, its login accepted.
    awaitable<ScriptedPeer> backend(net::tcp::acceptor& server) {
        ScriptedPeer peer(co_await server.async_accept(boost::asio::use_awaitable));
        const test_support::SeenLogin login = co_await peer.accept_login();
        EXPECT_EQ(login.user, "sqlgate");
        co_return peer;
    }

    awaitable<void> logged_in() {
        const Bytes reply = co_await peer_->log_in("app", "pw");
        EXPECT_TRUE(is_ok(reply)) << error_message_of(reply);
    }

    // The next command `server` receives must be `text`; it answers OK.
    // What the proxy makes of every session it opens on a replica.
    static constexpr std::string_view kReadOnly = "SET SESSION TRANSACTION READ ONLY";

    static awaitable<void> expect_command(ScriptedPeer& server, std::string_view text) {
        const auto command = co_await server.receive();
        EXPECT_TRUE(command);
        if (!command) co_return;
        EXPECT_EQ(command_text(*command), text);
        co_await server.reply_ok();
    }

    bool run(awaitable<void> script) { return test_support::run_script(io_, std::move(script)); }
    awaitable<ScriptedPeer> set_then_reset();

    boost::asio::io_context io_;
    net::tcp::acceptor primary_;
    net::tcp::acceptor replica_;
    config::ProxyConfig config_;
    std::optional<ProxyRuntime> runtime_;
    std::optional<test_support::SessionUnderTest<ProxySession>> session_;
    ScriptedPeer* peer_ = nullptr;  // the session's scripted client
};

TEST_F(ProxySessionTest, AWriteGoesToThePrimaryAndAReadToAReplica) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "INSERT INTO t VALUES (1)");
        ScriptedPeer primary = co_await backend(primary_);
        co_await expect_command(primary, "INSERT INTO t VALUES (1)");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT a FROM t");
        ScriptedPeer replica = co_await backend(replica_);
        co_await expect_command(replica, kReadOnly);
        EXPECT_EQ(command_text(*co_await replica.receive()), "SELECT a FROM t");
        co_await replica.reply_value("a", "1");
        const Bytes count = *co_await peer_->receive();
        const Bytes one_column{1};
        EXPECT_EQ(count, one_column);  // the relayed column count
    }()));
}

TEST_F(ProxySessionTest, SessionStateIsReplayedOnAReplicaBeforeItsFirstRead) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "SET NAMES utf8mb4");
        ScriptedPeer primary = co_await backend(primary_);
        co_await expect_command(primary, "SET NAMES utf8mb4");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::init_db, "main_db");
        const Bytes use = *co_await primary.receive();
        EXPECT_EQ(use.at(0), static_cast<std::uint8_t>(Command::init_db));
        co_await primary.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));

        co_await peer_->send_command(Command::query, "SELECT 1");
        ScriptedPeer replica = co_await backend(replica_);
        co_await expect_command(replica, "SET NAMES utf8mb4");
        const Bytes replayed_use = *co_await replica.receive();
        EXPECT_EQ(replayed_use.at(0), static_cast<std::uint8_t>(Command::init_db));
        EXPECT_EQ(command_text(replayed_use), "main_db");
        co_await replica.reply_ok();
        co_await expect_command(replica, kReadOnly);  // after the replay, which may undo it
        EXPECT_EQ(command_text(*co_await replica.receive()), "SELECT 1");
        co_await replica.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

// What a backend says after a write: an OK whose session state names the write's GTID, as
// a server that tracks last_gtid writes it.
Bytes ok_naming_gtid(std::string_view gtid) {
    Bytes variable;
    mysql::ByteWriter v(variable);
    v.lenenc_string("last_gtid");
    v.lenenc_string(gtid);
    Bytes block;
    mysql::ByteWriter b(block);
    b.u8(static_cast<std::uint8_t>(mysql::SessionTrackType::system_variables));
    b.lenenc_string(mysql::as_chars(variable));
    Bytes ok;
    mysql::ByteWriter w(ok);
    w.u8(mysql::kOkHeader);
    w.lenenc(1);  // affected rows
    w.lenenc(0);  // last insert id
    w.u16(mysql::bits(mysql::ServerStatus::autocommit) |
          mysql::bits(mysql::ServerStatus::session_state_changed));
    w.u16(0);             // warnings
    w.lenenc_string("");  // info
    w.lenenc_string(mysql::as_chars(block));
    return ok;
}

// The primary's sessions track last_gtid for read-your-writes.
constexpr std::string_view kTrackLastGtid =
    "SET @@session.session_track_system_variables = "
    "CONCAT_WS(',', NULLIF(@@session.session_track_system_variables, ''), 'last_gtid')";

TEST_F(ProxySessionTest, AReadAfterAWriteWaitsForTheGtidTheWritesReplyNamed) {
    config_.read_your_writes = true;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "UPDATE t SET a = 2");
        ScriptedPeer primary(co_await primary_.async_accept(boost::asio::use_awaitable));
        const auto login = co_await primary.accept_login();
        EXPECT_TRUE(has(login.capabilities, mysql::Capability::session_track));
        co_await expect_command(primary, kTrackLastGtid);
        EXPECT_EQ(command_text(*co_await primary.receive()), "UPDATE t SET a = 2");
        co_await primary.send(ok_naming_gtid("0-1-42"), 1);
        // The client did not ask for last_gtid: it gets the OK the server would have sent it.
        Bytes plain;
        mysql::serialize_ok(
            plain, {.affected_rows = 1, .status = mysql::bits(mysql::ServerStatus::autocommit)});
        EXPECT_EQ(*co_await peer_->receive(), plain);

        // The replica waits for that GTID; the primary is not asked anything.
        co_await peer_->send_command(Command::query, "SELECT a FROM t");
        ScriptedPeer replica = co_await backend(replica_);
        const std::string wait = command_text(*co_await replica.receive());
        EXPECT_EQ(wait.rfind("SELECT CAST(MASTER_GTID_WAIT('0-1-42', ", 0), 0u) << wait;
        co_await replica.reply_value("w", "0");
        co_await expect_command(replica, kReadOnly);
        EXPECT_EQ(command_text(*co_await replica.receive()), "SELECT a FROM t");
        co_await replica.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));

        // A write whose reply names no GTID committed none: nothing more to wait for.
        co_await peer_->send_command(Command::query, "UPDATE t SET a = 2 WHERE a = 3");
        EXPECT_EQ(command_text(*co_await primary.receive()), "UPDATE t SET a = 2 WHERE a = 3");
        co_await primary.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT b FROM t");
        EXPECT_EQ(command_text(*co_await replica.receive()), "SELECT b FROM t");
        co_await replica.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

// Once the client sets session_track_system_variables itself, what the primary reports is
// its choice: the GTID of a write is asked for before a replica read, as without tracking.
TEST_F(ProxySessionTest, AClientThatChoosesWhatIsTrackedHasItsWritesGtidAskedFor) {
    config_.read_your_writes = true;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query,
                                     "SET SESSION session_track_system_variables = 'autocommit'");
        ScriptedPeer primary = co_await backend(primary_);
        co_await expect_command(primary, kTrackLastGtid);
        co_await expect_command(primary,
                                "SET SESSION session_track_system_variables = 'autocommit'");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "UPDATE t SET a = 2");
        co_await expect_command(primary, "UPDATE t SET a = 2");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT a FROM t");
        EXPECT_EQ(command_text(*co_await primary.receive()), "SELECT CAST(@@last_gtid AS BINARY)");
        co_await primary.reply_value("@@last_gtid", "0-1-42");
        ScriptedPeer replica = co_await backend(replica_);
        const std::string wait = command_text(*co_await replica.receive());
        EXPECT_EQ(wait.rfind("SELECT CAST(MASTER_GTID_WAIT('0-1-42', ", 0), 0u) << wait;
        co_await replica.reply_value("w", "0");
        const std::string replayed = command_text(*co_await replica.receive());
        EXPECT_EQ(replayed, "SET SESSION session_track_system_variables = 'autocommit'");
        co_await replica.reply_ok();
        co_await expect_command(replica, kReadOnly);
        EXPECT_EQ(command_text(*co_await replica.receive()), "SELECT a FROM t");
        co_await replica.reply_ok();
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ProxySessionTest, ReadsInsideATransactionStayOnThePrimary) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "BEGIN");
        ScriptedPeer primary = co_await backend(primary_);
        EXPECT_EQ(command_text(*co_await primary.receive()), "BEGIN");
        co_await primary.reply_ok(1, mysql::bits(mysql::ServerStatus::autocommit) |
                                         mysql::bits(mysql::ServerStatus::in_trans));
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        co_await peer_->send_command(Command::query, "SELECT a FROM t");
        co_await expect_command(primary, "SELECT a FROM t");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ProxySessionTest, AnUnreachableReplicaIsSkippedAndThePrimaryServesTheRead) {
    replica_.close();
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "SELECT 1");
        ScriptedPeer primary = co_await backend(primary_);
        co_await expect_command(primary, "SELECT 1");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
    EXPECT_FALSE(runtime_->backends()[1].reachable(config_.failure_threshold));
}

TEST_F(ProxySessionTest, AWriteWithThePrimaryDownGetsAnErrorNamingIt) {
    const auto port = primary_.local_endpoint().port();
    primary_.close();
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "DELETE FROM t");
        const Bytes reply = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(reply), 1105);
        EXPECT_EQ(error_message_of(reply).rfind("sqlgate: server 'primary' (127.0.0.1:" +
                                                    std::to_string(port) + ") unavailable",
                                                0),
                  0u)
            << error_message_of(reply);
        // The session goes on.
        co_await peer_->send_command(Command::ping, "");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ProxySessionTest, AnUnknownRouteNameIsAnErrorAndNoServerIsAsked) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "/* sqlgate:route=fastest */ SELECT 1");
        EXPECT_EQ(error_code_of(*co_await peer_->receive()), 1210);
        co_await peer_->send_command(Command::query, "/* sqlgate:route=node:nowhere */ SELECT 1");
        const Bytes unknown = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(unknown), 1210);
        EXPECT_EQ(error_message_of(unknown), "sqlgate: no server named 'nowhere' in route hint");
    }()));
    primary_.non_blocking(true);
    boost::system::error_code ec;
    net::tcp::socket nobody(io_);
    primary_.accept(nobody, ec);
    EXPECT_EQ(ec, boost::asio::error::would_block);
}

TEST_F(ProxySessionTest, KillOfAnUnknownConnectionIdIsRefusedInMariaDBsWords) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "KILL 999");
        const Bytes reply = *co_await peer_->receive();
        EXPECT_EQ(error_code_of(reply), 1094);
        EXPECT_EQ(error_message_of(reply), "Unknown thread id: 999");
        Bytes kill;
        mysql::serialize_statement_command(kill, Command::process_kill, 998);
        co_await peer_->send(kill, 0);
        EXPECT_EQ(error_message_of(*co_await peer_->receive()), "Unknown thread id: 998");
    }()));
}

TEST_F(ProxySessionTest, KillQueryOfItsOwnIdIsCarriedOutOnItsBackendThreads) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "DO 1");
        ScriptedPeer primary = co_await backend(primary_);  // its thread id is 7
        co_await expect_command(primary, "DO 1");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        const std::string kill =
            "KILL QUERY " + std::to_string(session_->connection().connection_id());
        co_await peer_->send_command(Command::query, kill);
        co_await expect_command(primary, "KILL QUERY 7");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

// The client sets a user variable on the primary, then sends COM_RESET_CONNECTION; the
// primary's connection that ran the SET is returned.
awaitable<ScriptedPeer> ProxySessionTest::set_then_reset() {
    co_await logged_in();
    co_await peer_->send_command(Command::query, "SET @x = 1");
    ScriptedPeer primary = co_await backend(primary_);
    co_await expect_command(primary, "SET @x = 1");
    EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    const Bytes reset{static_cast<std::uint8_t>(Command::reset_connection)};
    co_await peer_->send(reset, 0);
    EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    co_return primary;
}

TEST_F(ProxySessionTest, ComResetConnectionDropsTheBackendSessionsWithoutMultiplexing) {
    config_.multiplex = false;
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer primary = co_await set_then_reset();
        EXPECT_TRUE(co_await primary.closed_by_peer());
        // A fresh backend session, with nothing replayed into it.
        co_await peer_->send_command(Command::query, "INSERT INTO t VALUES (3)");
        ScriptedPeer fresh = co_await backend(primary_);
        co_await expect_command(fresh, "INSERT INTO t VALUES (3)");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ProxySessionTest, ComResetConnectionResetsTheSharedBackendSessionBeforeItsNextUse) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        ScriptedPeer primary = co_await set_then_reset();
        // The idle connection ran SET @x = 1, which the session no longer has: it is reset
        // before the session's next statement runs there.
        co_await peer_->send_command(Command::query, "INSERT INTO t VALUES (3)");
        const Bytes seen = *co_await primary.receive();
        EXPECT_EQ(seen.at(0), static_cast<std::uint8_t>(Command::reset_connection));
        co_await primary.reply_ok();
        co_await expect_command(primary, "INSERT INTO t VALUES (3)");
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
    }()));
}

TEST_F(ProxySessionTest, AnOpenTransactionKeepsItsConnectionAndItsEndGivesItBack) {
    start();
    ASSERT_TRUE(run([&]() -> awaitable<void> {
        co_await logged_in();
        co_await peer_->send_command(Command::query, "BEGIN");
        ScriptedPeer primary = co_await backend(primary_);
        const auto begin = co_await primary.receive();
        EXPECT_EQ(command_text(*begin), "BEGIN");
        co_await primary.reply_ok(1, mysql::bits(mysql::ServerStatus::in_trans) |
                                         mysql::bits(mysql::ServerStatus::autocommit));
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        const BackendState& server = runtime_->primary();
        EXPECT_EQ(server.links->idle(), 0u);  // held by the session
        co_await peer_->send_command(Command::query, "COMMIT");
        EXPECT_EQ(command_text(*co_await primary.receive()), "COMMIT");
        co_await primary.reply_ok(1, mysql::bits(mysql::ServerStatus::autocommit));
        EXPECT_TRUE(is_ok(*co_await peer_->receive()));
        EXPECT_EQ(server.links->idle(), 1u);
        EXPECT_EQ(server.links->open(), 1);
        const auto pins = runtime_->counters().pins;
        EXPECT_EQ(pins[static_cast<std::size_t>(PinReason::transaction)], 1u);
    }()));
}

}  // namespace
}  // namespace sqlgate::proxy
