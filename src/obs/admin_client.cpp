#include "obs/admin_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
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

AdminAnswer call_admin(std::string_view address, std::string_view method, std::string_view target,
                       std::chrono::seconds timeout) {
    const std::size_t colon = address.rfind(':');
    unsigned port = 0;
    if (colon == std::string_view::npos ||
        std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
            std::errc{} ||
        port == 0 || port > 65535) {
        return {0, "expected ADDRESS:PORT, got '" + std::string(address) + "'"};
    }
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(std::string(address.substr(0, colon)), ec);
    if (ec) return {0, "'" + std::string(address.substr(0, colon)) + "' is not an IP address"};
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(tcp::endpoint{ip, static_cast<unsigned short>(port)}, ec);
    if (ec) return {0, "connecting to " + std::string(address) + ": " + ec.message()};
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, std::string(address));
    request.prepare_payload();
    http::write(stream, request, ec);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) http::read(stream, buffer, response, ec);
    if (ec) return {0, "talking to " + std::string(address) + ": " + ec.message()};
    return {response.result_int(), response.body()};
}

}  // namespace sqlgate::obs
