// An HTTPS client for the gatekeeper API tests: one connection driven by coroutines on the
// test's own io_context, and helpers that run those coroutines with a deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sqlgate::gatekeeper::test_support {

namespace http = boost::beast::http;
using boost::asio::awaitable;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Reply {
    error_code ec;
    Response response;
};

class HttpsTestClient {
  public:
    HttpsTestClient(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                    tcp::endpoint server)
        : server_(server), stream_(io, tls) {}

    awaitable<error_code> connect();      // TCP, then the TLS handshake
    awaitable<error_code> connect_tcp();  // TCP only: for clients that never speak TLS
    awaitable<Reply> request(const Request& request);
    awaitable<Reply> read_response();
    awaitable<error_code> write_tls(const std::string& bytes);
    awaitable<error_code> write_tcp(const std::string& bytes);  // beneath TLS
    // Writes `line` every `interval`, `count` times or until a write fails.
    awaitable<error_code> trickle(const std::string& line, std::chrono::milliseconds interval,
                                  int count);
    // Reads until the server ends the connection and returns what ended it.
    awaitable<error_code> wait_closed_tls();
    awaitable<error_code> wait_closed_tcp();
    void close();

  private:
    tcp::endpoint server_;
    boost::asio::ssl::stream<tcp::socket> stream_;
    boost::beast::flat_buffer buffer_;
};

// A request with Host, and Authorization when `token` is not empty; the payload prepared.
Request make_request(http::verb method, std::string_view target, std::string_view body = {},
                     std::string_view token = {},
                     std::string_view content_type = "application/json");

inline constexpr std::chrono::milliseconds kClientLimit{10'000};

// Runs `io` until `future` is ready; throws when `limit` passes first.
template <class T>
T wait_for(boost::asio::io_context& io, std::future<T>& future,
           std::chrono::milliseconds limit = kClientLimit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("the test client timed out");
        }
        if (io.stopped()) io.restart();
        io.run_one_until(deadline);
    }
    return future.get();
}

template <class T>
std::future<T> spawn(boost::asio::io_context& io, awaitable<T> task) {
    return boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
}

template <class T>
T run_for(boost::asio::io_context& io, awaitable<T> task,
          std::chrono::milliseconds limit = kClientLimit) {
    std::future<T> future = spawn(io, std::move(task));
    return wait_for(io, future, limit);
}

}  // namespace sqlgate::gatekeeper::test_support
