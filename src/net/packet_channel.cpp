#include "net/packet_channel.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <utility>

#include "mysql/packet.hpp"
#include "net/errors.hpp"

namespace sqlgate::net {
namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
using mysql::kHeaderSize;
using mysql::kMaxPayload;

}  // namespace

PacketChannel::PacketChannel(tcp::socket socket)
    : executor_(socket.get_executor()), ring_(RingLoop::of_executor(executor_)) {
    if (ring_ == nullptr) {
        socket_.emplace(std::move(socket));
        return;
    }
    // A socket of a ring's thread: the ring does its I/O, Asio's reactor must not watch it.
    error_code ec;
    const int fd = socket.release(ec);
    fd_ = ec ? -1 : fd;
}

PacketChannel::PacketChannel(const boost::asio::any_io_executor& executor, int fd)
    : executor_(executor), ring_(RingLoop::of_executor(executor)) {
    if (ring_ != nullptr) {
        fd_ = fd;
        return;
    }
    error_code ec;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    socket_.emplace(executor);
    socket_->assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) ::close(fd);
}

PacketChannel::PacketChannel(const boost::asio::any_io_executor& executor)
    : executor_(executor), ring_(RingLoop::of_executor(executor)) {
    if (ring_ == nullptr) socket_.emplace(executor);
}

PacketChannel::PacketChannel(PacketChannel&& other) noexcept
    : executor_(other.executor_),
      socket_(std::move(other.socket_)),
      ring_(other.ring_),
      fd_(std::exchange(other.fd_, -1)),
      closed_(other.closed_),
      ring_operations_(std::exchange(other.ring_operations_, 0)),
      send_in_flight_(std::exchange(other.send_in_flight_, nullptr)),
      send_error_(other.send_error_),
      answers_follow_(other.answers_follow_),
      replies_behind_(std::exchange(other.replies_behind_, 0)),
      tls_(std::move(other.tls_)),
      ciphertext_in_(std::move(other.ciphertext_in_)),
      ciphertext_out_(std::move(other.ciphertext_out_)),
      buffer_(std::move(other.buffer_)),
      capacity_(std::exchange(other.capacity_, 0)),
      filled_last_read_(other.filled_last_read_),
      begin_(std::exchange(other.begin_, 0)),
      end_(std::exchange(other.end_, 0)),
      relayed_(other.relayed_),
      frame_(std::move(other.frame_)),
      edited_(std::move(other.edited_)) {
    if (send_in_flight_ != nullptr) ring_->move_send(send_in_flight_, this);
}

PacketChannel::~PacketChannel() {
    // A ring's awaited operations have all completed by now: a coroutine's frame, which owns
    // its channels, lives until its operation completes (or the ring drains them at
    // shutdown). A copied send may not have: the ring closes the descriptor after it.
    if (send_in_flight_ != nullptr) {
        ring_->abandon_send(send_in_flight_, std::exchange(fd_, -1), kSendLinger);
    }
    if (fd_ >= 0) ::close(fd_);
}

awaitable<error_code> PacketChannel::connect(
    const tcp::endpoint& to, const std::optional<boost::asio::ip::address>& source) {
    answers_follow_ = true;  // a server: it answers what it is sent
    if (ring_ == nullptr) {
        error_code ec;
        socket_->open(to.protocol(), ec);
        if (!ec) socket_->set_option(tcp::no_delay(true), ec);
        if (!ec && source) socket_->bind(tcp::endpoint(*source, 0), ec);
        if (ec) co_return ec;
        auto [connect_ec] = co_await socket_->async_connect(to, use_tuple);
        co_return connect_ec;
    }
    if (fd_ >= 0 || closed_) co_return boost::asio::error::already_open;
    fd_ = ::socket(to.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd_ < 0) co_return error_code(errno, boost::system::system_category());
    set_no_delay();
    if (source) {
        const tcp::endpoint local(*source, 0);
        if (::bind(fd_, local.data(), static_cast<socklen_t>(local.size())) != 0) {
            co_return error_code(errno, boost::system::system_category());
        }
    }
    ++ring_operations_;
    auto [ec, n] =
        co_await ring_->async_connect(fd_, to.data(), static_cast<socklen_t>(to.size()), use_tuple);
    ring_operation_done();
    if (!ec && closed_) ec = boost::asio::error::operation_aborted;
    co_return ec;
}

tcp::endpoint PacketChannel::remote_endpoint(error_code& ec) const {
    if (socket_) return socket_->remote_endpoint(ec);
    tcp::endpoint peer;
    socklen_t length = static_cast<socklen_t>(peer.capacity());
    if (fd_ < 0 || ::getpeername(fd_, peer.data(), &length) != 0) {
        ec = fd_ < 0 ? boost::asio::error::bad_descriptor
                     : error_code(errno, boost::system::system_category());
        return {};
    }
    peer.resize(length);
    ec = {};
    return peer;
}

void PacketChannel::set_no_delay() {
    error_code ignored;
    if (socket_) {
        socket_->set_option(tcp::no_delay(true), ignored);
    } else if (fd_ >= 0) {
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
}

bool PacketChannel::is_open() const {
    return socket_ ? socket_->is_open() : fd_ >= 0 && !closed_;
}

void PacketChannel::close() {
    // No TLS close_notify: the peer learns of the close from the TCP FIN, and waiting for
    // its answer would let a slow peer hold the session open.
    if (socket_) {
        error_code ignored;
        socket_->shutdown(tcp::socket::shutdown_both, ignored);
        socket_->close(ignored);
        return;
    }
    if (fd_ < 0 || closed_) return;
    closed_ = true;
    if (send_in_flight_ != nullptr) {
        // The last message (an error, a goodbye) may still wait for its submission: only
        // receiving ends now, and the descriptor closes once the send has ended, or has
        // been cut short for a peer that stopped reading.
        ::shutdown(fd_, SHUT_RD);
        ring_->limit_send(send_in_flight_, kSendLinger);
        return;
    }
    // A pending receive ends with end of stream, a pending send with an error; a connect
    // (which shutdown does not end) is cancelled.
    ::shutdown(fd_, SHUT_RDWR);
    if (ring_operations_ == 0) {
        ::close(std::exchange(fd_, -1));
    } else {
        ring_->cancel(fd_);
    }
}

void PacketChannel::ring_operation_done() {
    --ring_operations_;
    close_when_unused();
}

void PacketChannel::send_copied(void* self, error_code ec) {
    auto& channel = *static_cast<PacketChannel*>(self);
    channel.send_in_flight_ = nullptr;
    if (ec && !channel.send_error_) channel.send_error_ = ec;
    channel.close_when_unused();
}

void PacketChannel::close_when_unused() {
    if (closed_ && ring_operations_ == 0 && send_in_flight_ == nullptr && fd_ >= 0) {
        ::close(std::exchange(fd_, -1));
    }
}

awaitable<std::pair<error_code, std::size_t>> PacketChannel::receive_some(
    std::span<std::uint8_t> into) {
    if (socket_) {
        auto [ec, n] = co_await socket_->async_read_some(
            boost::asio::buffer(into.data(), into.size()), use_tuple);
        co_return std::pair{ec, n};
    }
    if (fd_ < 0 || closed_) co_return std::pair{error_code(boost::asio::error::bad_descriptor), 0};
    if (send_error_) co_return std::pair{send_error_, 0};
    ++ring_operations_;
    auto [ec, n] = co_await ring_->async_recv(fd_, into, false, use_tuple);
    ring_operation_done();
    // A send that failed meanwhile broke the stream, whatever the receive got.
    co_return std::pair{send_error_ ? send_error_ : ec, n};
}

awaitable<error_code> PacketChannel::receive_exact(std::span<std::uint8_t> into) {
    if (socket_) {
        auto [ec, n] = co_await boost::asio::async_read(
            *socket_, boost::asio::buffer(into.data(), into.size()), use_tuple);
        co_return ec;
    }
    if (fd_ < 0 || closed_) co_return boost::asio::error::bad_descriptor;
    if (send_error_) co_return send_error_;
    ++ring_operations_;
    auto [ec, n] = co_await ring_->async_recv(fd_, into, true, use_tuple);
    ring_operation_done();
    co_return send_error_ ? send_error_ : ec;
}

void PacketChannel::resize_buffer(std::size_t capacity) {
    auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
    if (end_ > begin_) std::memcpy(bigger.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    buffer_ = std::move(bigger);
    capacity_ = capacity;
}

awaitable<error_code> PacketChannel::fill() {
    if (begin_ == end_) begin_ = end_ = 0;
    if (capacity_ == 0) {
        resize_buffer(kSmallBuffer);
    } else if (capacity_ < kLargeBuffer && (filled_last_read_ || end_ == capacity_)) {
        // The last read took all the room there was (more was likely waiting: a result
        // being relayed), or one message fills it all.
        resize_buffer(kLargeBuffer);
    } else if (end_ == capacity_) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    const std::span<std::uint8_t> space(buffer_.get() + end_, capacity_ - end_);
    if (!tls_) {
        auto [ec, n] = co_await receive_some(space);
        end_ += n;
        filled_last_read_ = n == space.size();
        co_return ec;
    }
    for (;;) {
        std::size_t n = 0;
        const TlsSession::Step step = tls_->read(space, n);
        if (step == TlsSession::Step::done) {
            end_ += n;
            filled_last_read_ = n == space.size();
            co_return error_code{};
        }
        // Reading may produce records to send (a TLS 1.3 key update, for one).
        if (auto ec = co_await continue_tls(step)) co_return ec;
    }
}

awaitable<error_code> PacketChannel::continue_tls(TlsSession::Step step) {
    if (auto ec = co_await flush_ciphertext()) co_return ec;
    if (step == TlsSession::Step::closed) co_return boost::asio::error::eof;
    if (step == TlsSession::Step::failed) co_return tls_->error();
    co_return co_await read_ciphertext();
}

awaitable<error_code> PacketChannel::read_ciphertext() {
    auto [ec, n] = co_await receive_some(*ciphertext_in_);
    if (n > 0) tls_->feed(mysql::ByteView(ciphertext_in_->data(), n));
    co_return ec;
}

awaitable<error_code> PacketChannel::flush_ciphertext() {
    if (!tls_->has_output()) co_return error_code{};
    ciphertext_out_.clear();
    tls_->take_output(ciphertext_out_);
    const boost::asio::const_buffer bytes(ciphertext_out_.data(), ciphertext_out_.size());
    co_return co_await write_socket(std::span(&bytes, 1));
}

awaitable<error_code> PacketChannel::write_all(std::span<const boost::asio::const_buffer> buffers) {
    if (!tls_) co_return co_await write_socket(buffers);
    for (const auto& b : buffers) {
        const mysql::ByteView plain(static_cast<const std::uint8_t*>(b.data()), b.size());
        // Anything but done (a TLS 1.2 renegotiation wanting input) would drop the message
        // silently; it ends the connection instead.
        const TlsSession::Step step = tls_->write(plain);
        if (step == TlsSession::Step::failed) co_return tls_->error();
        if (step != TlsSession::Step::done) co_return make_error(NetError::unexpected_data);
    }
    co_return co_await flush_ciphertext();
}

awaitable<error_code> PacketChannel::write_socket(
    std::span<const boost::asio::const_buffer> buffers) {
    if (!socket_) {
        // The ring sends it all: a send that does not fit the socket's buffer waits in the
        // kernel, and sends of one loop iteration go in one submission.
        if (fd_ < 0 || closed_) co_return boost::asio::error::bad_descriptor;
        if (send_in_flight_ != nullptr) {
            ++ring_operations_;  // the descriptor stays open while this write waits
            co_await ring_->async_wait_send(send_in_flight_, use_tuple);
            ring_operation_done();
        }
        if (send_error_) co_return send_error_;
        if (fd_ < 0 || closed_) co_return boost::asio::error::bad_descriptor;
        std::array<iovec, kMaxWriteBuffers> vectors{};
        std::size_t first = 0;
        std::size_t total = 0;
        const std::size_t count = std::min(buffers.size(), kMaxWriteBuffers);
        for (std::size_t i = 0; i < count; ++i) {
            vectors[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};
            total += buffers[i].size();
        }
        const bool queued = ring_->has_queued();
        if (total <= RingLoop::kSendCopyMax && (answers_follow_ || queued)) {
            send_in_flight_ = ring_->send_copy(fd_, std::span(vectors.data(), count),
                                               answers_follow_, &send_copied, this);
            co_return error_code{};
        }
        if (!queued) {
            // Nothing else waits for a submission (one busy session, not many): sending now
            // costs the syscall a submission would, holds no copy, and spares the coroutine
            // a suspension and the loop an iteration. Under load the ring batches instead.
            msghdr message{};
            message.msg_iov = vectors.data();
            message.msg_iovlen = count;
            const ssize_t sent = ::sendmsg(fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                co_return error_code(errno, boost::system::system_category());
            }
            std::size_t skip = sent > 0 ? static_cast<std::size_t>(sent) : 0;
            for (; first < count && skip >= vectors[first].iov_len; ++first)
                skip -= vectors[first].iov_len;
            if (first == count) co_return error_code{};
            vectors[first].iov_base = static_cast<std::uint8_t*>(vectors[first].iov_base) + skip;
            vectors[first].iov_len -= skip;
        }
        ++ring_operations_;
        auto [ec, n] = co_await ring_->async_send(
            fd_, std::span(vectors.data() + first, count - first), use_tuple);
        ring_operation_done();
        co_return ec;
    }
    // A message almost always fits the socket's send buffer: writing it at once, without
    // blocking, spares the event loop a completion to post and an extra poll per message.
    error_code ec;
    if (!socket_->non_blocking()) socket_->non_blocking(true, ec);
    std::size_t written = ec ? 0 : socket_->write_some(buffers, ec);
    if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
        co_return ec;
    }
    std::array<boost::asio::const_buffer, kMaxWriteBuffers> rest{};
    std::size_t count = 0;
    for (const auto& b : buffers) {
        const std::size_t skip = std::min(written, b.size());
        written -= skip;
        if (b.size() > skip) rest[count++] = b + skip;
    }
    if (count == 0) co_return error_code{};
    auto [ec2, n] = co_await boost::asio::async_write(
        *socket_, std::span<const boost::asio::const_buffer>(rest.data(), count), use_tuple);
    co_return ec2;
}

awaitable<error_code> PacketChannel::start_tls(boost::asio::ssl::context& context, TlsSide side) {
    if (tls_ || begin_ != end_) co_return make_error(NetError::unexpected_data);
    tls_ = TlsSession::create(context.native_handle(), side == TlsSide::client
                                                           ? TlsSession::Side::client
                                                           : TlsSession::Side::server);
    if (!tls_) co_return boost::asio::error::no_memory;
    ciphertext_in_ = std::make_unique_for_overwrite<std::array<std::uint8_t, kCiphertextChunk>>();
    for (;;) {
        const TlsSession::Step step = tls_->handshake();
        // The last flight (a client's Finished) still has to reach the peer.
        if (step == TlsSession::Step::done) co_return co_await flush_ciphertext();
        if (auto ec = co_await continue_tls(step)) co_return ec;
    }
}

awaitable<error_code> PacketChannel::read_first_message(mysql::Bytes& payload,
                                                        std::uint8_t& sequence,
                                                        std::size_t max_size) {
    if (begin_ != end_) co_return make_error(NetError::unexpected_data);
    std::array<std::uint8_t, kHeaderSize> header_bytes{};
    if (auto ec = co_await receive_exact(header_bytes)) co_return ec;
    const mysql::PacketHeader header = mysql::decode_header(header_bytes.data());
    // A first message is small; a split one is not a handshake any client sends.
    if (header.length > max_size || header.length >= kMaxPayload) {
        co_return make_error(NetError::message_too_large);
    }
    sequence = header.sequence;
    payload.resize(header.length);
    if (payload.empty()) co_return error_code{};
    co_return co_await receive_exact(payload);
}

awaitable<error_code> PacketChannel::read_message(mysql::Bytes& payload, std::uint8_t& sequence,
                                                  std::size_t max_size,
                                                  std::uint8_t* first_sequence) {
    payload.clear();
    std::size_t total = 0;
    bool first = true;
    for (;;) {
        while (end_ - begin_ < kHeaderSize) {
            if (auto ec = co_await fill()) co_return ec;
        }
        const mysql::PacketHeader header = mysql::decode_header(buffer_.get() + begin_);
        begin_ += kHeaderSize;
        if (first && first_sequence != nullptr) *first_sequence = header.sequence;
        if (!first && header.sequence != static_cast<std::uint8_t>(sequence + 1)) {
            co_return make_error(NetError::malformed_packet);
        }
        first = false;
        sequence = header.sequence;
        total += header.length;
        // An oversized message is still read to its end (and dropped) so that the stream
        // stays in step and the peer can be told and keep its connection.
        const bool keep = total <= max_size;
        std::size_t left = header.length;
        while (left > 0) {
            if (begin_ == end_) {
                if (auto ec = co_await fill()) co_return ec;
            }
            const std::size_t n = std::min(left, end_ - begin_);
            if (keep) {
                payload.insert(payload.end(), buffer_.get() + begin_, buffer_.get() + begin_ + n);
            }
            begin_ += n;
            left -= n;
        }
        if (header.length < kMaxPayload) {
            if (!keep) {
                payload.clear();
                co_return make_error(NetError::message_too_large);
            }
            co_return error_code{};
        }
    }
}

awaitable<error_code> PacketChannel::write_message(mysql::ByteView payload,
                                                   std::uint8_t& sequence) {
    if (payload.size() < kMaxPayload && !tls_) {
        // Header and payload go out in one gather write, without copying the payload. Under
        // TLS they are framed together instead, to be encrypted as one record.
        std::array<std::uint8_t, kHeaderSize> header{};
        mysql::encode_header(header.data(), static_cast<std::uint32_t>(payload.size()), sequence++);
        const std::array<boost::asio::const_buffer, 2> buffers{
            boost::asio::buffer(header), boost::asio::buffer(payload.data(), payload.size())};
        co_return co_await write_all(buffers);
    }
    frame_.clear();
    sequence = mysql::append_framed(frame_, payload, sequence);
    co_return co_await write_raw(frame_);
}

awaitable<error_code> PacketChannel::write_raw(mysql::ByteView bytes) {
    const boost::asio::const_buffer buffer(bytes.data(), bytes.size());
    co_return co_await write_all(std::span(&buffer, 1));
}

awaitable<error_code> PacketChannel::pass_on(std::size_t end, PacketChannel* client) {
    const std::size_t begin = std::exchange(begin_, end);
    relayed_ += end - begin;
    if (client == nullptr || end == begin) co_return error_code{};
    co_return co_await client->write_raw(mysql::ByteView(buffer_.get() + begin, end - begin));
}

awaitable<error_code> PacketChannel::relay_edited(const mysql::PacketHeader& header,
                                                  mysql::SessionChangeFilter& filter,
                                                  PacketChannel* client) {
    const std::size_t size = kHeaderSize + header.length;
    if (size > capacity_) {
        resize_buffer(kLargeBuffer);  // the caller checked that it fits
    } else if (begin_ + size > capacity_) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    while (end_ - begin_ < size) {
        if (auto ec = co_await fill()) co_return ec;
    }
    const mysql::ByteView payload(buffer_.get() + begin_ + kHeaderSize, header.length);
    mysql::ByteView packet(buffer_.get() + begin_, size);
    if (filter.edit(payload, edited_)) {
        frame_.clear();
        mysql::append_framed(frame_, edited_, header.sequence);
        packet = frame_;
    }
    relayed_ += packet.size();
    begin_ += size;
    if (client == nullptr) co_return error_code{};
    co_return co_await client->write_raw(packet);
}

awaitable<error_code> PacketChannel::relay_reply(mysql::ResponseTracker& tracker,
                                                 PacketChannel* client,
                                                 mysql::SessionChangeFilter* filter,
                                                 std::uint32_t client_statement_id) {
    using Progress = mysql::ResponseTracker::Progress;
    std::size_t body_left = 0;  // bytes of the current packet not yet passed on
    bool finished = false;
    relayed_ = 0;
    for (;;) {
        std::size_t scan = begin_;
        while (!finished) {
            if (body_left > 0) {
                const std::size_t n = std::min(body_left, end_ - scan);
                scan += n;
                body_left -= n;
                if (body_left > 0) break;
                continue;
            }
            if (end_ - scan < kHeaderSize) break;
            const mysql::PacketHeader header = mysql::decode_header(buffer_.get() + scan);
            const std::size_t inspect =
                std::min<std::size_t>(header.length, mysql::ResponseTracker::kInspectBytes);
            if (end_ - scan - kHeaderSize < inspect) break;
            const bool before_prepare_ok = tracker.prepared_statement_id() == 0;
            const Progress p = tracker.on_packet(
                header.length, mysql::ByteView(buffer_.get() + scan + kHeaderSize, inspect));
            if (p == Progress::malformed) co_return make_error(NetError::malformed_packet);
            if (client_statement_id != 0 && before_prepare_ok &&
                tracker.prepared_statement_id() != 0) {
                // The OK's statement id follows its 0x00 header byte (all within `inspect`).
                mysql::store_u32(buffer_.get() + scan + kHeaderSize + 1, client_statement_id);
            }
            if (filter != nullptr && tracker.reports_session_change() &&
                kHeaderSize + header.length <= kLargeBuffer) {
                // Everything before this packet goes first, then the packet as edited.
                if (auto ec = co_await pass_on(scan, client)) co_return ec;
                if (auto ec = co_await relay_edited(header, *filter, client)) co_return ec;
                scan = begin_;
                finished = (p == Progress::done);
                continue;
            }
            scan += kHeaderSize;
            body_left = header.length;
            finished = (p == Progress::done);
        }
        // Pass on everything classified so far, including partial packet bodies.
        if (finished && body_left > 0) {
            const std::size_t n = std::min(body_left, end_ - scan);
            scan += n;
            body_left -= n;
        }
        if (auto ec = co_await pass_on(scan, client)) co_return ec;
        if (finished && body_left == 0) {
            // A server says nothing unasked; extra bytes mean the stream is out of step,
            // unless a statement was written behind this one.
            if (begin_ != end_ && replies_behind_ == 0)
                co_return make_error(NetError::unexpected_data);
            co_return error_code{};
        }
        if (auto ec = co_await fill()) co_return ec;
    }
}

}  // namespace sqlgate::net
