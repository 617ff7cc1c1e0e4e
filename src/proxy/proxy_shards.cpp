#include "proxy/proxy_shards.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/session_server.hpp"
#include "obs/log.hpp"
#include "proxy/proxy_session.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

namespace {

std::vector<std::unique_ptr<ProxyRuntime>> worker_runtimes(ProxyRuntime& control,
                                                           const config::ProxyConfig& config,
                                                           std::size_t threads,
                                                           ProxyShards* shards) {
    // As engine::EventLoops counts them: more than one serving thread are all workers.
    const std::size_t serving = std::max<std::size_t>(threads, 1);
    const std::size_t n = serving > 1 ? serving + 1 : 1;
    control.set_thread(0, n, serving, n > 1 ? shards : nullptr);
    std::vector<std::unique_ptr<ProxyRuntime>> workers;
    for (std::size_t i = 1; i < n; ++i) {
        workers.push_back(std::make_unique<ProxyRuntime>(config, control.shared_tls()));
        workers.back()->set_thread(i, n, serving, shards);
    }
    return workers;
}

}  // namespace

ProxyShards::ProxyShards(boost::asio::io_context& control_io, ProxyRuntime& control,
                         engine::SessionRegistry& control_sessions,
                         const config::ProxyConfig& config, std::size_t threads)
    : control_(control),
      workers_(worker_runtimes(control, config, threads, this)),
      latest_(workers_.size()),
      loops_("proxy", control_io, control_sessions, std::max<std::size_t>(workers_.size(), 1),
             config.io) {}

ProxyShards::~ProxyShards() {
    loops_.stop();
    // Idle pooled connections are sockets of the workers' io_contexts: closed while those
    // live (the runtimes that pool them are destroyed after them).
    for (auto& runtime : workers_) {
        for (BackendState& b : runtime->backends())
            b.links->close_idle();
    }
}

void ProxyShards::start() {
    loops_.start();
    boost::asio::co_spawn(loops_.io(0), publish_rounds(), boost::asio::detached);
}

void ProxyShards::serve(net::tcp::socket socket) {
    loops_.serve(std::move(socket), [this](std::size_t index, net::PacketChannel client) {
        engine::spawn_session<ProxySession>(loops_.io(index), runtime_of(index),
                                            loops_.sessions(index), std::move(client));
    });
}

awaitable<void> ProxyShards::publish() {
    if (workers_.empty()) co_return;
    const auto view = std::make_shared<const ClusterView>(control_.view());
    struct Taken {
        ProxyTraffic traffic;
        engine::EventLoops::Figures figures;
    };
    for (std::size_t i = 1; i < count(); ++i) {
        ProxyRuntime& runtime = runtime_of(i);
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto apply = [this, &runtime, view, i] {
            runtime.apply(*view);
            return Taken{.traffic = runtime.traffic(), .figures = loops_.figures_of(i)};
        };
        Taken taken = co_await loops_.on_thread<Taken>(i, std::move(apply));
        latest_[i - 1] = std::move(taken.traffic);
        loops_.keep(i, taken.figures);
    }
}

awaitable<void> ProxyShards::publish_rounds() {
    boost::asio::steady_timer timer(loops_.io(0));
    round_timer_ = &timer;
    for (;;) {
        round_wanted_ = false;
        co_await publish();
        sample_statements();
        if (round_wanted_) continue;  // the health changed while this round ran
        timer.expires_after(kPublishInterval);
        auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec && !round_wanted_) break;  // stopping
    }
    round_timer_ = nullptr;
}

void ProxyShards::publish_soon() {
    round_wanted_ = true;
    if (round_timer_ != nullptr) round_timer_->cancel();
}

void ProxyShards::sample_statements() {
    const ProxyTraffic all = traffic();
    const auto now = Clock::now();
    auto& backends = control_.backends();
    for (std::size_t i = 0; i < backends.size() && i < all.servers.size(); ++i)
        backends[i].statement_history.sample(now, all.servers[i].statements);
}

void ProxyShards::report_unreachable(std::size_t index, std::string error) {
    loops_.post(0, [this, index, error = std::move(error)]() mutable {
        auto& backends = control_.backends();
        if (index >= backends.size()) return;
        BackendState& b = backends[index];
        b.note_failure(control_.limits().failure_threshold, true, Clock::now());
        b.last_error = std::move(error);
        publish_soon();
    });
}

ProxyTraffic ProxyShards::traffic() const {
    ProxyTraffic all = control_.traffic();
    for (const ProxyTraffic& worker : latest_)
        all.add(worker);
    return all;
}

void ProxyShards::reload(const config::ProxyConfig& applied) {
    for (std::size_t i = 1; i < count(); ++i) {
        ProxyRuntime* runtime = workers_[i - 1].get();
        loops_.post(
            i, [runtime, next = std::make_unique<const config::ProxyConfig>(applied)]() mutable {
                std::vector<std::string> ignored;
                try {
                    runtime->reload(std::move(next), ignored);
                } catch (const std::exception& e) {
                    // The control thread applied the same file to the same servers: not expected.
                    obs::log(
                        obs::LogLevel::error, "reload_failed",
                        {{"thread", std::to_string(runtime->thread_index())}, {"error", e.what()}});
                }
            });
    }
}

}  // namespace sqlgate::proxy
