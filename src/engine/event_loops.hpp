// A role's event-loop threads: the control thread (the role's own io_context, which accepts
// clients and runs the admin listener) and the workers it hands clients to.
#pragma once

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "config/shared_sections.hpp"
#include "engine/session_registry.hpp"
#include "net/listener.hpp"
#include "net/packet_channel.hpp"
#include "net/ring_loop.hpp"
#include "obs/connection_counters.hpp"

namespace sqlgate::engine {

// Thread 0 is the control thread (Asio's reactor: it has the listeners, the HTTPS API and the
// monitors); threads 1..count()-1 are workers, each with an io_context run by an io_uring loop
// of its own (net::RingLoop; Asio's reactor with io = epoll or without io_uring) and a
// SessionRegistry of its own (all sharing the control registry's pre-login budget,
// which is the listener's, not a thread's). Clients go to the workers in turn: an even
// spread whatever their addresses, one post per connection and none per statement. With
// workers, the control thread serves no client: its reactor would cost a client 2-3 times the
// syscalls of a worker's ring, and it keeps a core free for accepting and monitoring (see
// docs/design-notes.md). What a worker's sessions share with other threads is the role's
// business (the proxy publishes copies; the front roles share one runtime that locks what it
// must).
class EventLoops {
  public:
    // `serving` threads serve clients: 1 (or 0) is the control thread alone, N > 1 is N
    // workers next to the control thread.
    EventLoops(std::string role, boost::asio::io_context& control_io,
               SessionRegistry& control_sessions, std::size_t serving,
               config::EventLoopIo io = config::EventLoopIo::io_uring);
    // Stops the workers (their sessions end where they are) and waits for their threads.
    ~EventLoops();
    EventLoops(const EventLoops&) = delete;
    EventLoops& operator=(const EventLoops&) = delete;

    // Every thread, the control thread included; and those that serve clients.
    std::size_t count() const { return workers_.size() + 1; }
    std::size_t serving() const { return workers_.empty() ? 1 : workers_.size(); }
    boost::asio::io_context& io(std::size_t index) {
        return index == 0 ? control_io_ : workers_[index - 1]->io;
    }
    SessionRegistry& sessions(std::size_t index) {
        return index == 0 ? control_sessions_ : workers_[index - 1]->sessions;
    }

    // Starts the worker threads.
    void start();
    // Stops and joins the worker threads (what their io_contexts hold stays until destroyed).
    void stop();

    // Serves an accepted client on the next serving thread in turn: `serve(index, channel)`
    // runs on that thread with a channel of its event loop.
    using Serve = std::function<void(std::size_t index, net::PacketChannel channel)>;
    void serve(net::tcp::socket socket, const Serve& serve);
    // On the control thread, before each accept: returns once a worker has room for another
    // client (at once without workers). While every worker has kMaxHandedOver clients not
    // started yet, new ones wait in the kernel's listen queue: an acceptor that ran ahead
    // would queue thousands of hand-overs, and what other threads post to a worker (closing a
    // session evicted from the pre-login budget) would wait behind them all, its connection
    // slot taken meanwhile.
    static constexpr std::size_t kMaxHandedOver = 16;
    boost::asio::awaitable<void> wait_for_room();

    // Runs `f()` on thread `index` (from any thread) and wakes that thread's loop.
    template <typename F>
    void post(std::size_t index, F&& f) {
        net::RingLoop::post(io(index).get_executor(), std::forward<F>(f));
    }

    // Runs `f()` on thread `index` and hands its result back to the calling coroutine (on
    // any thread). `f` must not throw.
    template <typename R, typename F>
    boost::asio::awaitable<R> on_thread(std::size_t index, F f) {
        const auto caller = co_await boost::asio::this_coro::executor;
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto initiate = [this, index, f = std::move(f), caller](auto handler) mutable {
            post(index, [f = std::move(f), caller, handler = std::move(handler)]() mutable {
                net::RingLoop::post(caller, [handler = std::move(handler), result = f()]() mutable {
                    std::move(handler)(std::move(result));
                });
            });
        };
        R result =
            co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
                std::move(initiate), boost::asio::use_awaitable);
        co_return result;
    }

    // What the control thread keeps of a worker's session figures.
    struct Figures {
        std::uint64_t sessions_accepted = 0;
        obs::ConnectionCounters connections;
    };
    // Worker `index`'s figures as they stand; call on that worker's thread.
    Figures figures_of(std::size_t index);
    // Keeps what figures_of returned on the worker's thread; call on the control thread.
    void keep(std::size_t index, Figures figures) { workers_[index - 1]->latest = figures; }
    // Takes every worker's figures as they stand now (each on its own thread).
    boost::asio::awaitable<void> refresh();

    // Sessions open now on every thread (exact: a stopping role waits until none is left),
    // and on the workers alone.
    std::size_t sessions_open() const;
    std::size_t sessions_on_workers() const;
    // As of the last keep/refresh for the workers, now for the control thread.
    std::uint64_t sessions_accepted() const;
    obs::ConnectionCounters connections() const;
    // Stopping: every worker's sessions end once their command is answered.
    void drain_workers();

  private:
    bool has_room() const;  // some worker has fewer than kMaxHandedOver clients not started
    struct Worker {
        SessionRegistry sessions;
        // Declared after what its pending sessions use, so that it is destroyed first.
        boost::asio::io_context io{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
            io.get_executor()};
        std::thread thread;
        Figures latest;  // read and written on the control thread only
        // Clients given to it whose session has not registered yet (a stopping role waits
        // for them too).
        std::atomic<std::size_t> handed_over{0};
        // Sequentially consistent with room_wanted_ (see wait_for_room).
        bool has_room() const { return handed_over.load() < kMaxHandedOver; }
    };

    std::string role_;
    config::EventLoopIo io_;
    boost::asio::io_context& control_io_;
    SessionRegistry& control_sessions_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::size_t next_ = 0;  // the worker the next client goes to (0: the first)
    // wait_for_room sleeps on the timer (control thread); a worker that starts a client while
    // room_wanted_ is set cancels it.
    boost::asio::steady_timer room_timer_;
    std::atomic<bool> room_wanted_{false};
};

}  // namespace sqlgate::engine
