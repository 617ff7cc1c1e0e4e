// A timer of the thread's event loop: a ring timeout where an io_uring loop runs the thread
// (RingLoop), Asio's steady_timer where its reactor does. Sessions use it, not steady_timer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <optional>

#include "net/ring_loop.hpp"

namespace sqlgate::net {

class LoopTimer {
  public:
    using clock = std::chrono::steady_clock;

    template <typename Executor>
    explicit LoopTimer(const Executor& executor) : executor_(executor) {
        if (RingLoop* ring = RingLoop::of_executor(executor)) {
            ring_timer_.emplace(*ring);
        } else {
            asio_timer_.emplace(executor);
        }
    }
    template <typename Executor>
    LoopTimer(const Executor& executor, clock::duration after) : LoopTimer(executor) {
        expires_after(after);
    }
    template <typename Executor>
    LoopTimer(const Executor& executor, clock::time_point at) : LoopTimer(executor) {
        expires_at(at);
    }

    const boost::asio::any_io_executor& get_executor() const { return executor_; }

    // Like steady_timer's: setting the expiry cancels a pending wait.
    void expires_after(clock::duration after) { expires_at(clock::now() + after); }
    // A wait that only cancel() ends: on a ring it costs no kernel timeout (one that a
    // session waiting its turn would set and remove for every statement).
    void expires_never() { expires_at(clock::time_point::max()); }
    void expires_at(clock::time_point at) {
        cancel();
        at_ = at;
        if (asio_timer_) asio_timer_->expires_at(at);
    }
    void cancel() {
        if (asio_timer_) {
            asio_timer_->cancel();
        } else {
            ring_timer_->cancel();
        }
    }

    // Completes at the expiry, or with operation_aborted when cancelled first.
    template <typename Token>
    auto async_wait(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) {
                if (asio_timer_) {
                    asio_timer_->async_wait(std::move(handler));
                    return;
                }
                ring_timer_->wait_until(
                    at_, [h = std::move(handler)](boost::system::error_code ec,
                                                  std::size_t) mutable { std::move(h)(ec); });
            },
            token);
    }

  private:
    boost::asio::any_io_executor executor_;
    clock::time_point at_ = clock::now();
    std::optional<boost::asio::steady_timer> asio_timer_;
    std::optional<RingTimer> ring_timer_;
};

}  // namespace sqlgate::net
