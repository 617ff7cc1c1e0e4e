// Closes a channel when a deadline passes, so that any coroutine blocked on it resumes with
// an error; cancelled when the guard goes out of scope.
#pragma once

#include <chrono>
#include <memory>

#include "net/loop_timer.hpp"
#include "net/packet_channel.hpp"

namespace sqlgate::net {

class DeadlineGuard {
  public:
    DeadlineGuard(PacketChannel& channel, std::chrono::milliseconds timeout)
        : timer_(channel.executor(), timeout), expired_(std::make_shared<bool>(false)) {
        timer_.async_wait([c = &channel, expired = expired_](const boost::system::error_code& ec) {
            if (ec) return;  // cancelled: the channel may be gone, do not touch it
            *expired = true;
            c->close();
        });
    }
    ~DeadlineGuard() { timer_.cancel(); }
    DeadlineGuard(const DeadlineGuard&) = delete;
    DeadlineGuard& operator=(const DeadlineGuard&) = delete;

    bool expired() const { return *expired_; }

  private:
    LoopTimer timer_;
    std::shared_ptr<bool> expired_;
};

}  // namespace sqlgate::net
