#include "net/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "obs/log.hpp"

namespace sqlgate::net {

using boost::asio::ip::tcp;

tcp::acceptor open_listener(boost::asio::any_io_executor executor, const std::string& address,
                            std::uint16_t port) {
    boost::system::error_code ec;
    const auto ip = boost::asio::ip::make_address(address, ec);
    tcp::acceptor acceptor(executor);
    const tcp::endpoint endpoint(ip, port);
    if (!ec) acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(tcp::socket::max_listen_connections, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                                 ec.message());
    }
    return acceptor;
}

boost::asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const PeerCheck& peers,
                                         std::string role, obs::ConnectionCounters& counters,
                                         std::function<void(tcp::socket)> serve, AcceptPace pace) {
    boost::asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
        if (pace) {
            co_await pace();
            if (!acceptor.is_open()) co_return;  // closed (the role stopping) while it waited
        }
        auto [ec, socket] =
            co_await acceptor.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec == boost::asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors and the like: say so, pause so the loop does not spin on an
            // error that repeats at once, and keep accepting.
            obs::log(obs::LogLevel::error, "accept_failed",
                     {{"role", role}, {"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
            continue;
        }
        boost::system::error_code peer_ec;
        const auto peer = socket.remote_endpoint(peer_ec);
        if (peer_ec || !peers.source_allowed(peer.address())) {
            const std::string source = peer_ec ? "unknown" : peer.address().to_string();
            obs::log(
                obs::LogLevel::warn, "peer_refused",
                {{"role", role}, {"source", source}, {"reason", "source address not allowed"}});
            counters.refuse(obs::ConnectionRefusal::source_not_allowed);
            socket.close(peer_ec);
            continue;
        }
        serve(std::move(socket));
    }
}

void log_session_exception(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        obs::log(obs::LogLevel::error, "session_failed", {{"error", ex.what()}});
    }
}

}  // namespace sqlgate::net
