// The io_uring loop a worker thread runs in place of Asio's reactor: socket operations and
// timers are ring operations, Asio's io_context only queues the handlers they resume.
#pragma once

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sqlgate::net {

class RingTimer;

// One ring per worker thread, installed as a service of that thread's io_context: whatever
// holds an executor of it (a PacketChannel, a LoopTimer) finds the ring through it. Only the
// thread that runs the loop may start operations; other threads hand it work with post().
//
// Why not Asio's own io_uring backend or a ring watched by Asio's reactor: both were measured
// (docs/design-notes.md, "A loop of our own"); the first submits every operation alone, the
// second pays four syscalls per wake-up. Here the loop's one blocking call is
// io_uring_submit_and_wait, and Asio never creates a reactor for the io_context because
// nothing on it uses one (no Asio socket or timer).
class RingLoop final : public boost::asio::execution_context::service {
  public:
    using key_type = RingLoop;
    static inline boost::asio::execution_context::id id;

    // Completions carry what a syscall would return: an error, or a count of bytes.
    using Handler =
        boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;

    // Sets up a ring for `io` (call on the thread that will run it). On failure (no
    // io_uring in the kernel, refused by a sandbox) returns null and says why in `error`.
    static RingLoop* install(boost::asio::io_context& io, std::string& error);
    // The ring serving `context`, or null when its thread runs Asio's reactor.
    static RingLoop* of(boost::asio::execution_context& context);
    template <typename Executor>
    static RingLoop* of_executor(const Executor& executor) {
        return of(boost::asio::query(executor, boost::asio::execution::context));
    }

    RingLoop(boost::asio::execution_context& context, io_uring ring, int wake_fd);
    // What use_service needs to compile; of() never lets it run (install() sets rings up).
    explicit RingLoop(boost::asio::execution_context& context);
    ~RingLoop() override;
    RingLoop(const RingLoop&) = delete;
    RingLoop& operator=(const RingLoop&) = delete;

    // Runs handlers and ring completions until `io` is stopped (as io_context::run does: by
    // stop(), or when no handler and no operation is left).
    void run(boost::asio::io_context& io);
    // Ends every operation and waits until the kernel is done with each (their handlers are
    // destroyed, not run, with the io_context); no operation starts after it. Call on the
    // loop's thread once it is stopped (the io_context's destruction does it too, when on
    // that thread: only that thread may submit).
    void drain();
    // Thread-safe: wakes the loop so that it runs what was posted to its io_context.
    void wake();
    // Posts `f` to `executor` and, when a ring serves it, wakes that ring: how another
    // thread hands work to a worker.
    template <typename Executor, typename F>
    static void post(const Executor& executor, F&& f) {
        boost::asio::post(executor, std::forward<F>(f));
        if (RingLoop* ring = of_executor(executor)) ring->wake();
    }

    // Receives into `into`: at least one byte, or all of it when `whole`. Completes with the
    // bytes received; end of stream is boost::asio::error::eof.
    template <typename Token>
    auto async_recv(int fd, std::span<std::uint8_t> into, bool whole, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this, fd, into, whole](auto handler) {
                start_recv(fd, into, whole, Handler(std::move(handler)));
            },
            token);
    }
    // Sends every byte of `buffers` (at most two), or fails.
    template <typename Token>
    auto async_send(int fd, std::span<const iovec> buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this, fd, buffers](auto handler) {
                start_send(fd, buffers, Handler(std::move(handler)));
            },
            token);
    }
    template <typename Token>
    auto async_connect(int fd, const sockaddr* address, socklen_t length, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this, fd, address, length](auto handler) {
                start_connect(fd, address, length, Handler(std::move(handler)));
            },
            token);
    }

    // Ends every operation on `fd` (each completes with operation_aborted, or with what it
    // did meanwhile): how a deadline stops a connect, which shutdown() does not end.
    void cancel(int fd);

    // A send that its caller does not wait for: the bytes (at most kSendCopyMax) are copied
    // into the ring's memory, so the caller may go on at once to queue the receive of the
    // answer, and one io_uring_enter submits both. With `link_to_answer`, when that receive
    // on the same descriptor is the next operation queued, the two are linked and a send
    // that succeeds posts no completion: the loop sleeps until the answer (the send and its
    // buffer are then held until the answer comes: only for a peer that answers at once).
    // `done(owner, error)` runs once the kernel is finished with the send (before any
    // handler waiting for it). Returns the operation, through which its owner waits for it,
    // moves, or leaves it.
    struct Op;
    using SendDone = void (*)(void* owner, boost::system::error_code error);
    static constexpr std::size_t kSendCopyMax = 20 * 1024;
    Op* send_copy(int fd, std::span<const iovec> buffers, bool link_to_answer, SendDone done,
                  void* owner);
    // Completes once the send has ended (one waiter per send).
    template <typename Token>
    auto async_wait_send(Op* send, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this, send](auto handler) { wait_send(send, Handler(std::move(handler))); }, token);
    }
    // The send's owner moved to `owner`.
    void move_send(Op* send, void* owner);
    // The send's owner is gone: the ring closes `fd` once the send has ended.
    void abandon_send(Op* send, int fd, std::chrono::steady_clock::duration linger);
    // Cancels the send if it has not ended within `linger` (a peer that stopped reading
    // must not hold a closed connection's descriptor and buffer for ever).
    void limit_send(Op* send, std::chrono::steady_clock::duration linger);

    // More is coming for the next submission: operations queued for it, or completions of
    // this iteration whose handlers have not run yet (they will queue theirs).
    bool has_queued() { return batch_left_ > 0 || io_uring_sq_ready(&ring_) > 0; }

    // Operations in the kernel or queued for it, and completions taken off the ring so far
    // (for tests).
    std::size_t operations_pending() const { return pending_; }
    std::uint64_t completions_reaped() const { return reaped_; }

  private:
    friend class RingTimer;
    static constexpr std::uint64_t kWake = 1;       // the eventfd's read
    static constexpr std::uint64_t kUntracked = 2;  // a cancel's own completion
    static constexpr std::size_t kMaxBuffers = 2;

    void shutdown() override;
    io_uring_sqe* next_sqe();
    Op* new_op(Handler handler);
    void start_recv(int fd, std::span<std::uint8_t> into, bool whole, Handler handler);
    void start_send(int fd, std::span<const iovec> buffers, Handler handler);
    void start_connect(int fd, const sockaddr* address, socklen_t length, Handler handler);
    // Queues the sendmsg of op->buffers[0, count): the SQE, or null when the operation
    // ended at once (no SQE, or stopping).
    io_uring_sqe* queue_sendmsg(Op* op, int fd, std::size_t count);
    void wait_send(Op* send, Handler handler);
    // A copied send has ended: its buffer goes back, its owner learns the result (or the
    // descriptor it was left is closed).
    void finish_send_copy(Op& send, boost::system::error_code ec);
    void cut_overdue_sends();
    void arm_wake();
    // Takes what completed off the ring; runs the handlers after the ring is advanced.
    // Returns how many completions it took.
    unsigned reap();
    void check_for_reactor();
    // An operation's end (with the send or receive linked to it); complete_one: its alone.
    void complete(Op* op, int result);
    void complete_one(Op* op, int result);
    void run_completed();
    // Timers (RingTimer): a timeout at an absolute time of the steady clock, and its removal.
    Op* start_timeout(std::chrono::steady_clock::time_point at, RingTimer* timer, Handler handler);
    // A wait without expiry: no SQE, ended by cancel_timeout (or drain).
    Op* park(RingTimer* timer, Handler handler);
    void cancel_timeout(Op* op);

    boost::asio::io_context& io_;
    io_uring ring_{};
    int wake_fd_ = -1;
    std::uint64_t wake_value_ = 0;
    bool wake_armed_ = false;
    bool stopping_ = false;
    bool reactor_reported_ = false;
    bool can_skip_ = false;  // IOSQE_CQE_SKIP_SUCCESS (5.17+): copied sends link to receives
    std::size_t pending_ = 0;
    std::uint64_t reaped_ = 0;
    std::size_t batch_left_ = 0;             // completions after the one whose handler runs
    std::vector<std::unique_ptr<Op>> free_;  // reused, so an operation costs no allocation
    std::vector<std::pair<Op*, int>> completed_;
    // The last operation queued, when it is a copied send that a receive could link to.
    struct LinkCandidate {
        Op* send = nullptr;
        io_uring_sqe* sqe = nullptr;
        int fd = -1;
        std::uint64_t submits = 0;
    } link_candidate_;
    std::uint64_t submits_ = 0;  // submissions so far: an SQE submitted can no longer be linked
    // Copies' buffers, reused (a few of each size are kept, not one per connection).
    static constexpr std::size_t kSmallCopy = 2 * 1024;
    static constexpr std::size_t kKeptCopies = 256;
    std::vector<std::unique_ptr<std::uint8_t[]>> small_copies_;
    std::vector<std::unique_ptr<std::uint8_t[]>> large_copies_;
    std::vector<Op*> parked_;  // waits without expiry (see park)
    // Sends with a deadline (their connection closed), cancelled once it passes.
    std::vector<std::pair<Op*, std::chrono::steady_clock::time_point>> limited_;
};

// A timer on the ring: what a LoopTimer uses on a ring's thread.
class RingTimer {
  public:
    explicit RingTimer(RingLoop& ring) : ring_(ring) {}
    ~RingTimer() { cancel(); }
    RingTimer(const RingTimer&) = delete;
    RingTimer& operator=(const RingTimer&) = delete;

    void wait_until(std::chrono::steady_clock::time_point at, RingLoop::Handler handler);
    // The pending wait completes with operation_aborted.
    void cancel();

  private:
    friend class RingLoop;
    RingLoop& ring_;
    std::vector<RingLoop::Op*> waiting_;
};

}  // namespace sqlgate::net
