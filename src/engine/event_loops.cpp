#include "engine/event_loops.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>

#include "obs/log.hpp"

namespace sqlgate::engine {

EventLoops::EventLoops(std::string role, boost::asio::io_context& control_io,
                       SessionRegistry& control_sessions, std::size_t serving,
                       config::EventLoopIo io)
    : role_(std::move(role)),
      io_(io),
      control_io_(control_io),
      control_sessions_(control_sessions),
      room_timer_(control_io) {
    for (std::size_t i = 0; serving > 1 && i < serving; ++i) {
        workers_.push_back(std::make_unique<Worker>());
        workers_.back()->sessions.share_pre_auth(control_sessions_);
    }
}

EventLoops::~EventLoops() {
    stop();
}

void EventLoops::start() {
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        Worker* worker = workers_[i].get();
        worker->thread = std::thread([this, worker, index = i + 1] {
            // Set up here: only the thread that runs a ring may submit to it.
            net::RingLoop* ring = nullptr;
            if (io_ == config::EventLoopIo::io_uring) {
                std::string error;
                ring = net::RingLoop::install(worker->io, error);
                if (ring == nullptr) {
                    obs::log(obs::LogLevel::warn, "io_uring_unavailable",
                             {{"role", role_},
                              {"thread", std::to_string(index)},
                              {"error", error},
                              {"using", "epoll"}});
                }
            }
            for (;;) {
                try {
                    if (ring != nullptr) {
                        ring->run(worker->io);
                        ring->drain();
                    } else {
                        worker->io.run();
                    }
                    return;
                } catch (const std::exception& e) {
                    // A handler that threw: the thread goes on serving its other sessions.
                    obs::log(
                        obs::LogLevel::error, "worker_handler_failed",
                        {{"role", role_}, {"thread", std::to_string(index)}, {"error", e.what()}});
                }
            }
        });
    }
}

void EventLoops::stop() {
    for (auto& w : workers_) {
        w->work.reset();
        w->io.stop();
        if (net::RingLoop* ring = net::RingLoop::of(w->io)) ring->wake();
    }
    for (auto& w : workers_) {
        if (w->thread.joinable()) w->thread.join();
    }
}

void EventLoops::serve(net::tcp::socket socket, const Serve& serve) {
    if (workers_.empty()) {
        serve(0, net::PacketChannel(std::move(socket)));
        return;
    }
    // The next worker in turn that has room (the next in turn when none has: never refused).
    std::size_t chosen = next_;
    for (std::size_t tried = 0; tried < workers_.size(); ++tried) {
        const std::size_t candidate = (next_ + tried) % workers_.size();
        if (workers_[candidate]->has_room()) {
            chosen = candidate;
            break;
        }
    }
    next_ = (chosen + 1) % workers_.size();
    const std::size_t index = chosen + 1;
    Worker& w = *workers_[chosen];
    // The descriptor moves to the worker; its channel is made there, on its thread, for the
    // worker's loop (a ring's, or Asio's reactor's).
    boost::system::error_code ec;
    const int fd = socket.release(ec);
    if (ec) return;  // closing the socket is all there is to do
    w.handed_over.fetch_add(1, std::memory_order_relaxed);
    post(index, [this, &w, index, fd, serve] {
        serve(index, net::PacketChannel(w.io.get_executor(), fd));
        // Sequentially consistent, as wait_for_room's store and look: one of the two sides
        // sees the other's write, so a wait never misses the room this makes.
        w.handed_over.fetch_sub(1);
        if (room_wanted_.load() && room_wanted_.exchange(false)) {
            post(0, [this] { room_timer_.cancel(); });
        }
    });
}

bool EventLoops::has_room() const {
    return workers_.empty() || std::any_of(workers_.begin(), workers_.end(),
                                           [](const auto& w) { return w->has_room(); });
}

boost::asio::awaitable<void> EventLoops::wait_for_room() {
    while (!has_room()) {
        room_wanted_.store(true);
        // Looked at again after asking: a worker that started a client in between did not
        // see the request. The timer's expiry is the fallback for a wake that went astray.
        if (has_room()) break;
        room_timer_.expires_after(std::chrono::milliseconds(10));
        co_await room_timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
}

EventLoops::Figures EventLoops::figures_of(std::size_t index) {
    const SessionRegistry& registry = sessions(index);
    return {.sessions_accepted = registry.added(), .connections = registry.connections()};
}

boost::asio::awaitable<void> EventLoops::refresh() {
    for (std::size_t i = 1; i < count(); ++i) {
        // Named, not a temporary in the co_await expression (see the coroutine rules).
        auto take = [this, i] { return figures_of(i); };
        const Figures figures = co_await on_thread<Figures>(i, std::move(take));
        keep(i, figures);
    }
}

std::size_t EventLoops::sessions_open() const {
    return control_sessions_.size() + sessions_on_workers();
}

std::size_t EventLoops::sessions_on_workers() const {
    std::size_t n = 0;
    for (const auto& w : workers_)
        n += w->sessions.size() + w->handed_over.load(std::memory_order_relaxed);
    return n;
}

std::uint64_t EventLoops::sessions_accepted() const {
    std::uint64_t n = control_sessions_.added();
    for (const auto& w : workers_)
        n += w->latest.sessions_accepted;
    return n;
}

obs::ConnectionCounters EventLoops::connections() const {
    obs::ConnectionCounters all = control_sessions_.connections();
    for (const auto& w : workers_)
        all.add(w->latest.connections);
    return all;
}

void EventLoops::drain_workers() {
    for (std::size_t i = 1; i < count(); ++i) {
        Worker* worker = workers_[i - 1].get();
        post(i, [worker] { worker->sessions.drain(); });
    }
}

}  // namespace sqlgate::engine
