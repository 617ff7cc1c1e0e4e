// PacketChannel over real loopback sockets, plain and TLS: messages arrive whole and in
// order, including ones far larger than a socket's send buffer or a TLS record.
#include "net/packet_channel.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <string>
#include <vector>

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

// A connected pair of channels on 127.0.0.1, optionally upgraded to TLS.
class ChannelPair {
  public:
    explicit ChannelPair(bool tls) {
        tcp::acceptor acceptor(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        tcp::socket client_socket(io_);
        client_socket.connect(acceptor.local_endpoint());
        server_ = std::make_unique<PacketChannel>(acceptor.accept());
        client_ = std::make_unique<PacketChannel>(std::move(client_socket));
        if (!tls) return;
        error_code server_ec = boost::asio::error::would_block;
        error_code client_ec = boost::asio::error::would_block;
        spawn([this, &server_ec]() -> awaitable<void> {
            server_ec = co_await server_->start_tls(server_tls_, PacketChannel::TlsSide::server);
        });
        spawn([this, &client_ec]() -> awaitable<void> {
            client_ec = co_await client_->start_tls(client_tls_, PacketChannel::TlsSide::client);
        });
        io_.run();
        io_.restart();
        EXPECT_FALSE(server_ec) << server_ec.message();
        EXPECT_FALSE(client_ec) << client_ec.message();
    }

    template <typename F>
    void spawn(F f) {
        boost::asio::co_spawn(io_, f, boost::asio::detached);
    }
    void run() {
        io_.run();
        io_.restart();
    }

    PacketChannel& client() { return *client_; }
    PacketChannel& server() { return *server_; }

  private:
    boost::asio::io_context io_;
    boost::asio::ssl::context server_tls_ = make_server_context(shared_test_certificate());
    boost::asio::ssl::context client_tls_ = make_client_context(shared_test_certificate());
    std::unique_ptr<PacketChannel> server_;
    std::unique_ptr<PacketChannel> client_;
};

class PacketChannelTest : public ::testing::TestWithParam<bool> {};

TEST_P(PacketChannelTest, MessagesOfEverySizeArriveWholeAndInOrder) {
    ChannelPair pair(GetParam());
    EXPECT_EQ(pair.client().is_tls(), GetParam());
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

INSTANTIATE_TEST_SUITE_P(PlainAndTls, PacketChannelTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Tls" : "Plain"; });

}  // namespace
}  // namespace sqlgate::net
