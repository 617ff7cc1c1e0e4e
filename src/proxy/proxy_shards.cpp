#include "proxy/proxy_shards.hpp"

#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "engine/session_server.hpp"
#include "obs/log.hpp"
#include "proxy/proxy_session.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

ProxyShards::ProxyShards(boost::asio::io_context& control_io, ProxyRuntime& control,
                         engine::SessionRegistry& control_sessions,
                         const config::ProxyConfig& config, std::size_t threads)
    : control_io_(control_io), control_(control), control_sessions_(control_sessions) {
    const std::size_t n = std::max<std::size_t>(threads, 1);
    control_.set_thread(0, n, n > 1 ? this : nullptr);
    for (std::size_t i = 1; i < n; ++i) {
        workers_.push_back(std::make_unique<Worker>(config, control_.shared_tls()));
        workers_.back()->runtime.set_thread(i, n, this);
    }
}

ProxyShards::~ProxyShards() {
    stop();
}

void ProxyShards::stop() {
    for (auto& w : workers_) {
        w->work.reset();
        w->io.stop();
    }
    for (auto& w : workers_) {
        if (w->thread.joinable()) w->thread.join();
        // Idle pooled connections are sockets of the worker's io_context: closed while it
        // lives (the runtime that pools them is destroyed after it).
        for (BackendState& b : w->runtime.backends())
            b.links->close_idle();
    }
}

void ProxyShards::start() {
    for (auto& w : workers_) {
        Worker* worker = w.get();
        worker->thread = std::thread([worker] {
            for (;;) {
                try {
                    worker->io.run();
                    return;
                } catch (const std::exception& e) {
                    // A handler that threw: the thread goes on serving its other sessions.
                    obs::log(obs::LogLevel::error, "worker_handler_failed",
                             {{"thread", std::to_string(worker->runtime.thread_index())},
                              {"error", e.what()}});
                }
            }
        });
    }
    boost::asio::co_spawn(control_io_, publish_rounds(), boost::asio::detached);
}

void ProxyShards::serve(net::tcp::socket socket) {
    const std::size_t index = next_;
    next_ = (next_ + 1) % count();
    if (index == 0) {
        engine::spawn_session<ProxySession>(control_io_, control_, control_sessions_,
                                            std::move(socket));
        return;
    }
    Worker& w = *workers_[index - 1];
    // The descriptor moves to the worker's io_context; the socket is made there, on its thread.
    boost::system::error_code ec;
    const auto protocol = socket.local_endpoint(ec).protocol();
    if (ec) return;  // the client left already; closing the socket is all there is to do
    const int fd = socket.release(ec);
    if (ec) return;
    w.handed_over.fetch_add(1, std::memory_order_relaxed);
    boost::asio::post(w.io, [&w, protocol, fd] {
        boost::system::error_code assign_ec;
        net::tcp::socket moved(w.io);
        moved.assign(protocol, fd, assign_ec);
        if (assign_ec) {
            ::close(fd);
        } else {
            engine::spawn_session<ProxySession>(w.io, w.runtime, w.sessions, std::move(moved));
        }
        w.handed_over.fetch_sub(1, std::memory_order_relaxed);
    });
}

awaitable<void> ProxyShards::publish() {
    if (workers_.empty()) co_return;
    const auto view = std::make_shared<const ClusterView>(control_.view());
    for (auto& w : workers_) {
        Worker* worker = w.get();
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto apply = [worker, view]() -> awaitable<WorkerFigures> {
            worker->runtime.apply(*view);
            co_return WorkerFigures{.traffic = worker->runtime.traffic(),
                                    .sessions_accepted = worker->sessions.added(),
                                    .connections = worker->sessions.connections()};
        };
        worker->latest = co_await boost::asio::co_spawn(worker->io, std::move(apply),
                                                        boost::asio::use_awaitable);
    }
}

awaitable<void> ProxyShards::publish_rounds() {
    boost::asio::steady_timer timer(control_io_);
    for (;;) {
        co_await publish();
        sample_statements();
        timer.expires_after(kPublishInterval);
        auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) co_return;
    }
}

void ProxyShards::sample_statements() {
    const ProxyTraffic all = traffic();
    const auto now = Clock::now();
    auto& backends = control_.backends();
    for (std::size_t i = 0; i < backends.size() && i < all.servers.size(); ++i)
        backends[i].statement_history.sample(now, all.servers[i].statements);
}

void ProxyShards::report_unreachable(std::size_t index, std::string error) {
    boost::asio::post(control_io_, [this, index, error = std::move(error)]() mutable {
        auto& backends = control_.backends();
        if (index >= backends.size()) return;
        BackendState& b = backends[index];
        b.note_failure(control_.limits().failure_threshold, true, Clock::now());
        b.last_error = std::move(error);
    });
}

ProxyTraffic ProxyShards::traffic() const {
    ProxyTraffic all = control_.traffic();
    for (const auto& w : workers_)
        all.add(w->latest.traffic);
    return all;
}

std::size_t ProxyShards::sessions_open() const {
    return control_sessions_.size() + sessions_on_workers();
}

std::size_t ProxyShards::sessions_on_workers() const {
    std::size_t n = 0;
    for (const auto& w : workers_)
        n += w->sessions.size() + w->handed_over.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t ProxyShards::sessions_accepted() const {
    std::uint64_t n = control_sessions_.added();
    for (const auto& w : workers_)
        n += w->latest.sessions_accepted;
    return n;
}

obs::ConnectionCounters ProxyShards::connections() const {
    obs::ConnectionCounters all = control_sessions_.connections();
    for (const auto& w : workers_)
        all.add(w->latest.connections);
    return all;
}

void ProxyShards::reload(const config::ProxyConfig& applied) {
    for (auto& w : workers_) {
        Worker* worker = w.get();
        boost::asio::post(
            worker->io,
            [worker, next = std::make_unique<const config::ProxyConfig>(applied)]() mutable {
                std::vector<std::string> ignored;
                try {
                    worker->runtime.reload(std::move(next), ignored);
                } catch (const std::exception& e) {
                    // The control thread applied the same file to the same servers: not expected.
                    obs::log(obs::LogLevel::error, "reload_failed",
                             {{"thread", std::to_string(worker->runtime.thread_index())},
                              {"error", e.what()}});
                }
            });
    }
}

void ProxyShards::drain() {
    for (auto& w : workers_) {
        Worker* worker = w.get();
        boost::asio::post(worker->io, [worker] { worker->sessions.drain(); });
    }
}

}  // namespace sqlgate::proxy
