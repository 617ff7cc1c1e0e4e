#include "fake_gatekeeper.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

namespace sqlgate::workload::test_support {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct FakeGatekeeper::State {
    explicit State(asio::ssl::context context, Handler h)
        : tls(std::move(context)), handler(std::move(h)) {}

    asio::ssl::context tls;
    Handler handler;
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::vector<SeenRequest> requests;
    int accepted = 0;
    int closed = 0;
};

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using State = FakeGatekeeper::State;

asio::awaitable<void> serve(std::shared_ptr<State> state, tcp::socket socket, int connection) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), state->tls);
    auto [handshake_ec] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    boost::beast::flat_buffer buffer;
    while (!handshake_ec) {
        http::request<http::string_body> request;
        auto [read_ec, read] = co_await http::async_read(stream, buffer, request, use_tuple);
        if (read_ec) break;
        SeenRequest seen{std::string(request.method_string()),
                         std::string(request.target()),
                         std::string(request[http::field::host]),
                         std::string(request[http::field::authorization]),
                         std::string(request[http::field::content_type]),
                         request.body(),
                         connection};
        int index = 0;
        {
            std::lock_guard lock(state->mutex);
            index = static_cast<int>(state->requests.size());
            state->requests.push_back(seen);
        }
        const Answer answer = state->handler(seen, index);
        if (answer.drop) break;
        if (answer.stall) {
            std::array<char, 256> sink{};
            for (;;) {
                auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
                if (ec) break;
            }
            break;
        }
        http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                   request.version()};
        response.set(http::field::content_type, "application/json");
        response.body() = answer.body;
        response.keep_alive(true);
        response.prepare_payload();
        auto [write_ec, written] = co_await http::async_write(stream, response, use_tuple);
        if (write_ec || answer.close_after) break;
    }
    boost::system::error_code ignored;
    stream.lowest_layer().close(ignored);
    std::lock_guard lock(state->mutex);
    ++state->closed;
    state->changed.notify_all();
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state, tcp::acceptor acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) co_return;
        int connection = 0;
        {
            std::lock_guard lock(state->mutex);
            connection = ++state->accepted;
        }
        asio::co_spawn(acceptor.get_executor(), serve(state, std::move(socket), connection),
                       asio::detached);
    }
}

}  // namespace

FakeGatekeeper::FakeGatekeeper(const gatekeeper::test_support::TestCertificate& certificate,
                               Handler handler, const std::string& address)
    : state_(std::make_shared<State>(gatekeeper::test_support::make_server_context(certificate),
                                     std::move(handler))) {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address(address), 0));
    port_ = acceptor.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(state_, std::move(acceptor)), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
}

FakeGatekeeper::~FakeGatekeeper() {
    io_.stop();
    thread_.join();
}

std::vector<SeenRequest> FakeGatekeeper::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

int FakeGatekeeper::connections() const {
    std::lock_guard lock(state_->mutex);
    return state_->accepted;
}

bool FakeGatekeeper::wait_closed(int count) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, std::chrono::seconds(5),
                                    [&] { return state_->closed >= count; });
}

std::string rows_answer(const std::vector<std::vector<std::string>>& rows) {
    return nlohmann::json{
        {"columns", nlohmann::json::array()}, {"rows", rows}, {"row_count", rows.size()}}
        .dump();
}

}  // namespace sqlgate::workload::test_support
