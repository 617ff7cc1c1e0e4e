#include "net/ring_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "obs/log.hpp"

namespace sqlgate::net {

// What the ring holds for an operation until its completion is reaped. Kept on a free list:
// a relayed statement starts several and must not allocate for each.
struct RingLoop::Op {
    enum class Kind { recv, send, send_copy, connect, timeout };
    Kind kind = Kind::recv;
    Handler handler;
    RingTimer* timer = nullptr;  // a timeout's timer while it waits
    std::size_t expected = 0;    // a send's total, a whole receive's size
    std::array<iovec, kMaxBuffers> buffers{};
    msghdr message{};
    __kernel_timespec at{};
    sockaddr_storage address{};
    // A copied send and the receive linked behind it point at each other until one ends.
    Op* linked = nullptr;
    // A copied send: its bytes, and whom it tells when it ends (or the descriptor to close).
    std::unique_ptr<std::uint8_t[]> copy;
    bool large_copy = false;
    SendDone done = nullptr;
    void* owner = nullptr;
    int close_fd = -1;
    bool limited = false;  // in limited_
    bool parked = false;   // in parked_: a timer wait that no kernel timeout ends
};

namespace {

// A pending wait on a timer is rare next to socket operations, but a loop that sleeps must
// still wake for work posted by a path that forgot to wake it: it looks at least this often.
constexpr __kernel_timespec kLongestSleep{.tv_sec = 0, .tv_nsec = 100'000'000};

// Handlers run between two looks at the ring. io.poll() alone runs until the queue is empty,
// and another thread that posts faster than this one runs (a flood of accepted connections
// handed over) then starves every completion: closed sessions never end, and their
// connection slots stay taken.
constexpr std::size_t kHandlersPerPass = 64;

// With DEFER_TASKRUN, Linux 6.13+ turns at most this many deferred completions into CQEs per
// io_uring_enter (IO_LOCAL_TW_DEFAULT_MAX): one call per pass would then end fewer sessions
// than a busy pass starts, and evicted ones pile up holding their connection slots. A look
// that brings this many asks again, up to kLooksPerPass times.
constexpr unsigned kDeferredPerEnter = 20;
constexpr int kLooksPerPass = 8;

boost::system::error_code error_of(int result) {
    return {-result, boost::asio::error::get_system_category()};
}

}  // namespace

RingLoop* RingLoop::install(boost::asio::io_context& io, std::string& error) {
    io_uring ring{};
    io_uring_params params{};
    // One thread submits and reaps, and the kernel's completion work runs when it waits:
    // fewer interruptions of the thread that relays (6.1+; older kernels get less).
    int r = -EINVAL;
    for (const unsigned flags : {unsigned{IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN},
                                 unsigned{IORING_SETUP_COOP_TASKRUN}, 0u}) {
        params = {};
        params.flags = flags;
        r = io_uring_queue_init_params(1024, &ring, &params);
        if (r == 0) break;
    }
    if (r != 0) {
        error = std::string("io_uring_queue_init: ") + std::strerror(-r);
        return nullptr;
    }
    if ((params.features & IORING_FEAT_EXT_ARG) == 0) {
        io_uring_queue_exit(&ring);
        error = "io_uring lacks IORING_FEAT_EXT_ARG (kernel older than 5.11)";
        return nullptr;
    }
    const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0) {
        io_uring_queue_exit(&ring);
        error = std::string("eventfd: ") + std::strerror(errno);
        return nullptr;
    }
    return &boost::asio::make_service<RingLoop>(io, ring, wake_fd);
}

RingLoop* RingLoop::of(boost::asio::execution_context& context) {
    return boost::asio::has_service<RingLoop>(context)
               ? &boost::asio::use_service<RingLoop>(context)
               : nullptr;
}

RingLoop::RingLoop(boost::asio::execution_context& context, io_uring ring, int wake_fd)
    : service(context),
      io_(static_cast<boost::asio::io_context&>(context)),
      ring_(ring),
      wake_fd_(wake_fd),
      can_skip_((ring.features & IORING_FEAT_CQE_SKIP) != 0) {
    arm_wake();
}

RingLoop::RingLoop(boost::asio::execution_context& context)
    : service(context), io_(static_cast<boost::asio::io_context&>(context)) {
    throw std::logic_error("RingLoop is set up by RingLoop::install");
}

RingLoop::~RingLoop() {
    io_uring_queue_exit(&ring_);
    ::close(wake_fd_);
}

void RingLoop::drain() {
    // The loop is done: every operation is cancelled and its completion awaited here, on the
    // ring's own thread (the only one that may submit), so that nothing is written into a
    // buffer after its coroutine's frame is destroyed.
    if (stopping_ && pending_ == 0 && !wake_armed_) return;
    stopping_ = true;
    while (!parked_.empty()) {
        Op* op = parked_.back();
        if (op->timer != nullptr) std::erase(op->timer->waiting_, op);
        op->timer = nullptr;
        cancel_timeout(op);
    }
    if (io_uring_sqe* s = next_sqe()) {
        io_uring_prep_cancel64(s, 0, IORING_ASYNC_CANCEL_ANY);
        io_uring_sqe_set_data64(s, kUntracked);
    }
    while (pending_ > 0 || wake_armed_) {
        ++submits_;
        if (const int r = io_uring_submit_and_wait(&ring_, 1); r < 0 && r != -EINTR) break;
        reap();
    }
}

void RingLoop::shutdown() {
    // The io_context is going away: what is still pending ends (a no-op when the loop's
    // thread drained it; only that thread can), then the handlers of operations that ended
    // without running are destroyed (as Asio does with its own). Destroying one destroys its
    // coroutine's frame, which starts no operation any more (stopping_).
    drain();
    std::vector<std::pair<Op*, int>> left;
    left.swap(completed_);
    for (auto& [op, result] : left) {
        if (op->kind == Op::Kind::send_copy) {
            finish_send_copy(*op, boost::asio::error::operation_aborted);
        }
        op->handler = nullptr;
        free_.emplace_back(op);
        io_.get_executor().on_work_finished();
    }
}

io_uring_sqe* RingLoop::next_sqe() {
    link_candidate_ = {};  // only the very next operation may link to a send
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    if (s == nullptr) {
        ++submits_;
        io_uring_submit(&ring_);  // the queue is full: what it holds goes now
        s = io_uring_get_sqe(&ring_);
    }
    return s;
}

RingLoop::Op* RingLoop::new_op(Handler handler) {
    std::unique_ptr<Op> op;
    if (free_.empty()) {
        op = std::make_unique<Op>();
    } else {
        op = std::move(free_.back());
        free_.pop_back();
    }
    // Swapped in: Boost 1.81's move assignment of any_completion_handler recurses forever.
    op->handler.swap(handler);
    op->timer = nullptr;
    op->linked = nullptr;
    op->owner = nullptr;
    op->close_fd = -1;
    ++pending_;
    // As Asio's own operations do, a pending one keeps the io_context's run going.
    io_.get_executor().on_work_started();
    return op.release();
}

void RingLoop::start_recv(int fd, std::span<std::uint8_t> into, bool whole, Handler handler) {
    const LinkCandidate before = link_candidate_;
    Op* op = new_op(std::move(handler));
    op->kind = Op::Kind::recv;
    io_uring_sqe* s = next_sqe();
    if (s == nullptr || stopping_) {
        complete(op, -ECANCELED);
        return;
    }
    op->expected = whole ? into.size() : 0;
    io_uring_prep_recv(s, fd, into.data(), into.size(), whole ? MSG_WAITALL : 0);
    io_uring_sqe_set_data(s, op);
    if (before.send != nullptr && before.fd == fd && before.submits == submits_) {
        // The answer's receive right behind the request's send, in the same submission: the
        // receive starts once the send is done, and a successful send stays silent, so the
        // loop wakes only for the answer. Their ends are matched up in complete().
        before.sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
        before.send->linked = op;
        op->linked = before.send;
    }
}

RingLoop::Op* RingLoop::send_copy(int fd, std::span<const iovec> buffers, bool link_to_answer,
                                  SendDone done, void* owner) {
    Op* op = new_op(Handler{});
    op->kind = Op::Kind::send_copy;
    op->done = done;
    op->owner = owner;
    std::size_t total = 0;
    for (const iovec& b : buffers)
        total += b.iov_len;
    op->large_copy = total > kSmallCopy;
    auto& kept = op->large_copy ? large_copies_ : small_copies_;
    if (kept.empty()) {
        op->copy = std::make_unique_for_overwrite<std::uint8_t[]>(op->large_copy ? kSendCopyMax
                                                                                 : kSmallCopy);
    } else {
        op->copy = std::move(kept.back());
        kept.pop_back();
    }
    std::size_t at = 0;
    for (const iovec& b : buffers) {
        if (b.iov_len == 0) continue;
        std::memcpy(op->copy.get() + at, b.iov_base, b.iov_len);
        at += b.iov_len;
    }
    op->expected = total;
    op->buffers[0] = {op->copy.get(), total};
    io_uring_sqe* s = queue_sendmsg(op, fd, 1);
    if (s != nullptr && can_skip_ && link_to_answer)
        link_candidate_ = {.send = op, .sqe = s, .fd = fd, .submits = submits_};
    return op;
}

void RingLoop::wait_send(Op* send, Handler handler) {
    send->handler.swap(handler);
}

void RingLoop::move_send(Op* send, void* owner) {
    send->owner = owner;
}

void RingLoop::abandon_send(Op* send, int fd, std::chrono::steady_clock::duration linger) {
    send->owner = nullptr;
    send->close_fd = fd;
    limit_send(send, linger);
}

void RingLoop::limit_send(Op* send, std::chrono::steady_clock::duration linger) {
    if (send->limited) return;
    send->limited = true;
    limited_.emplace_back(send, std::chrono::steady_clock::now() + linger);
}

void RingLoop::cut_overdue_sends() {
    const auto now = std::chrono::steady_clock::now();
    for (auto& [send, deadline] : limited_) {
        if (deadline > now) continue;
        deadline = std::chrono::steady_clock::time_point::max();  // cancelled once
        if (io_uring_sqe* s = next_sqe()) {
            io_uring_prep_cancel64(s, reinterpret_cast<std::uintptr_t>(send), 0);
            io_uring_sqe_set_data64(s, kUntracked);
        }
    }
}

void RingLoop::finish_send_copy(Op& send, boost::system::error_code ec) {
    auto& kept = send.large_copy ? large_copies_ : small_copies_;
    if (kept.size() < kKeptCopies) kept.push_back(std::move(send.copy));
    send.copy.reset();
    if (send.limited) {
        send.limited = false;
        std::erase_if(limited_, [&](const auto& entry) { return entry.first == &send; });
    }
    if (send.owner != nullptr) {
        send.done(std::exchange(send.owner, nullptr), ec);
    } else if (send.close_fd >= 0) {
        ::close(std::exchange(send.close_fd, -1));
    }
}

void RingLoop::start_send(int fd, std::span<const iovec> buffers, Handler handler) {
    Op* op = new_op(std::move(handler));
    op->kind = Op::Kind::send;
    op->expected = 0;
    std::size_t count = 0;
    for (const iovec& b : buffers.first(std::min(buffers.size(), kMaxBuffers))) {
        if (b.iov_len == 0) continue;
        op->buffers[count++] = b;
        op->expected += b.iov_len;
    }
    queue_sendmsg(op, fd, count);
}

io_uring_sqe* RingLoop::queue_sendmsg(Op* op, int fd, std::size_t count) {
    op->message = {};
    op->message.msg_iov = op->buffers.data();
    op->message.msg_iovlen = count;
    io_uring_sqe* s = next_sqe();
    if (s == nullptr || stopping_) {
        complete(op, -ECANCELED);
        return nullptr;
    }
    // MSG_WAITALL: the kernel finishes a short send itself (a full socket buffer waits).
    io_uring_prep_sendmsg(s, fd, &op->message, MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data(s, op);
    return s;
}

void RingLoop::start_connect(int fd, const sockaddr* address, socklen_t length, Handler handler) {
    Op* op = new_op(std::move(handler));
    io_uring_sqe* s = next_sqe();
    if (s == nullptr || stopping_ || length > sizeof op->address) {
        complete(op, s == nullptr || stopping_ ? -ECANCELED : -EINVAL);
        return;
    }
    std::memcpy(&op->address, address, length);
    op->kind = Op::Kind::connect;
    op->expected = 0;
    io_uring_prep_connect(s, fd, reinterpret_cast<sockaddr*>(&op->address), length);
    io_uring_sqe_set_data(s, op);
}

RingLoop::Op* RingLoop::start_timeout(std::chrono::steady_clock::time_point at, RingTimer* timer,
                                      Handler handler) {
    Op* op = new_op(std::move(handler));
    io_uring_sqe* s = next_sqe();
    if (s == nullptr || stopping_) {
        complete(op, -ECANCELED);
        return nullptr;
    }
    // steady_clock is CLOCK_MONOTONIC, the clock of an absolute io_uring timeout.
    const auto since_boot = at.time_since_epoch();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_boot);
    op->at.tv_sec = std::max<std::int64_t>(0, seconds.count());
    op->at.tv_nsec = std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(since_boot - seconds).count());
    op->kind = Op::Kind::timeout;
    op->expected = 0;
    op->timer = timer;
    io_uring_prep_timeout(s, &op->at, 0, IORING_TIMEOUT_ABS);
    io_uring_sqe_set_data(s, op);
    return op;
}

RingLoop::Op* RingLoop::park(RingTimer* timer, Handler handler) {
    Op* op = new_op(std::move(handler));
    op->kind = Op::Kind::timeout;
    op->expected = 0;
    if (stopping_) {
        complete(op, -ECANCELED);
        return nullptr;
    }
    op->timer = timer;
    op->parked = true;
    parked_.push_back(op);
    return op;
}

void RingLoop::cancel_timeout(Op* op) {
    op->timer = nullptr;
    if (op->parked) {
        op->parked = false;
        std::erase(parked_, op);
        complete(op, -ECANCELED);
        return;
    }
    if (stopping_) return;  // shutdown() cancels everything
    io_uring_sqe* s = next_sqe();
    if (s == nullptr) return;  // it expires in its own time; its handler sees no timer
    io_uring_prep_timeout_remove(s, reinterpret_cast<std::uintptr_t>(op), 0);
    io_uring_sqe_set_data64(s, kUntracked);
}

void RingLoop::cancel(int fd) {
    if (stopping_) return;  // drain() ends them all
    io_uring_sqe* s = next_sqe();
    if (s == nullptr) return;
    io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
    io_uring_sqe_set_data64(s, kUntracked);
}

void RingLoop::arm_wake() {
    io_uring_sqe* s = next_sqe();
    if (s == nullptr) return;
    io_uring_prep_read(s, wake_fd_, &wake_value_, sizeof wake_value_, 0);
    io_uring_sqe_set_data64(s, kWake);
    wake_armed_ = true;
}

void RingLoop::wake() {
    ::eventfd_write(wake_fd_, 1);
}

void RingLoop::run(boost::asio::io_context& io) {
    run_completed();  // left by a handler that threw
    while (!io.stopped()) {
        std::size_t ran = 0;
        while (ran < kHandlersPerPass && io.poll_one() != 0)
            ++ran;
        if (io.stopped()) break;
        if (ran == kHandlersPerPass) {
            // Handlers left over: collect what the ring has without sleeping, then run them.
            for (int look = 0; look < kLooksPerPass; ++look) {
                ++submits_;
                const int r = io_uring_submit_and_get_events(&ring_);
                if (r < 0 && r != -EINTR && r != -EBUSY) {
                    throw boost::system::system_error(error_of(r),
                                                      "io_uring_submit_and_get_events");
                }
                if (reap() < kDeferredPerEnter) break;
            }
            continue;
        }
        if (!limited_.empty()) cut_overdue_sends();
        if (!completed_.empty()) {
            // Ended here, not by the kernel (a parked wait cancelled by a posted handler).
            run_completed();
            continue;
        }
        io_uring_cqe* cqe = nullptr;
        ++submits_;
        const int r = io_uring_submit_and_wait_timeout(
            &ring_, &cqe, 1, const_cast<__kernel_timespec*>(&kLongestSleep), nullptr);
        if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY) {
            throw boost::system::system_error(error_of(r), "io_uring_submit_and_wait");
        }
        if (r == -ETIME) check_for_reactor();
        reap();
    }
}

void RingLoop::check_for_reactor() {
    // An Asio socket or timer made on this thread creates Asio's reactor, and then every
    // io.poll() pays an epoll_wait: a mistake to see in the log, looked for when the loop
    // idles or another thread wakes it (not per iteration: the lookup takes a lock).
    if (reactor_reported_ || !boost::asio::has_service<boost::asio::detail::reactor>(io_)) return;
    reactor_reported_ = true;
    obs::log(obs::LogLevel::warn, "asio_reactor_on_ring_thread",
             {{"hint", "an Asio socket or timer was made on an io_uring worker"}});
}

unsigned RingLoop::reap() {
    io_uring_cqe* cqe = nullptr;
    unsigned head = 0;
    unsigned seen = 0;
    bool woken = false;
    io_uring_for_each_cqe(&ring_, head, cqe) {
        ++seen;
        const std::uint64_t data = io_uring_cqe_get_data64(cqe);
        if (data == kWake) {
            woken = true;
            wake_armed_ = false;
        } else if (data != kUntracked) {
            complete(static_cast<Op*>(io_uring_cqe_get_data(cqe)), cqe->res);
        }
    }
    io_uring_cq_advance(&ring_, seen);
    reaped_ += seen;
    if (woken && !stopping_) {
        arm_wake();
        check_for_reactor();
    }
    if (!stopping_) run_completed();
    return seen;
}

void RingLoop::complete(Op* op, int result) {
    if (Op* other = std::exchange(op->linked, nullptr)) {
        other->linked = nullptr;
        if (op->kind == Op::Kind::send_copy) {
            // A linked send posts a completion only when it failed, and then the receive
            // behind it, cancelled, posts none: it ends here, after the send.
            complete_one(op, result);
            complete_one(other, -ECANCELED);
            return;
        }
        // The receive's completion: the send before it succeeded without posting one.
        complete_one(other, static_cast<int>(other->expected));
    }
    complete_one(op, result);
}

void RingLoop::complete_one(Op* op, int result) {
    --pending_;  // the kernel is done with it
    if (op->timer != nullptr) {
        std::erase(op->timer->waiting_, op);
        op->timer = nullptr;
    }
    completed_.emplace_back(op, result);
}

void RingLoop::run_completed() {
    // One at a time from the front: a handler that throws leaves the rest for the next call.
    std::size_t next = 0;
    struct Trim {
        std::vector<std::pair<Op*, int>>& list;
        std::size_t& done;
        ~Trim() { list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(done)); }
    } trim{completed_, next};
    while (next < completed_.size()) {
        auto [op, result] = completed_[next++];
        batch_left_ = completed_.size() - next;
        Handler handler = std::move(op->handler);
        const std::size_t expected = op->expected;
        const Op::Kind kind = op->kind;
        // After the handler, which may start the next operation: the count must not touch
        // zero in between (that stops the io_context).
        struct FinishWork {
            boost::asio::io_context& io;
            ~FinishWork() { io.get_executor().on_work_finished(); }
        } finish{io_};
        boost::system::error_code ec;
        std::size_t bytes = 0;
        if (result == -ETIME) {
            // A timeout that expired: what its waiter waited for.
        } else if (result == -ECANCELED) {
            ec = boost::asio::error::operation_aborted;
        } else if (result < 0) {
            ec = error_of(result);
        } else {
            bytes = static_cast<std::size_t>(result);
            // The peer closed: nothing received, or less than a whole read or a send needed.
            if (bytes < expected || (kind == Op::Kind::recv && bytes == 0)) {
                ec = boost::asio::error::eof;
            }
        }
        if (kind == Op::Kind::send_copy) finish_send_copy(*op, ec);
        free_.emplace_back(op);
        if (handler) std::move(handler)(ec, bytes);
    }
    batch_left_ = 0;
}

void RingTimer::wait_until(std::chrono::steady_clock::time_point at, RingLoop::Handler handler) {
    RingLoop::Op* op = at == std::chrono::steady_clock::time_point::max()
                           ? ring_.park(this, std::move(handler))
                           : ring_.start_timeout(at, this, std::move(handler));
    if (op != nullptr) waiting_.push_back(op);
}

void RingTimer::cancel() {
    for (RingLoop::Op* op : waiting_)
        ring_.cancel_timeout(op);
    waiting_.clear();
}

}  // namespace sqlgate::net
