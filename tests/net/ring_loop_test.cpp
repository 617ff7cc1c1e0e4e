// The io_uring loop on its own: timers expire in order and a cancelled wait ends at once,
// connects and channels work through the ring, work posted from another thread runs without
// starving completions, and an io_context destroyed with operations pending ends them and
// destroys their coroutines.
#include "net/ring_loop.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/deadline.hpp"
#include "net/loop_timer.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::net {
namespace {

using namespace std::chrono_literals;
constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

RingLoop& install(boost::asio::io_context& io) {
    std::string error;
    RingLoop* ring = RingLoop::install(io, error);
    if (ring == nullptr) throw std::runtime_error(error);
    return *ring;
}

TEST(RingLoop, IsFoundThroughItsIoContextOnly) {
    boost::asio::io_context with_ring;
    boost::asio::io_context without;
    RingLoop& ring = install(with_ring);
    EXPECT_EQ(RingLoop::of(with_ring), &ring);
    EXPECT_EQ(RingLoop::of_executor(with_ring.get_executor()), &ring);
    EXPECT_EQ(RingLoop::of(without), nullptr);
}

boost::asio::awaitable<void> wait_and_note(LoopTimer& timer, std::vector<std::string>& order,
                                           std::string name) {
    auto [ec] = co_await timer.async_wait(use_tuple);
    order.push_back(name + (ec == boost::asio::error::operation_aborted ? " aborted" : ""));
}

TEST(RingLoop, TimersExpireInOrderAndACancelledWaitEndsAborted) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    std::vector<std::string> order;
    LoopTimer late(io.get_executor(), 60ms);
    LoopTimer early(io.get_executor(), 20ms);
    LoopTimer cancelled(io.get_executor(), 10s);
    boost::asio::co_spawn(io, wait_and_note(late, order, "late"), boost::asio::detached);
    boost::asio::co_spawn(io, wait_and_note(early, order, "early"), boost::asio::detached);
    boost::asio::co_spawn(io, wait_and_note(cancelled, order, "cancelled"), boost::asio::detached);
    // Cancelled once the others are under way (a handler run by the loop itself).
    LoopTimer canceller(io.get_executor(), 5ms);
    canceller.async_wait([&](boost::system::error_code) { cancelled.cancel(); });
    const auto start = std::chrono::steady_clock::now();
    ring.run(io);  // until nothing is pending: the 10 s timer must not hold it
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(order, (std::vector<std::string>{"cancelled aborted", "early", "late"}));
    EXPECT_EQ(ring.operations_pending(), 0u);
}

TEST(RingLoop, ResettingATimersExpiryCancelsItsWait) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    std::vector<std::string> order;
    LoopTimer timer(io.get_executor(), 10s);
    boost::asio::co_spawn(io, wait_and_note(timer, order, "first"), boost::asio::detached);
    boost::asio::post(io, [&] {
        timer.expires_after(1ms);  // as steady_timer: the pending wait ends aborted
        boost::asio::co_spawn(io, wait_and_note(timer, order, "second"), boost::asio::detached);
    });
    ring.run(io);
    EXPECT_EQ(order, (std::vector<std::string>{"first aborted", "second"}));
}

TEST(RingLoop, AWaitThatNeverExpiresCostsNoCompletionAndEndsWhenAPostedHandlerCancelsIt) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    std::vector<std::string> order;
    LoopTimer turn(io.get_executor());
    turn.expires_never();
    boost::asio::co_spawn(io, wait_and_note(turn, order, "turn"), boost::asio::detached);
    // A real timeout ends first, then a handler posted from it (run by io.poll(), not as a
    // ring completion) ends the wait: the loop must not sleep with it ended but not run.
    LoopTimer first(io.get_executor(), 20ms);
    first.async_wait([&](boost::system::error_code) {
        order.emplace_back("first");
        boost::asio::post(io, [&] { turn.cancel(); });
    });
    const std::uint64_t reaped_before = ring.completions_reaped();
    const auto start = std::chrono::steady_clock::now();
    ring.run(io);
    // Well within the loop's 100 ms longest sleep, which would otherwise end it.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 90ms);
    EXPECT_EQ(order, (std::vector<std::string>{"first", "turn aborted"}));
    // The 20 ms timeout's completion (and the eventfd's, if any): none for the parked wait.
    EXPECT_LE(ring.completions_reaped() - reaped_before, 2u);
    EXPECT_EQ(ring.operations_pending(), 0u);
}

TEST(RingLoop, AnIoContextDestroyedWithAWaitThatNeverExpiresEndsIt) {
    bool destroyed = false;
    bool returned = false;
    {
        boost::asio::io_context io;
        RingLoop& ring = install(io);
        struct Flag {
            bool& set;
            ~Flag() { set = true; }
        };
        // The timer lives in the coroutine's frame, as a session's does: the ring ends the
        // wait while draining, before the frame (and the timer) are destroyed.
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                const Flag flag{destroyed};
                LoopTimer turn(co_await boost::asio::this_coro::executor);
                turn.expires_never();
                co_await turn.async_wait(use_tuple);
                returned = true;
            },
            boost::asio::detached);
        LoopTimer stop(io.get_executor(), 20ms);
        stop.async_wait([&](boost::system::error_code) { io.stop(); });
        ring.run(io);
        EXPECT_EQ(ring.operations_pending(), 1u);  // the parked wait
        EXPECT_FALSE(destroyed);
    }  // ~io_context: the wait ends without resuming, its coroutine destroyed
    EXPECT_TRUE(destroyed);
    EXPECT_FALSE(returned);
}

boost::asio::awaitable<void> connect_and_echo(PacketChannel& channel, tcp::endpoint to,
                                              boost::system::error_code& result,
                                              mysql::Bytes& answer) {
    if ((result = co_await channel.connect(to, boost::asio::ip::make_address("127.0.0.1")))) {
        co_return;
    }
    std::uint8_t sequence = 0;
    const mysql::Bytes hello = {'h', 'i'};
    if ((result = co_await channel.write_message(hello, sequence))) co_return;
    result = co_await channel.read_message(answer, sequence, 1024);
}

TEST(RingLoop, AChannelConnectsThroughTheRingAndARefusedConnectIsAnError) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    // The peer runs on a thread of its own, with Asio's reactor.
    boost::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    std::thread peer([&] {
        tcp::socket s = acceptor.accept();
        std::array<std::uint8_t, 6> got{};
        boost::asio::read(s, boost::asio::buffer(got));
        boost::asio::write(s, boost::asio::buffer(got));  // the same message back
        boost::system::error_code ignored;
        std::array<std::uint8_t, 1> rest{};
        s.read_some(boost::asio::buffer(rest), ignored);  // until the channel closes
    });
    PacketChannel channel(io.get_executor());
    boost::system::error_code result = boost::asio::error::would_block;
    mysql::Bytes answer;
    boost::asio::co_spawn(io, connect_and_echo(channel, acceptor.local_endpoint(), result, answer),
                          boost::asio::detached);
    ring.run(io);
    EXPECT_FALSE(result) << result.message();
    EXPECT_EQ(answer, (mysql::Bytes{'h', 'i'}));
    EXPECT_TRUE(channel.is_open());
    boost::system::error_code ec;
    EXPECT_EQ(channel.remote_endpoint(ec), acceptor.local_endpoint());
    channel.close();
    peer.join();

    // Nothing listens on the acceptor's port once it is closed.
    const tcp::endpoint gone = acceptor.local_endpoint();
    acceptor.close();
    io.restart();
    PacketChannel refused(io.get_executor());
    boost::asio::co_spawn(io, connect_and_echo(refused, gone, result, answer),
                          boost::asio::detached);
    ring.run(io);
    EXPECT_EQ(result, boost::asio::error::connection_refused) << result.message();
}

// A request's send and its answer's receive go in one submission, linked, and a send that
// succeeds posts no completion: a round trip wakes the loop once, for the answer (two
// completions each if the send were awaited or not linked).
TEST(RingLoop, ARoundTripTakesOneCompletionTheAnswers) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    boost::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    constexpr int kRounds = 50;
    std::thread peer([&] {
        tcp::socket s = acceptor.accept();
        std::array<std::uint8_t, 6> got{};  // a 2-byte message and its header
        for (int i = 0; i < kRounds; ++i) {
            boost::asio::read(s, boost::asio::buffer(got));
            boost::asio::write(s, boost::asio::buffer(got));
        }
        boost::system::error_code ignored;
        s.read_some(boost::asio::buffer(got), ignored);  // until the channel closes
    });
    PacketChannel channel(io.get_executor());
    boost::system::error_code result;
    int answered = 0;
    std::uint64_t reaped_before = 0;
    std::uint64_t reaped_after = 0;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            result = co_await channel.connect(acceptor.local_endpoint(), std::nullopt);
            if (result) co_return;
            reaped_before = ring.completions_reaped();
            for (int i = 0; i < kRounds; ++i) {
                std::uint8_t sequence = 0;
                const mysql::Bytes hello = {'h', 'i'};
                if ((result = co_await channel.write_message(hello, sequence))) co_return;
                mysql::Bytes answer;
                if ((result = co_await channel.read_message(answer, sequence, 1024))) co_return;
                if (answer == hello) ++answered;
            }
            reaped_after = ring.completions_reaped();
        },
        boost::asio::detached);
    ring.run(io);
    channel.close();
    peer.join();
    EXPECT_FALSE(result) << result.message();
    EXPECT_EQ(answered, kRounds);
    EXPECT_LT(reaped_after - reaped_before, kRounds * 3 / 2);
}

// A write that is not waited for still reports a failed send: the next write returns the
// error (here the peer reset the connection; the second write waits for the first send).
TEST(RingLoop, AFailedSendIsReportedByTheNextWrite) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    boost::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    PacketChannel channel(io.get_executor());
    boost::system::error_code connected = boost::asio::error::would_block;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            connected = co_await channel.connect(acceptor.local_endpoint(), std::nullopt);
        },
        boost::asio::detached);
    ring.run(io);
    ASSERT_FALSE(connected) << connected.message();
    {
        tcp::socket s = acceptor.accept();
        s.set_option(boost::asio::socket_base::linger(true, 0));  // closing sends a reset
        s.close();  // not the destructor, which turns the linger off again
    }
    std::this_thread::sleep_for(20ms);
    std::vector<boost::system::error_code> results;
    io.restart();
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                std::uint8_t sequence = 0;
                const mysql::Bytes hello = {'h', 'i'};
                results.push_back(co_await channel.write_message(hello, sequence));
            }
        },
        boost::asio::detached);
    ring.run(io);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_FALSE(results[0]) << "the first write is only queued";
    EXPECT_TRUE(results[1]) << "the second write should report the first send's failure";
    EXPECT_TRUE(results[2]);
    EXPECT_EQ(ring.operations_pending(), 0u);
}

// A peer that stops reading cannot hold a gone channel's last send for ever: the send waits
// in the kernel (the socket's buffer is full), the channel is destroyed without waiting for
// it, and the ring cuts the send short once the linger has passed, then closes the socket.
TEST(RingLoop, ASendLeftWaitingForAPeerThatStoppedReadingIsCutShortAfterTheLinger) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    boost::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket writer(peer_io);
    writer.connect(acceptor.local_endpoint());
    tcp::socket silent = acceptor.accept();  // never reads until the end
    const int fd = writer.release();
    // Fill the socket until the kernel takes no more.
    std::size_t prefilled = 0;
    const std::vector<char> block(64 * 1024, 'x');
    for (;;) {
        const ssize_t n = ::send(fd, block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n <= 0) break;
        prefilled += static_cast<std::size_t>(n);
    }
    auto channel = std::make_unique<PacketChannel>(io.get_executor(), fd);
    channel->expect_answers();  // so that the write is copied, not sent at once
    boost::system::error_code written = boost::asio::error::would_block;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            std::uint8_t sequence = 0;
            written = co_await channel->write_message(mysql::Bytes(100, 'y'), sequence);
            channel.reset();  // gone, its send still waiting
        },
        boost::asio::detached);
    const auto start = std::chrono::steady_clock::now();
    ring.run(io);  // returns once nothing is pending: the send was cut short
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(written) << "the write is only queued";
    EXPECT_GE(took, 1500ms) << "the send was not given its linger";
    EXPECT_LT(took, 5s);
    EXPECT_EQ(ring.operations_pending(), 0u);
    // The peer gets what the kernel had taken, then the end of the stream.
    std::size_t received = 0;
    boost::system::error_code ec;
    std::vector<char> sink(256 * 1024);
    while (!ec)
        received += silent.read_some(boost::asio::buffer(sink), ec);
    EXPECT_EQ(ec, boost::asio::error::eof) << ec.message();
    EXPECT_EQ(received, prefilled);
}

boost::asio::awaitable<void> connect_within(PacketChannel& channel, tcp::endpoint to,
                                            std::chrono::milliseconds timeout,
                                            boost::system::error_code& result, bool& expired) {
    const DeadlineGuard deadline(channel, timeout);
    result = co_await channel.connect(to, std::nullopt);
    expired = deadline.expired();
}

TEST(RingLoop, ADeadlineStopsAConnectThatGetsNoAnswer) {
    // A listener whose accept queue is full drops further SYNs: a connect to it waits for an
    // answer that does not come (what a backend host that went away looks like).
    boost::asio::io_context peer_io;
    tcp::acceptor full(peer_io);
    full.open(tcp::v4());
    full.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    full.listen(0);
    std::vector<int> fillers;  // connects left in progress, closed at the end
    const tcp::endpoint target = full.local_endpoint();
    for (int i = 0; i < 4; ++i) {
        fillers.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        ::connect(fillers.back(), target.data(), static_cast<socklen_t>(target.size()));
    }
    std::this_thread::sleep_for(50ms);

    boost::asio::io_context io;
    RingLoop& ring = install(io);
    PacketChannel channel(io.get_executor());
    boost::system::error_code result;
    bool expired = false;
    boost::asio::co_spawn(io,
                          connect_within(channel, full.local_endpoint(), 100ms, result, expired),
                          boost::asio::detached);
    const auto start = std::chrono::steady_clock::now();
    ring.run(io);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // not the kernel's SYN retries
    EXPECT_TRUE(expired);
    EXPECT_TRUE(result) << "the connect should have failed";
    EXPECT_FALSE(channel.is_open());
    EXPECT_EQ(ring.operations_pending(), 0u);
    for (const int fd : fillers)
        ::close(fd);
}

TEST(RingLoop, WorkPostedFromAnotherThreadRuns) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    auto work = boost::asio::make_work_guard(io);
    std::atomic<int> ran{0};
    std::thread other([&] {
        for (int i = 0; i < 50; ++i)
            RingLoop::post(io.get_executor(), [&] { ++ran; });
        RingLoop::post(io.get_executor(), [&] {
            work.reset();  // the loop ends once the posts before this one ran
        });
    });
    ring.run(io);
    other.join();
    EXPECT_EQ(ran.load(), 50);
}

// Handlers that keep coming (here one that posts itself again, as a flood of handed-over
// connections does from another thread) must not starve the ring's completions: the timer
// fires while they still run.
void repost_until(boost::asio::io_context& io, const bool& fired, int& runs, int most) {
    if (fired || ++runs >= most) return;
    boost::asio::post(io, [&io, &fired, &runs, most] { repost_until(io, fired, runs, most); });
}

TEST(RingLoop, HandlersThatKeepComingDoNotStarveCompletions) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    bool fired = false;
    int runs = 0;
    constexpr int kMost = 5'000'000;  // seconds of handlers: far past the timer's 10 ms
    LoopTimer timer(io.get_executor(), 10ms);
    timer.async_wait([&](boost::system::error_code ec) { fired = !ec; });
    repost_until(io, fired, runs, kMost);
    ring.run(io);
    EXPECT_TRUE(fired);
    EXPECT_LT(runs, kMost) << "the timer fired only once the handlers stopped";
}

// Receives that become ready together (every silent client shut down at once: a flood's
// evictions) all complete within a few passes while handlers keep coming. Linux 6.13+
// delivers at most 20 of a ring's deferred completions per io_uring_enter: one look per pass
// took ten passes (640 handlers) for 200 of them, and sessions ended that late kept their
// connection slots.
TEST(RingLoop, ABurstOfCompletionsIsNotRationedWhileHandlersKeepComing) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    constexpr int kPairs = 200;
    std::vector<std::array<int, 2>> pairs(kPairs);
    std::vector<std::uint8_t> received(kPairs);
    int completed = 0;
    bool all_done = false;
    int runs = 0;
    int runs_when_all_done = -1;
    for (int i = 0; i < kPairs; ++i) {
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pairs[i].data()), 0);
        ring.async_recv(pairs[i][0], std::span(&received[i], 1), false,
                        [&](boost::system::error_code ec, std::size_t n) {
                            EXPECT_FALSE(ec);
                            EXPECT_EQ(n, 1u);
                            if (++completed == kPairs) {
                                all_done = true;
                                runs_when_all_done = runs;
                            }
                        });
    }
    constexpr int kMost = 1'000'000;
    // Once the receives are in the kernel: every peer writes at once, and handlers keep coming.
    LoopTimer burst(io.get_executor(), 20ms);
    burst.async_wait([&](boost::system::error_code) {
        for (const auto& pair : pairs) {
            const std::uint8_t byte = 1;
            ASSERT_EQ(::write(pair[1], &byte, 1), 1);
        }
        repost_until(io, all_done, runs, kMost);
    });
    ring.run(io);
    for (const auto& pair : pairs) {
        ::close(pair[0]);
        ::close(pair[1]);
    }
    ASSERT_TRUE(all_done);
    EXPECT_LT(runs_when_all_done, 5 * 64) << "the burst was delivered a few completions a pass";
}

// Asio's reactor on a ring's thread (an Asio socket or timer made there) would make every
// iteration pay an epoll_wait: the loop says so in the log once it idles.
TEST(RingLoop, AnAsioSocketOnTheRingsThreadIsReported) {
    boost::asio::io_context io;
    RingLoop& ring = install(io);
    const tcp::socket mistaken(io);  // creates Asio's reactor for `io`
    LoopTimer stop(io.get_executor(), 350ms);
    stop.async_wait([&](boost::system::error_code) {});
    testing::internal::CaptureStderr();
    ring.run(io);
    const std::string log = testing::internal::GetCapturedStderr();
    EXPECT_NE(log.find("asio_reactor_on_ring_thread"), std::string::npos) << log;
}

struct NoteDestroyed {
    bool& destroyed;
    ~NoteDestroyed() { destroyed = true; }
};

boost::asio::awaitable<void> read_forever(PacketChannel& channel, bool& destroyed, bool& returned) {
    const NoteDestroyed note{destroyed};
    mysql::Bytes payload;
    std::uint8_t sequence = 0;
    co_await channel.read_message(payload, sequence, 1024);
    returned = true;
}

TEST(RingLoop, AnIoContextDestroyedWithAReadPendingEndsItAndDestroysItsCoroutine) {
    boost::asio::io_context peer_io;
    tcp::acceptor acceptor(peer_io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket client(peer_io);
    client.connect(acceptor.local_endpoint());
    tcp::socket accepted = acceptor.accept();
    bool destroyed = false;
    bool returned = false;
    std::optional<PacketChannel> channel;
    {
        boost::asio::io_context io;
        RingLoop& ring = install(io);
        channel.emplace(io.get_executor(), accepted.release());
        auto work = boost::asio::make_work_guard(io);
        boost::asio::co_spawn(io, read_forever(*channel, destroyed, returned),
                              boost::asio::detached);
        LoopTimer stop(io.get_executor(), 20ms);
        stop.async_wait([&](boost::system::error_code) { io.stop(); });
        ring.run(io);
        EXPECT_EQ(ring.operations_pending(), 1u);  // the read
        EXPECT_FALSE(destroyed);
    }  // ~io_context: the read is cancelled, then its coroutine destroyed without resuming
    EXPECT_TRUE(destroyed);
    EXPECT_FALSE(returned);
}

}  // namespace
}  // namespace sqlgate::net
