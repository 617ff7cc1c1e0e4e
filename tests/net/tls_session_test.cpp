// TlsSession on its own: two sessions joined by hand-carried ciphertext, no sockets.
#include "net/tls_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "test_tls.hpp"

namespace sqlgate::net {
namespace {

using gatekeeper::test_support::make_client_context;
using gatekeeper::test_support::make_self_signed_certificate;
using gatekeeper::test_support::make_server_context;
using gatekeeper::test_support::shared_test_certificate;
using Step = TlsSession::Step;

// Moves whatever `from` produced into `to`; returns the ciphertext's size.
std::size_t carry(TlsSession& from, TlsSession& to) {
    mysql::Bytes bytes;
    from.take_output(bytes);
    to.feed(bytes);
    return bytes.size();
}

struct Pair {
    boost::asio::ssl::context server_context = make_server_context(shared_test_certificate());
    boost::asio::ssl::context client_context = make_client_context(shared_test_certificate());
    std::unique_ptr<TlsSession> server =
        TlsSession::create(server_context.native_handle(), TlsSession::Side::server);
    std::unique_ptr<TlsSession> client =
        TlsSession::create(client_context.native_handle(), TlsSession::Side::client);

    // Runs both handshakes to the end, carrying bytes both ways.
    bool handshake() {
        Step client_step = Step::want_read;
        Step server_step = Step::want_read;
        for (int round = 0; round < 10; ++round) {
            client_step = client->handshake();
            carry(*client, *server);
            server_step = server->handshake();
            carry(*server, *client);
            if (client_step == Step::failed || server_step == Step::failed) return false;
            if (client_step == Step::done && server_step == Step::done) return true;
        }
        return false;
    }

    // The ciphertext of `text` written by the client, not yet given to the server.
    mysql::Bytes client_record(std::string_view text) {
        mysql::Bytes bytes;
        if (client->write(mysql::as_bytes(text)) == Step::done) client->take_output(bytes);
        return bytes;
    }

    std::string read_all(TlsSession& session) {
        std::string text;
        std::array<std::uint8_t, 64> chunk{};  // small, so that a record takes several reads
        for (;;) {
            std::size_t n = 0;
            if (session.read(chunk, n) != Step::done) return text;
            text.append(reinterpret_cast<const char*>(chunk.data()), n);
        }
    }
};

mysql::ByteView bytes_of(std::string_view s) {
    return mysql::as_bytes(s);
}

TEST(TlsSession, HandshakeThenDataBothWays) {
    Pair pair;
    ASSERT_TRUE(pair.server && pair.client);
    ASSERT_TRUE(pair.handshake());
    ASSERT_EQ(pair.client->write(bytes_of("SELECT 1")), Step::done);
    const std::size_t record = carry(*pair.client, *pair.server);
    EXPECT_GT(record, std::string_view("SELECT 1").size());  // encrypted and framed
    EXPECT_EQ(pair.read_all(*pair.server), "SELECT 1");

    const std::string reply(40'000, 'r');  // more than one record
    ASSERT_EQ(pair.server->write(bytes_of(reply)), Step::done);
    carry(*pair.server, *pair.client);
    EXPECT_EQ(pair.read_all(*pair.client), reply);
}

TEST(TlsSession, ReadWithoutCiphertextWantsMore) {
    Pair pair;
    ASSERT_TRUE(pair.handshake());
    std::array<std::uint8_t, 16> out{};
    std::size_t n = 99;
    EXPECT_EQ(pair.server->read(out, n), Step::want_read);
    EXPECT_EQ(n, 0u);
    EXPECT_FALSE(pair.server->has_output());
}

TEST(TlsSession, ARecordSplitAcrossFeedsIsReadWhenComplete) {
    Pair pair;
    ASSERT_TRUE(pair.handshake());
    const mysql::Bytes bytes = pair.client_record("split record");
    ASSERT_GT(bytes.size(), 10u);
    pair.server->feed(mysql::ByteView(bytes).first(7));
    std::array<std::uint8_t, 64> out{};
    std::size_t n = 0;
    EXPECT_EQ(pair.server->read(out, n), Step::want_read);
    pair.server->feed(mysql::ByteView(bytes).subspan(7));
    EXPECT_EQ(pair.read_all(*pair.server), "split record");
}

TEST(TlsSession, ATamperedRecordFailsWithAnError) {
    Pair pair;
    ASSERT_TRUE(pair.handshake());
    mysql::Bytes bytes = pair.client_record("SELECT secret");
    ASSERT_FALSE(bytes.empty());
    bytes.back() ^= 0x01;  // the authentication tag no longer matches
    pair.server->feed(bytes);
    std::array<std::uint8_t, 64> out{};
    std::size_t n = 0;
    EXPECT_EQ(pair.server->read(out, n), Step::failed);
    EXPECT_TRUE(pair.server->error());
    EXPECT_FALSE(pair.server->error().message().empty());
}

TEST(TlsSession, CloseNotifyReadsAsClosed) {
    Pair pair;
    ASSERT_TRUE(pair.handshake());
    SSL_shutdown(pair.client->handle());
    carry(*pair.client, *pair.server);
    std::array<std::uint8_t, 16> out{};
    std::size_t n = 0;
    EXPECT_EQ(pair.server->read(out, n), Step::closed);
}

TEST(TlsSession, AClientRefusesAServerItDoesNotTrust) {
    Pair pair;
    // A context that trusts another certificate than the one the server presents.
    boost::asio::ssl::context other = make_client_context(make_self_signed_certificate());
    pair.client = TlsSession::create(other.native_handle(), TlsSession::Side::client);
    EXPECT_FALSE(pair.handshake());
    EXPECT_TRUE(pair.client->error());
}

TEST(TlsSession, GarbageInsteadOfAHandshakeFails) {
    Pair pair;
    pair.server->feed(bytes_of("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(pair.server->handshake(), Step::failed);
    EXPECT_TRUE(pair.server->error());
}

}  // namespace
}  // namespace sqlgate::net
