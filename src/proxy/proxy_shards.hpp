// The proxy's event-loop threads: the control thread, whose io_context runs the accept loop,
// the monitor, failover and the admin listener, and the workers that serve the clients.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/proxy_config.hpp"
#include "engine/event_loops.hpp"
#include "net/listener.hpp"
#include "obs/connection_counters.hpp"
#include "proxy/proxy_runtime.hpp"

namespace sqlgate::proxy {

// Each worker has its own ProxyRuntime (sessions, backend connections, counters, random
// source) and never shares a mutable object with another thread: the control thread
// publishes its ClusterView to every worker (a copy each, applied on the worker's own
// thread) every kPublishInterval and at once after a failover or switchover, and takes the
// workers' figures back in the same round. With one thread there are no workers and nothing
// crosses threads.
class ProxyShards {
  public:
    static constexpr auto kPublishInterval = std::chrono::milliseconds(50);

    // `threads` serve clients (1: the control thread alone; N > 1: N workers); `config` must
    // outlive this (workers read it).
    ProxyShards(boost::asio::io_context& control_io, ProxyRuntime& control,
                engine::SessionRegistry& control_sessions, const config::ProxyConfig& config,
                std::size_t threads);
    // Stops the workers (their sessions end where they are) and waits for their threads.
    ~ProxyShards();
    ProxyShards(const ProxyShards&) = delete;
    ProxyShards& operator=(const ProxyShards&) = delete;

    std::size_t count() const { return loops_.count(); }
    std::size_t serving() const { return loops_.serving(); }
    // Starts the worker threads and the publishing round.
    void start();
    // Serves an accepted client on the next thread in turn.
    void serve(net::tcp::socket socket);
    // Before each accept (engine::EventLoops::wait_for_room).
    boost::asio::awaitable<void> wait_for_room() { return loops_.wait_for_room(); }
    // Sends the control thread's view to every worker; returns once each has applied it.
    boost::asio::awaitable<void> publish();
    // The control thread's health changed (a server down or up, replication stopped or
    // back, held back for lag): the next round starts now, not at the end of the interval,
    // so that a replica reported unfit gets no more reads from any thread.
    void publish_soon();
    // A session on a worker found server `index` unreachable: the control thread's health
    // takes it in as if its own session had, and publishes it to every thread at once.
    void report_unreachable(std::size_t index, std::string error);
    // Runs `f` with thread `index`'s runtime, on that thread, and hands its result back.
    template <typename R, typename F>
    boost::asio::awaitable<R> on_thread(std::size_t index, F f) {
        ProxyRuntime& runtime = runtime_of(index);
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto with_runtime = [&runtime, f] { return f(runtime); };
        R result = co_await loops_.on_thread<R>(index, std::move(with_runtime));
        co_return result;
    }

    // Every thread's figures: the control thread's as they stand, the workers' as of the last
    // publishing round (at most kPublishInterval old).
    ProxyTraffic traffic() const;
    // Sessions open now (exact: a stopping proxy waits until none is left).
    std::size_t sessions_open() const { return loops_.sessions_open(); }
    std::size_t sessions_on_workers() const { return loops_.sessions_on_workers(); }
    std::uint64_t sessions_accepted() const { return loops_.sessions_accepted(); }
    obs::ConnectionCounters connections() const { return loops_.connections(); }

    // After the control thread applied a reload: every worker applies the same settings.
    void reload(const config::ProxyConfig& applied);
    // Stopping: every worker's sessions end once their command is answered.
    void drain() { loops_.drain_workers(); }

  private:
    ProxyRuntime& runtime_of(std::size_t index) {
        return index == 0 ? control_ : *workers_[index - 1];
    }
    boost::asio::awaitable<void> publish_rounds();
    // Samples every server's statement history with the statements of all threads.
    void sample_statements();

    ProxyRuntime& control_;
    // The workers' runtimes, declared before the loops: sessions still pending in a loop's
    // io_context when it is destroyed use them.
    std::vector<std::unique_ptr<ProxyRuntime>> workers_;
    std::vector<ProxyTraffic> latest_;  // each worker's, as of the last round (control thread)
    boost::asio::steady_timer* round_timer_ = nullptr;  // publish_rounds' wait, while it runs
    bool round_wanted_ = false;
    engine::EventLoops loops_;
};

}  // namespace sqlgate::proxy
