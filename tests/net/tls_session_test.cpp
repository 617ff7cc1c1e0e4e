// TlsSession on its own: two sessions joined by hand-carried ciphertext, no sockets.
#include "net/tls_session.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "net/tls.hpp"
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

// Runs both handshakes to the end, carrying bytes both ways; false when either fails.
bool handshake(TlsSession& client, TlsSession& server) {
    Step client_step = Step::want_read;
    Step server_step = Step::want_read;
    for (int round = 0; round < 10; ++round) {
        client_step = client.handshake();
        carry(client, server);
        server_step = server.handshake();
        carry(server, client);
        if (client_step == Step::failed || server_step == Step::failed) return false;
        if (client_step == Step::done && server_step == Step::done) return true;
    }
    return false;
}

struct Pair {
    boost::asio::ssl::context server_context = make_server_context(shared_test_certificate());
    boost::asio::ssl::context client_context = make_client_context(shared_test_certificate());
    std::unique_ptr<TlsSession> server =
        TlsSession::create(server_context.native_handle(), TlsSession::Side::server);
    std::unique_ptr<TlsSession> client =
        TlsSession::create(client_context.native_handle(), TlsSession::Side::client);

    bool handshake() { return net::handshake(*client, *server); }

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

// Whether a client of `client_context` and a server of `server_context` agree on a suite.
bool agree(boost::asio::ssl::context& server_context, boost::asio::ssl::context& client_context) {
    auto server = TlsSession::create(server_context.native_handle(), TlsSession::Side::server);
    auto client = TlsSession::create(client_context.native_handle(), TlsSession::Side::client);
    return server && client && handshake(*client, *server);
}

// At most TLS 1.2 and only `ciphers` (OpenSSL's names), as an old or hostile peer offers.
void restrict_to_tls12(boost::asio::ssl::context& context, const char* ciphers) {
    SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_2_VERSION);
    ASSERT_EQ(SSL_CTX_set_cipher_list(context.native_handle(), ciphers), 1) << ciphers;
}

// sqlgate's own contexts, on every listener and hop: TLS 1.3, or TLS 1.2 with ECDHE and an
// AEAD cipher (AES-GCM, ChaCha20-Poly1305); no CBC suite (LUCKY13), no static RSA.
TEST(TlsPolicy, OnlyAeadSuitesWithForwardSecrecy) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-tls-policy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto& certificate = shared_test_certificate();
    gatekeeper::test_support::write_pem_files(certificate, (dir / "c.crt").string(),
                                              (dir / "c.key").string());
    auto server = make_server_tls({dir / "c.crt", dir / "c.key", {}}, false);
    for (const auto& [cipher, accepted] :
         {std::pair{"ECDHE-ECDSA-AES128-GCM-SHA256", true},
          std::pair{"ECDHE-ECDSA-AES256-GCM-SHA384", true},
          std::pair{"ECDHE-ECDSA-CHACHA20-POLY1305", true},
          std::pair{"ECDHE-ECDSA-AES128-SHA", false}, std::pair{"ECDHE-ECDSA-AES256-SHA384", false},
          std::pair{"AES128-GCM-SHA256", false}, std::pair{"AES128-SHA", false}}) {
        auto client = make_client_context(certificate);
        restrict_to_tls12(client, cipher);
        EXPECT_EQ(agree(server, client), accepted) << cipher;
    }
    auto tls13 = make_client_context(certificate);
    EXPECT_TRUE(agree(server, tls13));

    // As a client (a hop towards the next), sqlgate offers no CBC suite either.
    auto our_client = make_client_tls({{}, {}, dir / "c.crt"});
    auto cbc_server = make_server_context(certificate);
    restrict_to_tls12(cbc_server, "ECDHE-ECDSA-AES128-SHA");
    EXPECT_FALSE(agree(cbc_server, our_client));
    auto gcm_server = make_server_context(certificate);
    restrict_to_tls12(gcm_server, "ECDHE-ECDSA-AES128-GCM-SHA256");
    EXPECT_TRUE(agree(gcm_server, our_client));
    std::filesystem::remove_all(dir);
}

// [tls] tls12_ciphers narrows the TLS 1.2 suites; a list with anything weaker is refused at
// start-up, naming the suite.
TEST(TlsPolicy, ConfiguredSuitesMayNarrowButNotWeaken) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-tls-suites-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto& certificate = shared_test_certificate();
    gatekeeper::test_support::write_pem_files(certificate, (dir / "c.crt").string(),
                                              (dir / "c.key").string());
    config::TlsFiles files{dir / "c.crt", dir / "c.key", {}};
    files.tls12_ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
    auto server = make_server_tls(files, false);
    for (const auto& [cipher, accepted] : {std::pair{"ECDHE-ECDSA-CHACHA20-POLY1305", true},
                                           std::pair{"ECDHE-ECDSA-AES128-GCM-SHA256", false}}) {
        auto client = make_client_context(certificate);
        restrict_to_tls12(client, cipher);
        EXPECT_EQ(agree(server, client), accepted) << cipher;
    }
    for (const char* weak : {"ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256",
                             "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384"}) {
        files.tls12_ciphers = weak;
        try {
            make_server_tls(files, false);
            ADD_FAILURE() << weak << " was accepted";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("is not allowed"), std::string::npos) << e.what();
        }
    }
    files.tls12_ciphers = "NO-SUCH-SUITE";
    EXPECT_THROW(make_server_tls(files, false), std::runtime_error);
    std::filesystem::remove_all(dir);
}

// Session tickets resume across one rotation of the server's ticket key and not across two:
// a key read from memory opens tickets of at most two key lifetimes.
TEST(TlsPolicy, SessionTicketKeysRotate) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-tls-tickets-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto& certificate = shared_test_certificate();
    gatekeeper::test_support::write_pem_files(certificate, (dir / "c.crt").string(),
                                              (dir / "c.key").string());
    auto server = make_server_tls({dir / "c.crt", dir / "c.key", {}}, false);
    auto client = make_client_context(certificate);
    // TLS 1.2 sends its ticket inside the handshake; the key handling is the same for 1.3.
    SSL_CTX_set_max_proto_version(client.native_handle(), TLS1_2_VERSION);
    using SessionPtr = std::unique_ptr<SSL_SESSION, decltype(&SSL_SESSION_free)>;
    // Connects (offering `resume`): whether the session was resumed, and the session to offer
    // next time.
    const auto connect = [&](SSL_SESSION* resume) {
        auto s = TlsSession::create(server.native_handle(), TlsSession::Side::server);
        auto c = TlsSession::create(client.native_handle(), TlsSession::Side::client);
        if (resume != nullptr) SSL_set_session(c->handle(), resume);
        EXPECT_TRUE(handshake(*c, *s));
        // Closed as after close_notify: OpenSSL marks a session freed without one unusable.
        SSL_set_shutdown(c->handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_set_shutdown(s->handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        return std::pair{SSL_session_reused(c->handle()) == 1,
                         SessionPtr(SSL_get1_session(c->handle()), &SSL_SESSION_free)};
    };
    auto [first_reused, first] = connect(nullptr);
    EXPECT_FALSE(first_reused);
    EXPECT_TRUE(connect(first.get()).first) << "a fresh ticket resumes";
    rotate_ticket_keys(server);
    auto [after_one, renewed] = connect(first.get());
    EXPECT_TRUE(after_one) << "the key before still opens tickets";
    rotate_ticket_keys(server);
    EXPECT_FALSE(connect(first.get()).first) << "two rotations later the ticket is useless";
    EXPECT_TRUE(connect(renewed.get()).first) << "the ticket renewed after the first rotation";
    auto [fresh_reused, fresh] = connect(nullptr);
    EXPECT_FALSE(fresh_reused);
    EXPECT_TRUE(connect(fresh.get()).first) << "a ticket of the new key resumes";
    std::filesystem::remove_all(dir);
}

// A client context from make_client_tls resumes the session of its last connection, in TLS
// 1.3 and 1.2, though every connection ends without close_notify as the relay's do; with the
// server requiring a client certificate (as the inner hops do), which a resumed session
// still shows it.
TEST(TlsPolicy, AClientContextResumesItsLastSessionWithoutCloseNotify) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-tls-resume-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    gatekeeper::test_support::write_pem_files(shared_test_certificate(), (dir / "c.crt").string(),
                                              (dir / "c.key").string());
    auto server = make_server_tls({dir / "c.crt", dir / "c.key", dir / "c.crt"}, true);
    for (const int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
        auto client = make_client_tls({dir / "c.crt", dir / "c.key", dir / "c.crt"});
        SSL_CTX_set_max_proto_version(client.native_handle(), version);
        // Connects, carries a reply from the server (a TLS 1.3 ticket comes after the
        // handshake, read with the first data), and drops both ends: whether it resumed.
        const auto connect = [&] {
            auto s = TlsSession::create(server.native_handle(), TlsSession::Side::server);
            auto c = TlsSession::create(client.native_handle(), TlsSession::Side::client);
            EXPECT_TRUE(handshake(*c, *s));
            EXPECT_EQ(s->write(bytes_of("hello")), Step::done);
            carry(*s, *c);
            std::array<std::uint8_t, 16> out{};
            std::size_t n = 0;
            EXPECT_EQ(c->read(out, n), Step::done);
            EXPECT_EQ(SSL_version(c->handle()), version);
            EXPECT_NE(peer_certificate_subject(s->handle()), "") << "no client certificate";
            return SSL_session_reused(c->handle()) == 1;
        };
        EXPECT_FALSE(connect()) << "the first connection has nothing to resume";
        EXPECT_TRUE(connect()) << "the second resumes (version " << version << ")";
        EXPECT_TRUE(connect()) << "and so does the third, with the ticket the second got";
    }
    std::filesystem::remove_all(dir);
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
