// PacketChannel over real loopback sockets, plain and TLS, on Asio's reactor and on an io_uring
// loop: messages arrive whole and in order, including ones far larger than a socket's send
// buffer or a TLS record; a deadline ends a pending read.
#include "net/packet_channel.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

#include "mysql/packet.hpp"
#include "mysql/response_tracker.hpp"
#include "net/deadline.hpp"
#include "test_tls.hpp"

namespace sqlgate::net {
namespace {

using gatekeeper::test_support::make_client_context;
using gatekeeper::test_support::make_server_context;
using gatekeeper::test_support::shared_test_certificate;

mysql::Bytes message_of(std::size_t size, std::uint8_t seed) {
    mysql::Bytes m(size);
    for (std::size_t i = 0; i < size; ++i)
        m[i] = static_cast<std::uint8_t>(seed + i * 7);
    return m;
}

struct Setup {
    bool tls = false;
    bool ring = false;  // an io_uring loop runs the channels, not Asio's reactor
};

// A connected pair of channels on 127.0.0.1, optionally upgraded to TLS.
class ChannelPair {
  public:
    explicit ChannelPair(Setup setup) {
        if (setup.ring) {
            std::string error;
            ring_ = RingLoop::install(io_, error);
            EXPECT_NE(ring_, nullptr) << error;
        }
        tcp::acceptor acceptor(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        tcp::socket client_socket(io_);
        client_socket.connect(acceptor.local_endpoint());
        server_ = std::make_unique<PacketChannel>(acceptor.accept());
        client_ = std::make_unique<PacketChannel>(std::move(client_socket));
        if (!setup.tls) return;
        error_code server_ec = boost::asio::error::would_block;
        error_code client_ec = boost::asio::error::would_block;
        spawn([this, &server_ec]() -> awaitable<void> {
            server_ec = co_await server_->start_tls(server_tls_, PacketChannel::TlsSide::server);
        });
        spawn([this, &client_ec]() -> awaitable<void> {
            client_ec = co_await client_->start_tls(client_tls_, PacketChannel::TlsSide::client);
        });
        run();
        EXPECT_FALSE(server_ec) << server_ec.message();
        EXPECT_FALSE(client_ec) << client_ec.message();
    }

    template <typename F>
    void spawn(F f) {
        boost::asio::co_spawn(io_, f, boost::asio::detached);
    }
    void run() {
        if (ring_ != nullptr) {
            ring_->run(io_);
        } else {
            io_.run();
        }
        io_.restart();
    }
    bool on_ring() const { return ring_ != nullptr; }

    PacketChannel& client() { return *client_; }
    void destroy_server() { server_.reset(); }
    PacketChannel& server() { return *server_; }

  private:
    boost::asio::io_context io_;
    RingLoop* ring_ = nullptr;
    boost::asio::ssl::context server_tls_ = make_server_context(shared_test_certificate());
    boost::asio::ssl::context client_tls_ = make_client_context(shared_test_certificate());
    std::unique_ptr<PacketChannel> server_;
    std::unique_ptr<PacketChannel> client_;
};

class PacketChannelTest : public ::testing::TestWithParam<Setup> {};

TEST_P(PacketChannelTest, MessagesOfEverySizeArriveWholeAndInOrder) {
    ChannelPair pair(GetParam());
    EXPECT_EQ(pair.on_ring(), GetParam().ring);
    EXPECT_EQ(pair.client().is_tls(), GetParam().tls);
    // Small, one record, several records, more than the socket buffers hold at once, and
    // more than one MySQL packet (split at 16 MiB - 1).
    const std::vector<std::size_t> sizes = {0, 1, 40, 16 * 1024, 70'000, 6'000'000, 17'000'000};
    std::vector<error_code> write_errors;
    std::vector<std::uint8_t> last_sequences;
    std::vector<mysql::Bytes> received;
    pair.spawn([&]() -> awaitable<void> {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            std::uint8_t sequence = 0;
            write_errors.push_back(co_await pair.client().write_message(
                message_of(sizes[i], static_cast<std::uint8_t>(i)), sequence));
            last_sequences.push_back(sequence);
        }
    });
    pair.spawn([&]() -> awaitable<void> {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            mysql::Bytes payload;
            std::uint8_t sequence = 0;
            if (co_await pair.server().read_message(payload, sequence, 32'000'000)) co_return;
            received.push_back(std::move(payload));
        }
    });
    pair.run();
    ASSERT_EQ(received.size(), sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        EXPECT_FALSE(write_errors[i]) << write_errors[i].message();
        EXPECT_EQ(received[i], message_of(sizes[i], static_cast<std::uint8_t>(i)))
            << "message of " << sizes[i] << " bytes";
    }
    // A message of 17,000,000 bytes is two packets: the next sequence id is 2.
    EXPECT_EQ(last_sequences.back(), 2);
    EXPECT_EQ(last_sequences.front(), 1);
}

TEST_P(PacketChannelTest, APeerThatClosesEndsTheReadWithAnError) {
    ChannelPair pair(GetParam());
    EXPECT_EQ(pair.on_ring(), GetParam().ring);
    error_code read_error;
    pair.spawn([&]() -> awaitable<void> {
        mysql::Bytes payload;
        std::uint8_t sequence = 0;
        read_error = co_await pair.server().read_message(payload, sequence, 1024);
    });
    pair.spawn([&]() -> awaitable<void> {
        pair.client().close();
        co_return;
    });
    pair.run();
    EXPECT_TRUE(read_error);
}

// A message written right before the connection ends (an error, a goodbye) still arrives
// whole, then the end: whether the writer closes the channel or destroys it at once, and
// whether the message is small (on a ring, copied and not waited for, when its peer is one
// that answers) or not. (The server
// writes: a TLS client holds the session tickets it never read, and a socket closed with
// unread bytes resets the connection, which would drop what it sent last.)
TEST_P(PacketChannelTest, AMessageWrittenRightBeforeTheEndArrivesFirst) {
    for (const int variant : {0, 1, 2, 3}) {
        const bool destroy = (variant & 1) != 0;
        ChannelPair pair(GetParam());
        if ((variant & 2) != 0) pair.server().expect_answers();
        const std::vector<std::size_t> sizes = {40, 70'000};
        pair.spawn([&]() -> awaitable<void> {
            for (std::size_t i = 0; i < sizes.size(); ++i) {
                std::uint8_t sequence = 0;
                co_await pair.server().write_message(
                    message_of(sizes[i], static_cast<std::uint8_t>(i)), sequence);
            }
            std::uint8_t sequence = 0;
            co_await pair.server().write_message(message_of(40, 9), sequence);
            if (destroy) {
                pair.destroy_server();
            } else {
                pair.server().close();
            }
        });
        std::vector<mysql::Bytes> received;
        error_code end;
        pair.spawn([&]() -> awaitable<void> {
            for (;;) {
                mysql::Bytes payload;
                std::uint8_t sequence = 0;
                if ((end = co_await pair.client().read_message(payload, sequence, 1'000'000))) {
                    co_return;
                }
                received.push_back(std::move(payload));
            }
        });
        pair.run();
        ASSERT_EQ(received.size(), 3u) << "variant " << variant;
        EXPECT_EQ(received[0], message_of(40, 0));
        EXPECT_EQ(received[1], message_of(70'000, 1));
        EXPECT_EQ(received[2], message_of(40, 9));
        EXPECT_TRUE(end);
    }
}

// A reply's packets straddle the channel's first 4 KiB buffer and its 16 KiB one (it starts
// small and grows while relaying): every byte is relayed and the stream stays in step.
TEST_P(PacketChannelTest, ARelayedReplyLargerThanTheFirstBufferArrivesWhole) {
    ChannelPair pair(GetParam());
    EXPECT_EQ(pair.on_ring(), GetParam().ring);
    const std::vector<std::size_t> definitions = {100, 4090, 4096, 5000, 20'000, 3, 70'000};
    mysql::Bytes reply;
    std::uint8_t sequence = 1;
    for (std::size_t i = 0; i < definitions.size(); ++i) {
        mysql::Bytes payload = message_of(definitions[i], static_cast<std::uint8_t>(i));
        payload[0] = 0x03;  // a column definition starts with its catalog, "def"
        mysql::append_framed(reply, payload, sequence++);
    }
    const mysql::Bytes eof = {0xfe, 0x00, 0x00, 0x02, 0x00};
    mysql::append_framed(reply, eof, sequence++);
    error_code relay_error = boost::asio::error::would_block;
    std::size_t relayed = 0;
    mysql::Bytes after;
    pair.spawn([&]() -> awaitable<void> { co_await pair.client().write_raw(reply); });
    pair.spawn([&]() -> awaitable<void> {
        mysql::ResponseTracker tracker(
            mysql::kProxyCapabilities & ~mysql::Capability::deprecate_eof,
            mysql::ReplyShape::column_list);
        relay_error = co_await pair.server().relay_reply(tracker, nullptr);
        relayed = pair.server().relayed_bytes();
    });
    pair.run();
    // The next message (a server says nothing unasked: it comes once the reply was read).
    pair.spawn([&]() -> awaitable<void> {
        std::uint8_t next = 0;
        co_await pair.client().write_message(message_of(9'000, 9), next);
    });
    pair.spawn([&]() -> awaitable<void> {
        std::uint8_t next = 0;
        co_await pair.server().read_message(after, next, 1'000'000);
    });
    pair.run();
    EXPECT_FALSE(relay_error) << relay_error.message();
    EXPECT_EQ(relayed, reply.size());
    EXPECT_EQ(after, message_of(9'000, 9));
}

// A deadline closes the channel: the read it waits in ends with an error at once, on a ring
// too (where closing the descriptor alone would not end an operation in the kernel).
TEST_P(PacketChannelTest, ADeadlineEndsAPendingRead) {
    ChannelPair pair(GetParam());
    EXPECT_EQ(pair.on_ring(), GetParam().ring);
    error_code read_error;
    bool expired = false;
    pair.spawn([&]() -> awaitable<void> {
        const DeadlineGuard deadline(pair.server(), std::chrono::milliseconds(30));
        mysql::Bytes payload;
        std::uint8_t sequence = 0;
        read_error = co_await pair.server().read_message(payload, sequence, 1024);
        expired = deadline.expired();
    });
    pair.run();  // returns once the read ended: nothing else is pending
    EXPECT_TRUE(read_error);
    EXPECT_TRUE(expired);
    EXPECT_FALSE(pair.server().is_open());
}

INSTANTIATE_TEST_SUITE_P(PlainAndTls, PacketChannelTest,
                         ::testing::Values(Setup{false, false}, Setup{true, false},
                                           Setup{false, true}, Setup{true, true}),
                         [](const auto& info) {
                             return std::string(info.param.tls ? "Tls" : "Plain") +
                                    (info.param.ring ? "OnRing" : "");
                         });

}  // namespace
}  // namespace sqlgate::net
