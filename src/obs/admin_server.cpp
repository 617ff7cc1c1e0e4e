#include "obs/admin_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <stdexcept>

#include "obs/json_string.hpp"
#include "obs/log.hpp"

namespace sqlgate::obs {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::awaitable;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
// A request is small and local: a client that takes longer is not one.
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024;

}  // namespace

std::optional<std::pair<std::string, std::map<std::string, std::string, std::less<>>>> split_target(
    std::string_view target) {
    if (target.empty() || target.front() != '/') return std::nullopt;
    const std::size_t question = target.find('?');
    std::map<std::string, std::string, std::less<>> query;
    if (question != std::string_view::npos) {
        std::string_view rest = target.substr(question + 1);
        while (!rest.empty()) {
            const std::size_t amp = rest.find('&');
            const std::string_view pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
            if (pair.empty()) continue;
            const std::size_t eq = pair.find('=');
            query[std::string(pair.substr(0, eq))] =
                eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        }
    }
    return std::pair{std::string(target.substr(0, question)), std::move(query)};
}

struct AdminServer::State {
    explicit State(boost::asio::any_io_executor executor) : acceptor(std::move(executor)) {}
    tcp::acceptor acceptor;
    std::map<std::pair<std::string, std::string>, AdminHandler> routes;
    bool stopped = false;
};

namespace {

awaitable<void> serve(std::shared_ptr<AdminServer::State> state, tcp::socket socket);

}  // namespace

AdminServer::AdminServer(boost::asio::any_io_executor executor, tcp::endpoint listen)
    : state_(std::make_shared<State>(std::move(executor))) {
    if (!listen.address().is_loopback()) {
        throw std::runtime_error("admin listener " + listen.address().to_string() +
                                 ": only loopback addresses (no authentication yet)");
    }
    state_->acceptor.open(listen.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    boost::system::error_code ec;
    state_->acceptor.bind(listen, ec);
    if (!ec) state_->acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("admin listener " + listen.address().to_string() + ":" +
                                 std::to_string(listen.port()) + ": " + ec.message());
    }
    // The process is up: every role answers this the same way.
    route("GET", "/healthz", [](const AdminRequest&) -> awaitable<AdminAnswer> {
        co_return AdminAnswer{200, "{\"status\": \"ok\"}"};
    });
}

AdminServer::~AdminServer() {
    stop();
}

void AdminServer::route(std::string method, std::string path, AdminHandler handler) {
    state_->routes[{std::move(method), std::move(path)}] = std::move(handler);
}

tcp::endpoint AdminServer::local_endpoint() const {
    return state_->acceptor.local_endpoint();
}

void AdminServer::stop() {
    state_->stopped = true;
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

void AdminServer::start() {
    auto state = state_;
    boost::asio::co_spawn(
        state->acceptor.get_executor(),
        [state]() -> awaitable<void> {
            while (!state->stopped) {
                auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
                if (ec) {
                    if (state->stopped || ec == boost::asio::error::operation_aborted) co_return;
                    continue;
                }
                boost::asio::co_spawn(state->acceptor.get_executor(),
                                      serve(state, std::move(socket)), boost::asio::detached);
            }
        },
        boost::asio::detached);
}

namespace {

awaitable<void> serve(std::shared_ptr<AdminServer::State> state, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kRequestTimeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    AdminAnswer answer;
    if (read_ec) {
        answer = {400, "{\"error\": \"malformed request\"}"};
    } else {
        const auto& request = parser.get();
        const auto target = split_target(request.target());
        if (!target) {
            answer = {400, "{\"error\": \"malformed target\"}"};
        } else {
            const auto route =
                state->routes.find({std::string(request.method_string()), target->first});
            if (route == state->routes.end()) {
                answer = {404, "{\"error\": " +
                                   json_string("no " + std::string(request.method_string()) + " " +
                                               target->first) +
                                   "}"};
            } else {
                const AdminRequest admin{std::string(request.method_string()), target->first,
                                         target->second};
                // Handlers bound their own time; the client waits for the answer.
                stream.expires_never();
                answer = co_await route->second(admin);
            }
        }
    }
    http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
    response.set(http::field::content_type, answer.content_type);
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(false);
    response.body() = std::move(answer.body);
    if (!response.body().ends_with('\n')) response.body() += '\n';
    response.prepare_payload();
    stream.expires_after(kRequestTimeout);
    co_await http::async_write(stream, response, use_tuple);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

}  // namespace sqlgate::obs
