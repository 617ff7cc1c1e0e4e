// A role's event-loop threads: accepted clients go to the workers in turn (to the control
// thread only when it is alone), each served on its own thread with a channel of that
// thread's loop (an io_uring loop or Asio's reactor, as configured); work can be run on a
// given thread; every thread counts against the listener's one pre-login budget; accepting
// waits while every worker is behind.
#include "engine/event_loops.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

namespace sqlgate::engine {
namespace {

using boost::asio::ip::tcp;

struct Served {
    std::size_t index;
    std::thread::id thread;
    bool channel_of_that_thread;
    bool open;
    bool on_a_ring;
};

// Answers one message with its payload reversed, then waits for the client to leave.
boost::asio::awaitable<void> answer_once(std::unique_ptr<net::PacketChannel> channel) {
    mysql::Bytes payload;
    std::uint8_t sequence = 0;
    if (co_await channel->read_message(payload, sequence, 1024)) co_return;
    std::reverse(payload.begin(), payload.end());
    ++sequence;
    if (co_await channel->write_message(payload, sequence)) co_return;
    co_await channel->read_message(payload, sequence, 1024);  // ends at the client's close
}

class EventLoopsOn : public testing::TestWithParam<config::EventLoopIo> {};

INSTANTIATE_TEST_SUITE_P(Io, EventLoopsOn,
                         testing::Values(config::EventLoopIo::io_uring, config::EventLoopIo::epoll),
                         [](const auto& info) {
                             return info.param == config::EventLoopIo::epoll ? "epoll" : "io_uring";
                         });

TEST_P(EventLoopsOn, ClientsGoToEveryWorkerInTurnAndAreServedThere) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 2, GetParam());
    ASSERT_EQ(loops.count(), 3u);  // two workers next to the control thread
    ASSERT_EQ(loops.serving(), 2u);
    loops.start();

    tcp::acceptor acceptor(control, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::io_context client_io;
    std::vector<tcp::socket> clients;
    std::mutex mutex;
    std::vector<Served> served;
    for (int i = 0; i < 6; ++i) {
        clients.emplace_back(client_io);
        clients.back().connect(acceptor.local_endpoint());
        loops.serve(acceptor.accept(), [&](std::size_t index, net::PacketChannel channel) {
            {
                const std::lock_guard lock(mutex);
                served.push_back(
                    {index, std::this_thread::get_id(),
                     &boost::asio::query(channel.executor(), boost::asio::execution::context) ==
                         &loops.io(index),
                     channel.is_open(), net::RingLoop::of(loops.io(index)) != nullptr});
            }
            boost::asio::co_spawn(
                loops.io(index),
                answer_once(std::make_unique<net::PacketChannel>(std::move(channel))),
                boost::asio::detached);
        });
    }
    // Every client is answered by the thread that serves it, through that thread's loop (the
    // control thread's io_context runs here, on a thread of the test's).
    auto control_work = boost::asio::make_work_guard(control);
    std::thread control_thread([&control] { control.run(); });
    for (tcp::socket& client : clients) {
        const std::array<std::uint8_t, 7> request{3, 0, 0, 0, 'a', 'b', 'c'};
        boost::asio::write(client, boost::asio::buffer(request));
        std::array<std::uint8_t, 7> answer{};
        boost::asio::read(client, boost::asio::buffer(answer));
        EXPECT_EQ(answer, (std::array<std::uint8_t, 7>{3, 0, 0, 1, 'c', 'b', 'a'}));
    }
    control_work.reset();
    control.stop();
    control_thread.join();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        {
            const std::lock_guard lock(mutex);
            if (served.size() == 6 || std::chrono::steady_clock::now() > deadline) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    loops.stop();
    ASSERT_EQ(served.size(), 6u);
    EXPECT_EQ(loops.sessions_on_workers(), 0u);  // nothing handed over and not yet served
    std::map<std::size_t, int> per_thread;
    std::map<std::size_t, std::set<std::thread::id>> threads_of;
    for (const Served& s : served) {
        ++per_thread[s.index];
        threads_of[s.index].insert(s.thread);
        EXPECT_TRUE(s.channel_of_that_thread) << "thread " << s.index;
        EXPECT_TRUE(s.open) << "thread " << s.index;
        // The control thread keeps Asio's reactor; workers run a ring when asked to (this
        // machine's kernel has io_uring).
        EXPECT_EQ(s.on_a_ring, s.index != 0 && GetParam() == config::EventLoopIo::io_uring)
            << "thread " << s.index;
    }
    // None on the control thread; each worker's on one thread of its own, not the caller's.
    EXPECT_EQ(per_thread, (std::map<std::size_t, int>{{1, 3}, {2, 3}}));
    std::set<std::thread::id> all;
    for (const auto& [index, ids] : threads_of) {
        EXPECT_EQ(ids.size(), 1u) << "thread " << index;
        all.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(all.count(std::this_thread::get_id()), 0u);
    for (tcp::socket& client : clients)
        client.close();
}

// One serving thread is the control thread alone: no worker, the client served inline.
TEST(EventLoops, OneServingThreadIsTheControlThreadAlone) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 1);
    EXPECT_EQ(loops.count(), 1u);
    EXPECT_EQ(loops.serving(), 1u);
    loops.start();
    tcp::acceptor acceptor(control, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::io_context client_io;
    tcp::socket client(client_io);
    client.connect(acceptor.local_endpoint());
    std::optional<std::size_t> index;
    std::thread::id thread;
    loops.serve(acceptor.accept(), [&](std::size_t i, net::PacketChannel) {
        index = i;
        thread = std::this_thread::get_id();
    });
    EXPECT_EQ(index, 0u);
    EXPECT_EQ(thread, std::this_thread::get_id());
}

boost::asio::awaitable<void> note_room(EventLoops& loops, std::atomic<bool>& room) {
    co_await loops.wait_for_room();
    room = true;
}

// While every worker has kMaxHandedOver clients it has not started (its thread is busy),
// accepting waits (new clients stay in the kernel's listen queue); once they start, it goes on.
TEST_P(EventLoopsOn, AcceptingWaitsWhileEveryWorkerIsBehind) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 2, GetParam());
    loops.start();
    std::promise<void> release;
    const std::shared_future<void> released = release.get_future().share();
    for (std::size_t i = 1; i <= 2; ++i)
        loops.post(i, [released] { released.wait(); });

    tcp::acceptor acceptor(control, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::io_context client_io;
    std::vector<tcp::socket> clients;
    std::atomic<int> started{0};
    constexpr std::size_t kBehind = 2 * EventLoops::kMaxHandedOver;
    for (std::size_t i = 0; i < kBehind; ++i) {
        clients.emplace_back(client_io);
        clients.back().connect(acceptor.local_endpoint());
        loops.serve(acceptor.accept(), [&](std::size_t, net::PacketChannel) { ++started; });
    }
    EXPECT_EQ(loops.sessions_on_workers(), kBehind);  // handed over, none started

    std::atomic<bool> room{false};
    boost::asio::co_spawn(control, note_room(loops, room), boost::asio::detached);
    auto control_work = boost::asio::make_work_guard(control);
    std::thread control_thread([&control] { control.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(room) << "accepting went on while both workers were behind";

    release.set_value();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!room && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    EXPECT_TRUE(room) << "accepting did not resume once the workers started their clients";
    control_work.reset();
    control.stop();
    control_thread.join();
    while (started < static_cast<int>(kBehind) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    loops.stop();
    EXPECT_EQ(started, static_cast<int>(kBehind));
}

// A coroutine function, not a lambda: its frame must not refer to a temporary closure.
boost::asio::awaitable<void> where_work_runs(EventLoops& loops, std::thread::id& worker,
                                             std::thread::id& control) {
    auto where = [] { return std::this_thread::get_id(); };
    worker = co_await loops.on_thread<std::thread::id>(1, where);
    control = co_await loops.on_thread<std::thread::id>(0, where);
}

TEST_P(EventLoopsOn, WorkRunsOnTheThreadAskedForAndEveryThreadSharesThePreLoginBudget) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 2, GetParam());
    loops.start();
    std::thread::id worker_thread;
    std::thread::id control_thread;
    boost::asio::co_spawn(control, where_work_runs(loops, worker_thread, control_thread),
                          boost::asio::detached);
    control.run();
    loops.stop();
    EXPECT_NE(worker_thread, std::thread::id());
    EXPECT_NE(worker_thread, std::this_thread::get_id());
    EXPECT_EQ(control_thread, std::this_thread::get_id());

    loops.sessions(0).pre_auth().set_limits({.total = 1});
    PreAuthBudget::Ticket on_control, on_worker;
    int evicted = 0;
    loops.sessions(0).pre_auth().admit(
        "10.0.0.1", [&] { ++evicted; }, on_control);
    loops.sessions(1).pre_auth().admit(
        "10.0.0.2", [] {}, on_worker);
    EXPECT_EQ(evicted, 1);
    EXPECT_EQ(loops.sessions(0).pre_auth().waiting(), 1u);
}

}  // namespace
}  // namespace sqlgate::engine
