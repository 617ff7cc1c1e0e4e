// A role's event-loop threads: accepted clients go to the threads in turn, each served on its
// own thread with a socket of that thread's io_context; work can be run on a given thread;
// every thread counts against the listener's one pre-login budget.
#include "engine/event_loops.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace sqlgate::engine {
namespace {

using boost::asio::ip::tcp;

struct Served {
    std::size_t index;
    std::thread::id thread;
    bool socket_of_that_thread;
    bool open;
};

TEST(EventLoops, ClientsGoToEveryThreadInTurnAndAreServedThere) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 3);
    ASSERT_EQ(loops.count(), 3u);
    loops.start();

    tcp::acceptor acceptor(control, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::io_context client_io;
    std::vector<tcp::socket> clients;
    std::mutex mutex;
    std::vector<Served> served;
    std::vector<tcp::socket> kept;  // the served sockets, closed at the end of the test
    for (int i = 0; i < 6; ++i) {
        clients.emplace_back(client_io);
        clients.back().connect(acceptor.local_endpoint());
        loops.serve(acceptor.accept(), [&](std::size_t index, tcp::socket socket) {
            const std::lock_guard lock(mutex);
            served.push_back({index, std::this_thread::get_id(),
                              &socket.get_executor().context() == &loops.io(index),
                              socket.is_open()});
            kept.push_back(std::move(socket));
        });
    }
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
        EXPECT_TRUE(s.socket_of_that_thread) << "thread " << s.index;
        EXPECT_TRUE(s.open) << "thread " << s.index;
    }
    EXPECT_EQ(per_thread, (std::map<std::size_t, int>{{0, 2}, {1, 2}, {2, 2}}));
    // The control thread's own clients are served where they were accepted; each worker's
    // on one thread of its own.
    EXPECT_EQ(threads_of[0], std::set{std::this_thread::get_id()});
    std::set<std::thread::id> all;
    for (const auto& [index, ids] : threads_of) {
        EXPECT_EQ(ids.size(), 1u) << "thread " << index;
        all.insert(ids.begin(), ids.end());
    }
    EXPECT_EQ(all.size(), 3u);
    for (tcp::socket& s : kept)
        s.close();
}

// A coroutine function, not a lambda: its frame must not refer to a temporary closure.
boost::asio::awaitable<void> where_work_runs(EventLoops& loops, std::thread::id& worker,
                                             std::thread::id& control) {
    auto where = [] { return std::this_thread::get_id(); };
    worker = co_await loops.on_thread<std::thread::id>(1, where);
    control = co_await loops.on_thread<std::thread::id>(0, where);
}

TEST(EventLoops, WorkRunsOnTheThreadAskedForAndEveryThreadSharesThePreLoginBudget) {
    boost::asio::io_context control;
    SessionRegistry control_sessions;
    EventLoops loops("test", control, control_sessions, 2);
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
