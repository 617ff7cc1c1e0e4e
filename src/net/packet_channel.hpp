// A MySQL packet stream over one TCP connection, plain or upgraded to TLS, driven by
// coroutines: read a whole message, write a framed message, relay a reply as it arrives.
#pragma once

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include "mysql/packet.hpp"
#include "mysql/response_tracker.hpp"
#include "mysql/session_changes.hpp"
#include "mysql/wire.hpp"
#include "net/ring_loop.hpp"
#include "net/tls_session.hpp"

namespace sqlgate::net {

using boost::asio::awaitable;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;

// On a thread that an io_uring loop runs (RingLoop), the channel's socket is a descriptor of
// that ring's operations; elsewhere it is an Asio socket. Which one is decided by the executor
// the channel is made with; nothing else about the channel differs.
class PacketChannel {
  public:
    explicit PacketChannel(tcp::socket socket);
    // Adopts a connected descriptor (a client handed over from the accepting thread).
    PacketChannel(const boost::asio::any_io_executor& executor, int fd);
    // Not connected yet: see connect().
    explicit PacketChannel(const boost::asio::any_io_executor& executor);
    ~PacketChannel();
    PacketChannel(PacketChannel&& other) noexcept;
    PacketChannel& operator=(PacketChannel&&) = delete;
    PacketChannel(const PacketChannel&) = delete;
    PacketChannel& operator=(const PacketChannel&) = delete;

    // Opens a socket (bound to `source` when given, Nagle off) and connects it to `to`.
    awaitable<error_code> connect(const tcp::endpoint& to,
                                  const std::optional<boost::asio::ip::address>& source);

    // MySQL's SSL upgrade: after the SSL request (client) or on reading one (server), the
    // same TCP stream continues as TLS. Nothing may be buffered unread at that point, which
    // is why a server reads the client's first message with read_first_message.
    enum class TlsSide { client, server };
    awaitable<error_code> start_tls(boost::asio::ssl::context& context, TlsSide side);
    bool is_tls() const { return tls_ != nullptr; }
    SSL* tls_handle() { return tls_ ? tls_->handle() : nullptr; }

    // Reads a client's first message (an SSL request or its handshake response) without
    // reading past it: a client sends its TLS hello right behind an SSL request.
    awaitable<error_code> read_first_message(mysql::Bytes& payload, std::uint8_t& sequence,
                                             std::size_t max_size);

    // Reads one message, joining split packets, into `payload` (whose capacity is reused).
    // `sequence` receives the sequence id of the message's last packet (a reply follows it),
    // `first_sequence` that of its first. Split packets must have consecutive ids.
    awaitable<error_code> read_message(mysql::Bytes& payload, std::uint8_t& sequence,
                                       std::size_t max_size,
                                       std::uint8_t* first_sequence = nullptr);

    // Frames `payload` starting at `sequence` and writes it; returns the next sequence id
    // through `sequence`.
    awaitable<error_code> write_message(mysql::ByteView payload, std::uint8_t& sequence);

    awaitable<error_code> write_raw(mysql::ByteView bytes);

    // Reads a reply to a command from this channel, following it with `tracker`, and writes
    // its bytes unchanged to `client` chunk by chunk (or drops them when `client` is null).
    // With a `filter`, the OK packets that report session-state changes go as it edits them.
    // A prepare's OK gives the client `client_statement_id` instead of the server's id when
    // that is not 0 (the tracker still reports the server's).
    awaitable<error_code> relay_reply(mysql::ResponseTracker& tracker, PacketChannel* client,
                                      mysql::SessionChangeFilter* filter = nullptr,
                                      std::uint32_t client_statement_id = 0);
    // Bytes the last relay_reply passed on: zero means the client saw nothing of the reply,
    // so the command may be retried elsewhere.
    std::size_t relayed_bytes() const { return relayed_; }

    // The peer answers every message at once (a server; connect() says so itself): on a
    // ring, a write is then linked to the receive of its answer, and the loop wakes once per
    // round trip. Not for a client's connection, whose next message may take hours: a send
    // linked to its receive is held, buffer and all, until the receive completes.
    void expect_answers() { answers_follow_ = true; }
    // Pipelining: a statement was written behind the one whose reply is being relayed, so
    // bytes after that reply are the next reply's (left in the buffer for its reader), not
    // a stream out of step. Its reader calls reply_behind_taken() before relaying it.
    void expect_reply_behind() { ++replies_behind_; }
    void reply_behind_taken() {
        if (replies_behind_ > 0) --replies_behind_;
    }

    const boost::asio::any_io_executor& executor() const { return executor_; }
    tcp::endpoint remote_endpoint(error_code& ec) const;
    void set_no_delay();
    bool is_open() const;
    // Ends the connection: a read or write waiting on it completes with an error.
    void close();

  private:
    // The socket's reads and writes, on the ring or on Asio's reactor.
    awaitable<std::pair<error_code, std::size_t>> receive_some(std::span<std::uint8_t> into);
    awaitable<error_code> receive_exact(std::span<std::uint8_t> into);
    // A ring operation has ended: a close that waited for it happens now.
    void ring_operation_done();
    // The ring's copied send has ended (RingLoop::SendDone).
    static void send_copied(void* self, error_code ec);
    // A closed channel's descriptor, once no ring operation or send names it any more.
    void close_when_unused();
    awaitable<error_code> fill();  // reads more bytes into the buffer
    // Writes buffered bytes [begin_, end) to `client` (if any) and consumes them.
    awaitable<error_code> pass_on(std::size_t end, PacketChannel* client);
    // Relays the packet at begin_ (whose header is `header`) as `filter` edits it.
    awaitable<error_code> relay_edited(const mysql::PacketHeader& header,
                                       mysql::SessionChangeFilter& filter, PacketChannel* client);
    awaitable<error_code> read_ciphertext();   // from the socket into tls_
    awaitable<error_code> flush_ciphertext();  // what tls_ produced, to the socket
    // After a TLS step that did not finish: sends what it produced, then reads more
    // ciphertext, or turns a close or failure into an error.
    awaitable<error_code> continue_tls(TlsSession::Step step);
    awaitable<error_code> write_socket(std::span<const boost::asio::const_buffer> buffers);
    // At most a header and a payload are written together.
    static constexpr std::size_t kMaxWriteBuffers = 2;
    // One full TLS record (16 KiB of data and its overhead) per socket read.
    static constexpr std::size_t kCiphertextChunk = 17 * 1024;
    awaitable<error_code> write_all(std::span<const boost::asio::const_buffer> buffers);

    boost::asio::any_io_executor executor_;
    std::optional<tcp::socket> socket_;  // on Asio's reactor
    // On a ring: the descriptor, closed once no operation names it (a queued operation
    // names the number, which a new socket could take), and the operations in flight.
    RingLoop* ring_ = nullptr;
    int fd_ = -1;
    bool closed_ = false;
    std::uint32_t ring_operations_ = 0;
    // A write of up to RingLoop::kSendCopyMax bytes to a peer that answers (or, under load,
    // to any peer) is copied into a ring send and not waited for: the coroutine goes on to
    // queue the answer's receive, and one submission carries both. One such send at a time (the
    // next write waits for it, so order holds); its error ends the channel's next operation.
    RingLoop::Op* send_in_flight_ = nullptr;
    error_code send_error_;
    bool answers_follow_ = false;
    std::size_t replies_behind_ = 0;  // see expect_reply_behind
    // How long a closed channel's last send may wait for a peer that does not read.
    static constexpr std::chrono::seconds kSendLinger{2};
    std::unique_ptr<TlsSession> tls_;  // set once upgraded
    // TLS only: ciphertext read from the socket (one record's worth, allocated on upgrade)
    // and ciphertext waiting to be written.
    std::unique_ptr<std::array<std::uint8_t, kCiphertextChunk>> ciphertext_in_;
    mysql::Bytes ciphertext_out_;
    // Makes the buffer `capacity` bytes, keeping its unconsumed bytes (moved to its start).
    void resize_buffer(std::size_t capacity);
    // Small until a message or reply needs more: an idle client connection costs little,
    // one that relays results gets room for a whole TLS record's worth per read.
    static constexpr std::size_t kSmallBuffer = 4 * 1024;
    static constexpr std::size_t kLargeBuffer = 16 * 1024;
    // Bytes [begin_, end_) of buffer_ have arrived and are not consumed yet. Allocated on
    // the first read, uninitialised: only the pages a connection uses cost memory.
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t capacity_ = 0;
    bool filled_last_read_ = false;  // the last read filled all the room it had
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    std::size_t relayed_ = 0;
    mysql::Bytes frame_;   // scratch for framing written messages
    mysql::Bytes edited_;  // scratch for a packet's edited payload
};

}  // namespace sqlgate::net
