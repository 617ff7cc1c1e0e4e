#include "obs/admin_server.hpp"

#include <openssl/evp.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
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
    State(boost::asio::any_io_executor executor, AdminAccess a)
        : acceptor(std::move(executor)), access(std::move(a)) {}
    tcp::acceptor acceptor;
    const AdminAccess access;
    std::map<std::pair<std::string, std::string>, AdminHandler> routes;
    bool stopped = false;
};

namespace {

awaitable<void> serve(std::shared_ptr<AdminServer::State> state, tcp::socket socket);

}  // namespace

AdminServer::AdminServer(boost::asio::any_io_executor executor, tcp::endpoint listen,
                         AdminAccess access)
    : state_(std::make_shared<State>(std::move(executor), std::move(access))) {
    if (!listen.address().is_loopback() && (!state_->access.tls || !state_->access.token)) {
        throw std::runtime_error("admin listener " + listen.address().to_string() +
                                 ": off loopback only with TLS and a token");
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

// The token from "Authorization: Bearer TOKEN" or, as a browser sends after its prompt,
// "Authorization: Basic base64(USER:TOKEN)" (any user name); empty when there is none.
std::string presented_token(std::string_view authorization) {
    if (authorization.starts_with("Bearer ")) return std::string(authorization.substr(7));
    if (!authorization.starts_with("Basic ")) return {};
    const std::string_view encoded = authorization.substr(6);
    if (encoded.size() % 4 != 0 || encoded.size() > 4096) return {};
    std::string decoded(encoded.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(encoded.data()),
                                  static_cast<int>(encoded.size()));
    if (n < 0) return {};
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t pad = encoded.size(); pad > 0 && encoded[pad - 1] == '=' && size > 0; --pad)
        --size;
    decoded.resize(size);
    const std::size_t colon = decoded.find(':');
    return colon == std::string::npos ? std::string() : decoded.substr(colon + 1);
}

bool authorized(const AdminServer::State& state, std::string_view authorization) {
    if (!state.access.token) return true;
    const std::string token = presented_token(authorization);
    return !token.empty() && config::digests_equal(*state.access.token, config::sha256(token));
}

template <typename Stream>
awaitable<void> answer_request(const AdminServer::State& state, Stream& stream) {
    auto& transport = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    transport.expires_after(kRequestTimeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    AdminAnswer answer;
    bool challenge = false;
    if (read_ec) {
        answer = {400, "{\"error\": \"malformed request\"}"};
    } else if (!authorized(state, parser.get()[http::field::authorization])) {
        answer = {401, "{\"error\": \"a valid token is needed (Authorization: Bearer)\"}"};
        challenge = true;
    } else {
        const auto& request = parser.get();
        const auto target = split_target(request.target());
        if (!target) {
            answer = {400, "{\"error\": \"malformed target\"}"};
        } else {
            const auto route =
                state.routes.find({std::string(request.method_string()), target->first});
            if (route == state.routes.end()) {
                answer = {404, "{\"error\": " +
                                   json_string("no " + std::string(request.method_string()) + " " +
                                               target->first) +
                                   "}"};
            } else {
                const AdminRequest admin{std::string(request.method_string()), target->first,
                                         target->second};
                // Handlers bound their own time; the client waits for the answer.
                transport.expires_never();
                answer = co_await route->second(admin);
            }
        }
    }
    http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
    response.set(http::field::content_type, answer.content_type);
    response.set(http::field::cache_control, "no-store");
    // Basic first: a browser then asks for the token (as the password) and sends it along
    // with every later request of the dashboard.
    if (challenge) response.set(http::field::www_authenticate, "Basic realm=\"sqlgate admin\"");
    response.keep_alive(false);
    response.body() = std::move(answer.body);
    if (!response.body().ends_with('\n')) response.body() += '\n';
    response.prepare_payload();
    transport.expires_after(kRequestTimeout);
    co_await http::async_write(stream, response, use_tuple);
}

awaitable<void> serve(std::shared_ptr<AdminServer::State> state, tcp::socket socket) {
    if (!state->access.tls) {
        beast::tcp_stream stream(std::move(socket));
        co_await answer_request(*state, stream);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)),
                                                *state->access.tls);
    beast::get_lowest_layer(stream).expires_after(kRequestTimeout);
    auto [handshake_ec] =
        co_await stream.async_handshake(boost::asio::ssl::stream_base::server, use_tuple);
    if (handshake_ec) co_return;
    co_await answer_request(*state, stream);
    beast::get_lowest_layer(stream).expires_after(kRequestTimeout);
    co_await stream.async_shutdown(use_tuple);
}

}  // namespace

}  // namespace sqlgate::obs
