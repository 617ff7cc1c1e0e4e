#include "https_test_client.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace sqlgate::gatekeeper::test_support {
namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

template <class Stream>
awaitable<error_code> read_until_error(Stream& stream) {
    std::array<char, 4096> sink{};
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(boost::asio::buffer(sink), use_tuple);
        if (ec) co_return ec;
    }
}

}  // namespace

awaitable<error_code> HttpsTestClient::connect_tcp() {
    auto [ec] = co_await stream_.next_layer().async_connect(server_, use_tuple);
    co_return ec;
}

awaitable<error_code> HttpsTestClient::connect() {
    const error_code ec = co_await connect_tcp();
    if (ec) co_return ec;
    auto [handshake_ec] =
        co_await stream_.async_handshake(boost::asio::ssl::stream_base::client, use_tuple);
    co_return handshake_ec;
}

awaitable<Reply> HttpsTestClient::request(const Request& request) {
    auto [ec, n] = co_await http::async_write(stream_, request, use_tuple);
    if (ec) co_return Reply{ec, {}};
    co_return co_await read_response();
}

awaitable<Reply> HttpsTestClient::read_response() {
    Reply reply;
    auto [ec, n] = co_await http::async_read(stream_, buffer_, reply.response, use_tuple);
    reply.ec = ec;
    co_return reply;
}

awaitable<error_code> HttpsTestClient::write_tls(const std::string& bytes) {
    auto [ec, n] =
        co_await boost::asio::async_write(stream_, boost::asio::buffer(bytes), use_tuple);
    co_return ec;
}

awaitable<error_code> HttpsTestClient::write_tcp(const std::string& bytes) {
    auto [ec, n] = co_await boost::asio::async_write(stream_.next_layer(),
                                                     boost::asio::buffer(bytes), use_tuple);
    co_return ec;
}

awaitable<error_code> HttpsTestClient::trickle(const std::string& line,
                                               std::chrono::milliseconds interval, int count) {
    boost::asio::steady_timer timer(stream_.get_executor());
    for (int i = 0; i < count; ++i) {
        const error_code ec = co_await write_tls(line);
        if (ec) co_return ec;
        timer.expires_after(interval);
        co_await timer.async_wait(use_tuple);
    }
    co_return error_code{};
}

awaitable<error_code> HttpsTestClient::wait_closed_tls() {
    return read_until_error(stream_);
}

awaitable<error_code> HttpsTestClient::wait_closed_tcp() {
    return read_until_error(stream_.next_layer());
}

void HttpsTestClient::close() {
    error_code ignored;
    stream_.next_layer().close(ignored);
}

Request make_request(http::verb method, std::string_view target, std::string_view body,
                     std::string_view token, std::string_view content_type) {
    Request request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!token.empty()) {
        request.set(http::field::authorization, "Bearer " + std::string(token));
    }
    if (!body.empty() && !content_type.empty()) {
        request.set(http::field::content_type, content_type);
    }
    request.body() = std::string(body);
    request.prepare_payload();
    return request;
}

}  // namespace sqlgate::gatekeeper::test_support
