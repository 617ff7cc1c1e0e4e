// The accept loop: a pace, when given, holds accepting (clients wait in the kernel's listen
// queue) until it returns, and a listener closed meanwhile ends the loop quietly.
#include "net/listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace sqlgate::net {
namespace {

using boost::asio::ip::tcp;
using namespace std::chrono_literals;

// Returns when `gate` is cancelled (opened), each time it is awaited.
boost::asio::awaitable<void> wait_for_gate(boost::asio::steady_timer& gate) {
    gate.expires_after(1h);
    co_await gate.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

TEST(AcceptLoop, AcceptsOnlyOnceItsPaceReturnsAndEndsQuietlyWhenClosedMeanwhile) {
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::steady_timer gate(io);
    const PeerCheck anyone;
    obs::ConnectionCounters counters;
    std::vector<tcp::socket> served;
    bool ended = false;
    testing::internal::CaptureStderr();
    boost::asio::co_spawn(io,
                          accept_loop(
                              acceptor, anyone, "test", counters,
                              [&](tcp::socket socket) { served.push_back(std::move(socket)); },
                              [&gate] { return wait_for_gate(gate); }),
                          [&](std::exception_ptr) { ended = true; });

    boost::asio::io_context client_io;
    tcp::socket client(client_io);
    client.connect(acceptor.local_endpoint());  // completes in the kernel's listen queue
    io.run_for(50ms);
    EXPECT_TRUE(served.empty()) << "accepted while the pace held";

    gate.cancel();
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (served.empty() && std::chrono::steady_clock::now() < deadline)
        io.run_for(10ms);
    EXPECT_EQ(served.size(), 1u);

    // Waiting on the pace again: closing the listener then ends the loop, no error logged.
    acceptor.close();
    gate.cancel();
    while (!ended && std::chrono::steady_clock::now() < deadline)
        io.run_for(10ms);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(ended);
    EXPECT_EQ(log.find("accept_failed"), std::string::npos) << log;
}

}  // namespace
}  // namespace sqlgate::net
