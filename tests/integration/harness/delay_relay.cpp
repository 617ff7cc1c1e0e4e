#include "harness/delay_relay.hpp"

#include <array>
#include <boost/asio.hpp>

namespace sqlgate::testing {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

awaitable<void> pump(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
                     std::chrono::milliseconds delay) {
    std::array<char, 16 * 1024> buf{};
    asio::steady_timer timer(from->get_executor());
    for (;;) {
        auto [ec, n] = co_await from->async_read_some(asio::buffer(buf), use_tuple);
        if (ec) break;
        if (delay.count() > 0) {
            timer.expires_after(delay);
            co_await timer.async_wait(use_tuple);
        }
        auto [wec, wn] = co_await asio::async_write(*to, asio::buffer(buf.data(), n), use_tuple);
        if (wec) break;
    }
    boost::system::error_code ignored;
    from->close(ignored);
    to->close(ignored);
}

}  // namespace

struct DelayRelay::Impl {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    tcp::endpoint target;
    asio::ip::address source;
    std::chrono::milliseconds delay;

    awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
            if (ec) co_return;
            auto client = std::make_shared<tcp::socket>(std::move(socket));
            auto server = std::make_shared<tcp::socket>(io);
            server->open(tcp::v4());
            server->bind(tcp::endpoint(source, 0));
            auto [cec] = co_await server->async_connect(target, use_tuple);
            if (cec) continue;
            asio::co_spawn(io, pump(client, server, std::chrono::milliseconds(0)), asio::detached);
            asio::co_spawn(io, pump(server, client, delay), asio::detached);
        }
    }
};

DelayRelay::DelayRelay(const std::string& listen_address, unsigned listen_port,
                       const std::string& target_address, unsigned target_port,
                       const std::string& source_address, std::chrono::milliseconds delay)
    : impl_(std::make_unique<Impl>()) {
    impl_->target = {asio::ip::make_address(target_address),
                     static_cast<unsigned short>(target_port)};
    impl_->source = asio::ip::make_address(source_address);
    impl_->delay = delay;
    const tcp::endpoint listen{asio::ip::make_address(listen_address),
                               static_cast<unsigned short>(listen_port)};
    impl_->acceptor.open(listen.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(listen);
    impl_->acceptor.listen();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    thread_ = std::thread([this] { impl_->io.run(); });
}

DelayRelay::~DelayRelay() {
    impl_->io.stop();
    thread_.join();
}

}  // namespace sqlgate::testing
