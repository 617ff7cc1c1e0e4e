#include "obs/admin_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>

namespace sqlgate::obs {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using boost::asio::awaitable;

namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

}  // namespace

awaitable<AdminAnswer> fetch_admin(std::string address, std::string method, std::string target,
                                   std::chrono::milliseconds timeout) {
    const std::size_t colon = address.rfind(':');
    unsigned port = 0;
    if (colon == std::string::npos ||
        std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
            std::errc{} ||
        port == 0 || port > 65535) {
        co_return AdminAnswer{0, "expected ADDRESS:PORT, got '" + address + "'"};
    }
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(address.substr(0, colon), ec);
    if (ec) co_return AdminAnswer{0, "'" + address.substr(0, colon) + "' is not an IP address"};
    beast::tcp_stream stream(co_await boost::asio::this_coro::executor);
    stream.expires_after(timeout);
    if (auto [connect_ec] = co_await stream.async_connect(
            tcp::endpoint{ip, static_cast<unsigned short>(port)}, use_tuple);
        connect_ec) {
        co_return AdminAnswer{0, "connecting to " + address + ": " + connect_ec.message()};
    }
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, address);
    request.prepare_payload();
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    ec = write_ec;
    if (!ec) {
        auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_tuple);
        ec = read_ec;
    }
    if (ec) co_return AdminAnswer{0, "talking to " + address + ": " + ec.message()};
    co_return AdminAnswer{response.result_int(), std::move(response.body())};
}

AdminAnswer call_admin(std::string_view address, std::string_view method, std::string_view target,
                       std::chrono::seconds timeout) {
    boost::asio::io_context io;
    AdminAnswer answer;
    boost::asio::co_spawn(
        io, fetch_admin(std::string(address), std::string(method), std::string(target), timeout),
        [&answer](std::exception_ptr error, AdminAnswer result) {
            answer = error ? AdminAnswer{0, "admin request failed"} : std::move(result);
        });
    io.run();
    return answer;
}

}  // namespace sqlgate::obs
