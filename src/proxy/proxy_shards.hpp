// The proxy's event-loop threads: the control thread, whose io_context runs the accept loop,
// the monitor, failover and the admin listener and serves clients too, and the workers.
#pragma once

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "config/proxy_config.hpp"
#include "engine/session_registry.hpp"
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

    // `threads` counts the control thread; `config` must outlive this (workers read it).
    ProxyShards(boost::asio::io_context& control_io, ProxyRuntime& control,
                engine::SessionRegistry& control_sessions, const config::ProxyConfig& config,
                std::size_t threads);
    // Stops the workers (their sessions end where they are) and waits for their threads.
    ~ProxyShards();
    ProxyShards(const ProxyShards&) = delete;
    ProxyShards& operator=(const ProxyShards&) = delete;

    std::size_t count() const { return workers_.size() + 1; }
    // Starts the worker threads and the publishing round.
    void start();
    // Serves an accepted client on the next thread in turn.
    void serve(net::tcp::socket socket);
    // Sends the control thread's view to every worker; returns once each has applied it.
    boost::asio::awaitable<void> publish();
    // A session on a worker found server `index` unreachable: the control thread's health
    // takes it in as if its own session had (the next view carries it to every thread).
    void report_unreachable(std::size_t index, std::string error);
    // Runs `f` with thread `index`'s runtime, on that thread, and hands its result back.
    template <typename R, typename F>
    boost::asio::awaitable<R> on_thread(std::size_t index, F f) {
        ProxyRuntime& runtime = index == 0 ? control_ : workers_[index - 1]->runtime;
        boost::asio::io_context& io = index == 0 ? control_io_ : workers_[index - 1]->io;
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto run = [&runtime, f]() -> boost::asio::awaitable<R> { co_return f(runtime); };
        R result = co_await boost::asio::co_spawn(io, std::move(run), boost::asio::use_awaitable);
        co_return result;
    }

    // Every thread's figures: the control thread's as they stand, the workers' as of the last
    // publishing round (at most kPublishInterval old).
    ProxyTraffic traffic() const;
    // Sessions open now (exact: a stopping proxy waits until none is left).
    std::size_t sessions_open() const;
    std::size_t sessions_on_workers() const;
    std::uint64_t sessions_accepted() const;
    obs::ConnectionCounters connections() const;

    // After the control thread applied a reload: every worker applies the same settings.
    void reload(const config::ProxyConfig& applied);
    // Stopping: every worker's sessions end once their command is answered.
    void drain();

  private:
    // What the control thread keeps of a worker's figures between rounds.
    struct WorkerFigures {
        ProxyTraffic traffic;
        std::uint64_t sessions_accepted = 0;
        obs::ConnectionCounters connections;
    };
    struct Worker {
        Worker(const config::ProxyConfig& config, std::shared_ptr<boost::asio::ssl::context> tls)
            : runtime(config, std::move(tls)) {}
        ProxyRuntime runtime;
        engine::SessionRegistry sessions;
        // Declared after what its pending sessions use, so that it is destroyed first.
        boost::asio::io_context io{1};
        boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{
            io.get_executor()};
        std::thread thread;
        WorkerFigures latest;  // read and written on the control thread only
        // Clients given to it whose session has not registered yet (a stopping proxy waits
        // for them too).
        std::atomic<std::size_t> handed_over{0};
    };

    boost::asio::awaitable<void> publish_rounds();
    // Samples every server's statement history with the statements of all threads.
    void sample_statements();
    void stop();

    boost::asio::io_context& control_io_;
    ProxyRuntime& control_;
    engine::SessionRegistry& control_sessions_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::size_t next_ = 0;  // the thread the next client goes to
};

}  // namespace sqlgate::proxy
