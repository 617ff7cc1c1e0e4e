// Would a hand-written io_uring loop relay statements with fewer syscalls and less CPU than
// Asio's epoll reactor (what every sqlgate role runs on)? One binary, three processes:
//   relay_loop_bench echo    --listen A:P            a backend answering each request
//   relay_loop_bench relay   --listen A:P --backend A:P
//                    --loop epoll|uring|uring-multishot|uring-coroutines|uring-in-asio
//   relay_loop_bench clients --target A:P --clients N --seconds T [--hold S]
// The relay forwards each framed request (4-byte length, then the body) to its own backend
// connection and the reply back, one statement at a time per client, as sqlgate's relay does.
// bench/relay_loop.sh runs them side by side and measures the relay process.

#include <arpa/inet.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kBufferSize = 16 * 1024;

struct Options {
    std::string mode;
    std::string listen;
    std::string backend;
    std::string target;
    std::string source;  // address the outgoing connections bind to
    std::string loop = "epoll";
    int clients = 16;
    double seconds = 5;
    double hold = 0;           // clients keep their connections open, idle, this long after the run
    std::size_t request = 40;  // like a point select's COM_STMT_EXECUTE
    std::size_t reply = 200;   // like its one-row result set
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "relay_loop_bench: %s\n", message.c_str());
    std::exit(2);
}

tcp::endpoint endpoint_of(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) die("address without a port: " + text);
    return {asio::ip::make_address(text.substr(0, colon)),
            static_cast<unsigned short>(std::stoi(text.substr(colon + 1)))};
}

// A message is a 4-byte little-endian length, then that many bytes.
std::size_t body_size(std::span<const unsigned char, 4> header) {
    return header[0] | (header[1] << 8) | (header[2] << 16) | (std::size_t{header[3]} << 24);
}

// The size of the message at the start of `data` once all of it is in, else 0.
std::size_t complete_message_size(std::span<const unsigned char> data) {
    if (data.size() < 4) return 0;
    const std::size_t whole = 4 + body_size(data.first<4>());
    return data.size() >= whole ? whole : 0;
}

std::vector<unsigned char> framed(std::size_t body, unsigned char fill) {
    std::vector<unsigned char> m(4 + body, fill);
    m[0] = body & 0xff;
    m[1] = (body >> 8) & 0xff;
    m[2] = (body >> 16) & 0xff;
    m[3] = (body >> 24) & 0xff;
    return m;
}

tcp::socket connect_from(asio::io_context& io, const std::string& source, const tcp::endpoint& to) {
    tcp::socket s(io);
    s.open(tcp::v4());
    if (!source.empty()) s.bind({asio::ip::make_address(source), 0});
    s.connect(to);
    s.set_option(tcp::no_delay(true));
    return s;
}

// ---- echo: the backend ----------------------------------------------------------------------

asio::awaitable<void> answer(tcp::socket s, std::size_t reply_size) {
    std::array<unsigned char, 4> header{};
    std::vector<unsigned char> body;
    for (;;) {
        auto [e1, n1] =
            co_await asio::async_read(s, asio::buffer(header), asio::as_tuple(asio::use_awaitable));
        if (e1) co_return;
        body.resize(body_size(header));
        auto [e2, n2] =
            co_await asio::async_read(s, asio::buffer(body), asio::as_tuple(asio::use_awaitable));
        if (e2) co_return;
        // The reply carries the request's first body byte, so a client can see it got its own.
        std::vector<unsigned char> reply = framed(reply_size, body.empty() ? 0 : body[0]);
        auto [e3, n3] =
            co_await asio::async_write(s, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
        if (e3) co_return;
    }
}

asio::awaitable<void> accept_echo(tcp::acceptor& acceptor, std::size_t reply_size) {
    for (;;) {
        tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
        s.set_option(tcp::no_delay(true));
        asio::co_spawn(acceptor.get_executor(), answer(std::move(s), reply_size), asio::detached);
    }
}

int run_echo(const Options& o) {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, endpoint_of(o.listen));
    asio::co_spawn(io, accept_echo(acceptor, o.reply), asio::detached);
    io.run();
    return 0;
}

// ---- relay on Asio's reactor (epoll), as sqlgate's roles relay ------------------------------

// Reads from `from` until one whole message is in `buffer`, then writes it to `to`.
asio::awaitable<bool> forward_one(tcp::socket& from, tcp::socket& to,
                                  std::array<unsigned char, kBufferSize>& buffer) {
    std::size_t have = 0;
    std::size_t whole = 0;
    while (whole == 0) {
        auto [e, n] =
            co_await from.async_read_some(asio::buffer(buffer.data() + have, buffer.size() - have),
                                          asio::as_tuple(asio::use_awaitable));
        if (e) co_return false;
        have += n;
        whole = complete_message_size(std::span(buffer.data(), have));
        if (whole == 0 && have == buffer.size()) co_return false;
    }
    // As PacketChannel::write_socket does: a message almost always fits the socket's send
    // buffer, so it is written at once, and only a remainder waits for the reactor (an
    // immediate completion would cost the loop a posted handler and one more epoll_wait).
    boost::system::error_code ec;
    if (!to.non_blocking()) to.non_blocking(true, ec);
    const std::size_t written = ec ? 0 : to.write_some(asio::buffer(buffer.data(), have), ec);
    if (ec && ec != asio::error::would_block) co_return false;
    if (written == have) co_return true;
    auto [e, n] =
        co_await asio::async_write(to, asio::buffer(buffer.data() + written, have - written),
                                   asio::as_tuple(asio::use_awaitable));
    co_return !e;
}

asio::awaitable<void> relay_pair(tcp::socket client, tcp::socket backend) {
    auto buffer = std::make_unique<std::array<unsigned char, kBufferSize>>();
    while (co_await forward_one(client, backend, *buffer) &&
           co_await forward_one(backend, client, *buffer)) {
    }
}

// Accepts clients, connects each one's own backend connection and hands both to `relay`.
template <typename Relay>
asio::awaitable<void> accept_pairs(tcp::acceptor& acceptor, Options o, Relay relay) {
    auto& io = static_cast<asio::io_context&>(acceptor.get_executor().context());
    const tcp::endpoint backend = endpoint_of(o.backend);
    for (;;) {
        tcp::socket client = co_await acceptor.async_accept(asio::use_awaitable);
        client.set_option(tcp::no_delay(true));
        relay(std::move(client), connect_from(io, o.source, backend));
    }
}

int run_relay_epoll(const Options& o) {
    asio::io_context io(1);
    tcp::acceptor acceptor(io, endpoint_of(o.listen));
    asio::co_spawn(io,
                   accept_pairs(acceptor, o,
                                [&io](tcp::socket client, tcp::socket backend) {
                                    asio::co_spawn(
                                        io, relay_pair(std::move(client), std::move(backend)),
                                        asio::detached);
                                }),
                   asio::detached);
    io.run();
    return 0;
}

// ---- relay on a hand-written io_uring loop --------------------------------------------------
// One submission per loop iteration carries every send and receive that the completions of
// the previous one made ready; a send is linked to the receive of its answer, so forwarding a
// request and waiting for its reply cost no syscall of their own.

// The next free submission entry, submitting what is queued when none is left.
io_uring_sqe* next_sqe(io_uring& ring) {
    io_uring_sqe* s = io_uring_get_sqe(&ring);
    if (s == nullptr) {
        io_uring_submit(&ring);
        s = io_uring_get_sqe(&ring);
    }
    if (s == nullptr) die("submission queue full");
    return s;
}

// A send linked to the entry queued after it (the receive of its answer). MSG_WAITALL has the
// kernel finish a short send itself, so a send that succeeds posts no completion (nothing to
// do for it) and only a failed one wakes the loop; its failure cancels the receive.
void prep_linked_send(io_uring_sqe* s, int fd, std::span<const unsigned char> bytes,
                      std::uint64_t data) {
    io_uring_prep_send(s, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data64(s, data);
    s->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
}

// Sets up `ring` with `flags`, or with less where the kernel refuses them (DEFER_TASKRUN
// needs 6.1, COOP_TASKRUN 5.19); says which it got.
void open_ring(io_uring& ring, unsigned flags) {
    for (const unsigned attempt : {flags, unsigned{IORING_SETUP_COOP_TASKRUN}, 0u}) {
        io_uring_params params{};
        params.flags = attempt;
        if (const int r = io_uring_queue_init_params(4096, &ring, &params); r == 0) {
            std::fprintf(stderr, "relay_loop_bench: io_uring flags=0x%x\n", params.flags);
            return;
        } else if (attempt == 0) {
            die(std::string("io_uring_queue_init: ") + std::strerror(-r));
        }
    }
}

// The loop's one blocking call: submits what is queued and waits for a completion.
void submit_and_wait(io_uring& ring) {
    const int r = io_uring_submit_and_wait(&ring, 1);
    if (r < 0 && r != -EINTR) die(std::string("io_uring_submit_and_wait: ") + std::strerror(-r));
}

sockaddr_in to_sockaddr(const tcp::endpoint& e) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(e.port());
    a.sin_addr.s_addr = htonl(e.address().to_v4().to_uint());
    return a;
}

// A listening socket on `at`, for the loops that accept through a ring.
int listen_plain(const tcp::endpoint& at) {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr = to_sockaddr(at);
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener, 1024) != 0)
        die(std::string("listen: ") + std::strerror(errno));
    return listener;
}

// A blocking connection to the backend from `source` (setup, not the measured relay), or -1.
int connect_plain(const std::string& source, const tcp::endpoint& to_at) {
    const int one = 1;
    const int backend = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!source.empty()) {
        sockaddr_in from = to_sockaddr({asio::ip::make_address(source), 0});
        ::bind(backend, reinterpret_cast<sockaddr*>(&from), sizeof from);
    }
    sockaddr_in to = to_sockaddr(to_at);
    if (::connect(backend, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        std::fprintf(stderr, "relay_loop_bench: backend connect: %s\n", std::strerror(errno));
        ::close(backend);
        return -1;
    }
    ::setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return backend;
}

// Readies an accepted client and connects its backend; closes the client when that fails.
int backend_for(int client, const std::string& source, const tcp::endpoint& backend_at) {
    const int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const int backend = connect_plain(source, backend_at);
    if (backend < 0) ::close(client);
    return backend;
}

// What both loops of our own share: the ring, the listener, accepting a client and connecting
// its backend, and the loop itself (its one blocking call is io_uring_submit_and_wait).
class OwnLoop {
  public:
    explicit OwnLoop(const Options& o) : options_(o), backend_(endpoint_of(o.backend)) {
        open_ring(ring_, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
        listener_ = listen_plain(endpoint_of(o.listen));
    }
    virtual ~OwnLoop() { io_uring_queue_exit(&ring_); }
    OwnLoop(const OwnLoop&) = delete;
    OwnLoop& operator=(const OwnLoop&) = delete;

    int run() {
        queue_accept();
        for (;;) {
            submit_and_wait(ring_);
            io_uring_cqe* cqe = nullptr;
            unsigned head = 0;
            unsigned seen = 0;
            io_uring_for_each_cqe(&ring_, head, cqe) {
                ++seen;
                if (cqe->user_data == kAccept) {
                    accepted(cqe->res);
                } else {
                    complete(cqe->user_data, cqe->res, cqe->flags);
                }
            }
            io_uring_cq_advance(&ring_, seen);
        }
    }

  protected:
    static constexpr std::uint64_t kAccept = 0;

    io_uring_sqe* sqe() { return next_sqe(ring_); }
    io_uring& ring() { return ring_; }

    // A client and its backend connection, both connected.
    virtual void open_pair(int client, int backend) = 0;
    virtual void complete(std::uint64_t data, int res, unsigned flags) = 0;

  private:
    void queue_accept() {
        io_uring_sqe* s = sqe();
        io_uring_prep_accept(s, listener_, nullptr, nullptr, SOCK_CLOEXEC);
        io_uring_sqe_set_data64(s, kAccept);
    }

    void accepted(int client) {
        queue_accept();
        if (client < 0) return;
        const int backend = backend_for(client, options_.source, backend_);
        if (backend >= 0) open_pair(client, backend);
    }

    Options options_;
    tcp::endpoint backend_;
    io_uring ring_{};
    int listener_ = -1;
};

enum class Op : std::uintptr_t {
    recv_client = 1,
    send_backend = 2,
    recv_backend = 3,
    send_client = 4
};

// Pairs are kept (not freed) once closed: an operation still in flight may name one.
struct Pair {
    int client = -1;
    int backend = -1;
    bool open = true;
    std::size_t have = 0;
    std::size_t to_send = 0;
    std::size_t sent = 0;
    alignas(8) std::array<unsigned char, kBufferSize> buffer{};

    void close() {
        if (!open) return;
        open = false;
        ::close(client);
        ::close(backend);
    }
};

std::uint64_t tag(Pair* p, Op op) {
    return reinterpret_cast<std::uintptr_t>(p) | static_cast<std::uintptr_t>(op);
}

// Each pair receives into its own buffer; forwarding a message queues its send linked to the
// receive of the answer.
class LinkedRelay final : public OwnLoop {
  public:
    using OwnLoop::OwnLoop;

  private:
    void queue_recv(Pair& p, int fd, Op op) {
        io_uring_sqe* s = sqe();
        io_uring_prep_recv(s, fd, p.buffer.data() + p.have, p.buffer.size() - p.have, 0);
        io_uring_sqe_set_data64(s, tag(&p, op));
    }

    // The send of a whole message, then the receive of what comes back on the other side.
    void queue_send_then_recv(Pair& p, int to, Op send, int answer_from, Op recv) {
        prep_linked_send(sqe(), to, std::span(p.buffer.data() + p.sent, p.to_send - p.sent),
                         tag(&p, send));
        p.have = 0;
        queue_recv(p, answer_from, recv);
    }

    void open_pair(int client, int backend) override {
        Pair& p = *pairs_.emplace_back(std::make_unique<Pair>());
        p.client = client;
        p.backend = backend;
        queue_recv(p, client, Op::recv_client);
    }

    void received(Pair& p, int res, int from, Op again, int to, Op send, Op answer) {
        if (res == -ECANCELED) return;  // the send it was linked to came up short; resent below
        if (res <= 0) return p.close();
        p.have += static_cast<std::size_t>(res);
        if (complete_message_size(std::span(p.buffer.data(), p.have)) == 0) {
            if (p.have == p.buffer.size()) return p.close();
            return queue_recv(p, from, again);
        }
        p.to_send = p.have;
        p.sent = 0;
        queue_send_then_recv(p, to, send, from == p.client ? p.backend : p.client, answer);
    }

    void sent(Pair& p, int res, int to, Op send, int answer_from, Op recv) {
        if (res <= 0) return p.close();
        p.sent += static_cast<std::size_t>(res);
        if (p.sent < p.to_send) queue_send_then_recv(p, to, send, answer_from, recv);
    }

    void complete(std::uint64_t data, int res, unsigned) override {
        Pair& p = *reinterpret_cast<Pair*>(data & ~std::uint64_t{7});
        if (!p.open) return;
        switch (static_cast<Op>(data & 7)) {
            case Op::recv_client:
                return received(p, res, p.client, Op::recv_client, p.backend, Op::send_backend,
                                Op::recv_backend);
            case Op::send_backend:
                return sent(p, res, p.backend, Op::send_backend, p.backend, Op::recv_backend);
            case Op::recv_backend:
                return received(p, res, p.backend, Op::recv_backend, p.client, Op::send_client,
                                Op::recv_client);
            case Op::send_client:
                return sent(p, res, p.client, Op::send_client, p.client, Op::recv_client);
        }
    }

    std::deque<std::unique_ptr<Pair>> pairs_;
};

// No buffer of a pair's own: one multishot receive per socket stays armed and takes its bytes
// from a ring of buffers the loop provides (a connection owns memory only while a message is
// incomplete or being sent), and the sockets are registered with the ring (fixed files: the
// kernel skips looking each descriptor up per operation).
class MultishotRelay final : public OwnLoop {
  public:
    explicit MultishotRelay(const Options& o) : OwnLoop(o) {
        if (const int r = io_uring_register_files_sparse(&ring(), kFiles); r < 0)
            die(std::string("io_uring_register_files_sparse: ") + std::strerror(-r));
        const std::size_t ring_bytes = kBuffers * sizeof(io_uring_buf);
        void* mem =
            ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
        if (mem == MAP_FAILED) die("mmap of the buffer ring failed");
        buffer_ring_ = static_cast<io_uring_buf_ring*>(mem);
        io_uring_buf_ring_init(buffer_ring_);
        io_uring_buf_reg reg{};
        reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
        reg.ring_entries = kBuffers;
        reg.bgid = kGroup;
        if (const int r = io_uring_register_buf_ring(&ring(), &reg, 0); r < 0)
            die(std::string("io_uring_register_buf_ring: ") + std::strerror(-r));
        buffers_ = std::make_unique_for_overwrite<unsigned char[]>(kBuffers * kBufferSize);
        for (unsigned i = 0; i < kBuffers; ++i)
            give_back(static_cast<std::uint16_t>(i));
    }

  private:
    static constexpr unsigned kFiles = 4096;
    static constexpr unsigned kBuffers = 256;
    static constexpr std::uint16_t kGroup = 1;

    struct Side {
        int fd = -1;
        std::vector<unsigned char> incoming;  // a message from this side, not whole yet
        std::vector<unsigned char> outgoing;  // the message last sent to this side
    };
    struct Link {
        std::array<Side, 2> side;  // 0 the client, 1 its backend
        bool open = true;
    };

    void give_back(std::uint16_t id) {
        io_uring_buf_ring_add(buffer_ring_, buffers_.get() + std::size_t{id} * kBufferSize,
                              kBufferSize, id, io_uring_buf_ring_mask(kBuffers), 0);
        io_uring_buf_ring_advance(buffer_ring_, 1);
    }

    void arm(Link& l, unsigned side) {
        io_uring_sqe* s = sqe();
        io_uring_prep_recv_multishot(s, l.side[side].fd, nullptr, 0, 0);
        s->flags |= IOSQE_BUFFER_SELECT | IOSQE_FIXED_FILE;
        s->buf_group = kGroup;
        io_uring_sqe_set_data64(s, reinterpret_cast<std::uintptr_t>(&l) | side);
    }

    void open_pair(int client, int backend) override {
        if (client >= static_cast<int>(kFiles) || backend >= static_cast<int>(kFiles)) {
            ::close(client);
            ::close(backend);
            return;
        }
        // The descriptor's number is its index in the registered table.
        io_uring_register_files_update(&ring(), client, &client, 1);
        io_uring_register_files_update(&ring(), backend, &backend, 1);
        Link& l = *links_.emplace_back(std::make_unique<Link>());
        l.side[0].fd = client;
        l.side[1].fd = backend;
        arm(l, 0);
        arm(l, 1);
    }

    void close(Link& l) {
        if (!l.open) return;
        l.open = false;
        for (Side& s : l.side) {
            ::close(s.fd);
            s.incoming = {};
            s.outgoing = {};
        }
    }

    void complete(std::uint64_t data, int res, unsigned flags) override {
        Link& l = *reinterpret_cast<Link*>(data & ~std::uint64_t{7});
        const unsigned from = data & 1;
        if ((data & 2) != 0) {  // a send's failure (successful sends post nothing)
            return close(l);
        }
        if (flags & IORING_CQE_F_BUFFER) {
            const auto id = static_cast<std::uint16_t>(flags >> IORING_CQE_BUFFER_SHIFT);
            if (l.open && res > 0) {
                Side& in = l.side[from];
                const unsigned char* bytes = buffers_.get() + std::size_t{id} * kBufferSize;
                in.incoming.insert(in.incoming.end(), bytes, bytes + res);
            }
            give_back(id);
        }
        if (!l.open) return;
        if (res <= 0 && res != -ENOBUFS) return close(l);
        if ((flags & IORING_CQE_F_MORE) == 0) arm(l, from);
        Side& in = l.side[from];
        if (complete_message_size(in.incoming) == 0) return;
        // Bytes from a side answer what was sent to it, so that send is over and its buffer
        // free; the whole message goes out from the other side's `outgoing`, untouched until
        // its answer arrives. Swapping keeps both buffers' room for the next messages.
        Side& out = l.side[from ^ 1];
        std::swap(in.incoming, out.outgoing);
        in.incoming.clear();
        io_uring_sqe* s = sqe();
        io_uring_prep_send(s, out.fd, out.outgoing.data(), out.outgoing.size(),
                           MSG_NOSIGNAL | MSG_WAITALL);
        s->flags |= IOSQE_FIXED_FILE | IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(s, reinterpret_cast<std::uintptr_t>(&l) | 2 | (from ^ 1));
    }

    io_uring_buf_ring* buffer_ring_ = nullptr;
    std::unique_ptr<unsigned char[]> buffers_;
    std::deque<std::unique_ptr<Link>> links_;
};

// ---- Asio's coroutines on a ring -------------------------------------------------------------
// The sockets' sends and receives go through a ring and complete Asio coroutines, driven one of
// two ways. `uring-in-asio`: Asio's reactor watches the ring's descriptor and one posted
// handler per loop iteration submits what the resumed coroutines queued; it keeps Asio's
// timers, acceptor and posts between threads, and pays a wake-up, a re-arm and a submit per
// iteration. `uring-coroutines`: a loop of our own whose one blocking call is
// io_uring_submit_and_wait, with the io_context only a queue of handlers (no Asio socket or
// timer on it, so Asio never creates its reactor and polling it costs no syscall) — how the
// roles' worker threads would run on io_uring.

class CoroutineRing {
  public:
    enum class Drive { asio_reactor, own_loop };

    CoroutineRing(asio::io_context& io, Drive drive) : io_(io), drive_(drive) {
        open_ring(ring_, IORING_SETUP_SINGLE_ISSUER |
                             (drive == Drive::own_loop ? IORING_SETUP_DEFER_TASKRUN
                                                       : IORING_SETUP_COOP_TASKRUN));
        if (drive == Drive::asio_reactor) {
            watch_.emplace(io);
            watch_->assign(::dup(ring_.ring_fd));
            arm();
        }
    }
    ~CoroutineRing() { io_uring_queue_exit(&ring_); }
    CoroutineRing(const CoroutineRing&) = delete;
    CoroutineRing& operator=(const CoroutineRing&) = delete;

    // The own loop: the handlers Asio has queued, then one submit-and-wait, then the
    // completions (which resume their coroutines).
    void run() {
        const auto work = asio::make_work_guard(io_);
        for (;;) {
            io_.poll();
            submit_and_wait(ring_);
            reap();
        }
    }

    // Completes with the accepted descriptor or an error.
    template <typename Token>
    auto async_accept(int listener, Token&& token) {
        return asio::async_initiate<Token, void(int)>(
            [this, listener](auto handler) {
                auto op = std::make_unique<Op>(std::move(handler));
                io_uring_sqe* s = sqe();
                io_uring_prep_accept(s, listener, nullptr, nullptr, SOCK_CLOEXEC);
                io_uring_sqe_set_data64(s, reinterpret_cast<std::uintptr_t>(op.release()));
            },
            token);
    }

    // Sends `out` on `to` (the kernel finishes a short send) and then receives into `in` from
    // `from`; completes with the receive's result, or the send's error.
    template <typename Token>
    auto async_send_then_recv(int to, std::span<const unsigned char> out, int from,
                              std::span<unsigned char> in, Token&& token) {
        return asio::async_initiate<Token, void(int)>(
            [this, to, out, from, in](auto handler) {
                auto op = std::make_unique<Op>(std::move(handler));
                prep_linked_send(sqe(), to, out, reinterpret_cast<std::uintptr_t>(op.get()) | 1);
                queue_recv(from, in, std::move(op));
            },
            token);
    }

    template <typename Token>
    auto async_recv(int from, std::span<unsigned char> in, Token&& token) {
        return asio::async_initiate<Token, void(int)>(
            [this, from, in](auto handler) {
                queue_recv(from, in, std::make_unique<Op>(std::move(handler)));
            },
            token);
    }

  private:
    struct Op {
        asio::any_completion_handler<void(int)> handler;
        int send_error = 0;
    };

    io_uring_sqe* sqe() {
        io_uring_sqe* s = next_sqe(ring_);
        if (drive_ == Drive::asio_reactor && !flush_posted_) {
            flush_posted_ = true;
            asio::post(io_, [this] {
                flush_posted_ = false;
                io_uring_submit(&ring_);
            });
        }
        return s;
    }

    void queue_recv(int from, std::span<unsigned char> in, std::unique_ptr<Op> op) {
        io_uring_sqe* recv = sqe();
        io_uring_prep_recv(recv, from, in.data(), in.size(), 0);
        io_uring_sqe_set_data64(recv, reinterpret_cast<std::uintptr_t>(op.release()));
    }

    void arm() {
        watch_->async_wait(asio::posix::stream_descriptor::wait_read,
                           [this](boost::system::error_code ec) {
                               if (ec) return;
                               reap();
                               arm();
                           });
    }

    void reap() {
        io_uring_cqe* cqe = nullptr;
        unsigned head = 0;
        unsigned seen = 0;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            ++seen;
            auto* op = reinterpret_cast<Op*>(cqe->user_data & ~std::uint64_t{1});
            if (cqe->user_data & 1)
                op->send_error = cqe->res < 0 ? cqe->res : -EPIPE;
            else
                done_.emplace_back(op, cqe->res);
        }
        io_uring_cq_advance(&ring_, seen);
        for (auto [raw, res] : done_) {
            std::unique_ptr<Op> op(raw);
            auto handler = std::move(op->handler);
            const int result = op->send_error != 0 ? op->send_error : res;
            op.reset();
            std::move(handler)(result);
        }
        done_.clear();
    }

    asio::io_context& io_;
    Drive drive_;
    io_uring ring_{};
    std::optional<asio::posix::stream_descriptor> watch_;  // the ring, for Asio's reactor
    bool flush_posted_ = false;
    std::vector<std::pair<Op*, int>> done_;  // handlers run after the ring is advanced
};

// Reads from `from` until one whole message is in `buffer` (`have` bytes already in).
asio::awaitable<bool> ring_read_message(CoroutineRing& ring, int from,
                                        std::array<unsigned char, kBufferSize>& buffer,
                                        std::size_t& have) {
    while (complete_message_size(std::span(buffer.data(), have)) == 0) {
        if (have == buffer.size()) co_return false;
        const int n = co_await ring.async_recv(
            from, std::span(buffer.data() + have, buffer.size() - have), asio::use_awaitable);
        if (n <= 0) co_return false;
        have += static_cast<std::size_t>(n);
    }
    co_return true;
}

asio::awaitable<void> ring_relay_pair(CoroutineRing& ring, int client, int backend) {
    auto buffer = std::make_unique<std::array<unsigned char, kBufferSize>>();
    std::size_t have = 0;
    int from = client;
    int to = backend;
    while (co_await ring_read_message(ring, from, *buffer, have)) {
        // The whole message goes out and the answer is awaited in one step.
        const std::size_t whole = have;
        const int n = co_await ring.async_send_then_recv(
            to, std::span<const unsigned char>(buffer->data(), whole), to,
            std::span(buffer->data(), buffer->size()), asio::use_awaitable);
        if (n <= 0) break;
        have = static_cast<std::size_t>(n);
        std::swap(from, to);
    }
    ::close(client);
    ::close(backend);
}

int run_relay_ring_in_asio(const Options& o) {
    asio::io_context io(1);
    CoroutineRing ring(io, CoroutineRing::Drive::asio_reactor);
    tcp::acceptor acceptor(io, endpoint_of(o.listen));
    asio::co_spawn(io,
                   accept_pairs(acceptor, o,
                                [&io, &ring](tcp::socket client, tcp::socket backend) {
                                    // Out of Asio's reactor: only the ring watches these.
                                    asio::co_spawn(
                                        io,
                                        ring_relay_pair(ring, client.release(), backend.release()),
                                        asio::detached);
                                }),
                   asio::detached);
    io.run();
    return 0;
}

// Accepts through the ring and connects each client's backend (a blocking connect: setup,
// not the measured relay), then relays the pair on the ring.
asio::awaitable<void> accept_on_ring(CoroutineRing& ring, int listener, Options o) {
    auto& io = static_cast<asio::io_context&>((co_await asio::this_coro::executor).context());
    const tcp::endpoint backend_at = endpoint_of(o.backend);
    for (;;) {
        const int client = co_await ring.async_accept(listener, asio::use_awaitable);
        if (client < 0) continue;
        const int backend = backend_for(client, o.source, backend_at);
        if (backend < 0) continue;
        asio::co_spawn(io, ring_relay_pair(ring, client, backend), asio::detached);
    }
}

int run_relay_coroutines(const Options& o) {
    asio::io_context io(1);
    CoroutineRing ring(io, CoroutineRing::Drive::own_loop);
    const int listener = listen_plain(endpoint_of(o.listen));
    asio::co_spawn(io, accept_on_ring(ring, listener, o), asio::detached);
    ring.run();
    return 0;
}

// ---- clients --------------------------------------------------------------------------------

std::chrono::steady_clock::duration seconds_of(double seconds) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds));
}

struct ClientTally {
    std::uint64_t round_trips = 0;
    std::uint64_t wrong = 0;
};

asio::awaitable<void> client_loop(tcp::socket s, unsigned char id, std::size_t request_size,
                                  std::size_t reply_size, std::chrono::steady_clock::time_point end,
                                  std::chrono::steady_clock::duration hold, ClientTally& tally) {
    std::vector<unsigned char> request = framed(request_size, id);
    std::vector<unsigned char> reply(4 + reply_size);
    while (std::chrono::steady_clock::now() < end) {
        auto [e1, n1] = co_await asio::async_write(s, asio::buffer(request),
                                                   asio::as_tuple(asio::use_awaitable));
        if (e1) break;
        auto [e2, n2] =
            co_await asio::async_read(s, asio::buffer(reply), asio::as_tuple(asio::use_awaitable));
        if (e2) break;
        if (complete_message_size(reply) != reply.size() || (reply_size > 0 && reply[4] != id))
            ++tally.wrong;
        ++tally.round_trips;
    }
    // Idle, still connected: what the relay keeps for a connection that waits.
    asio::steady_timer idle(s.get_executor(), hold);
    co_await idle.async_wait(asio::as_tuple(asio::use_awaitable));
}

int run_clients(const Options& o) {
    asio::io_context io(1);
    const tcp::endpoint target = endpoint_of(o.target);
    std::vector<tcp::socket> sockets;
    for (int i = 0; i < o.clients; ++i)
        sockets.push_back(connect_from(io, o.source, target));
    ClientTally tally;
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + seconds_of(o.seconds);
    for (int i = 0; i < o.clients; ++i)
        asio::co_spawn(io,
                       client_loop(std::move(sockets[i]), static_cast<unsigned char>(1 + i % 250),
                                   o.request, o.reply, end, seconds_of(o.hold), tally),
                       asio::detached);
    // A relay that loses a message would leave a client waiting for ever: give up 10 s late.
    io.run_for(seconds_of(o.seconds + o.hold + 10));
    if (!io.stopped()) {
        std::printf("clients=%d stalled: an answer never came\n", o.clients);
        return 1;
    }
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - o.hold;
    std::printf("clients=%d seconds=%.3f round_trips=%llu wrong=%llu per_second=%.1f\n", o.clients,
                took, static_cast<unsigned long long>(tally.round_trips),
                static_cast<unsigned long long>(tally.wrong), tally.round_trips / took);
    return tally.wrong == 0 && tally.round_trips > 0 ? 0 : 1;
}

Options parse(int argc, char** argv) {
    if (argc < 2) die("usage: relay_loop_bench echo|relay|clients [--options]");
    Options o;
    o.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (i + 1 >= argc) die("missing value after " + std::string(flag));
        const std::string value = argv[++i];
        if (flag == "--listen")
            o.listen = value;
        else if (flag == "--backend")
            o.backend = value;
        else if (flag == "--target")
            o.target = value;
        else if (flag == "--source")
            o.source = value;
        else if (flag == "--loop")
            o.loop = value;
        else if (flag == "--clients")
            o.clients = std::stoi(value);
        else if (flag == "--hold")
            o.hold = std::stod(value);
        else if (flag == "--seconds")
            o.seconds = std::stod(value);
        else if (flag == "--request")
            o.request = std::stoul(value);
        else if (flag == "--reply")
            o.reply = std::stoul(value);
        else
            die("unknown option " + std::string(flag));
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    try {
        if (o.mode == "echo") return run_echo(o);
        if (o.mode == "clients") return run_clients(o);
        if (o.mode == "relay" && o.loop == "epoll") return run_relay_epoll(o);
        if (o.mode == "relay" && o.loop == "uring") return LinkedRelay(o).run();
        if (o.mode == "relay" && o.loop == "uring-multishot") return MultishotRelay(o).run();
        if (o.mode == "relay" && o.loop == "uring-in-asio") return run_relay_ring_in_asio(o);
        if (o.mode == "relay" && o.loop == "uring-coroutines") return run_relay_coroutines(o);
    } catch (const std::exception& e) {
        die(e.what());
    }
    die("unknown mode or loop");
}
