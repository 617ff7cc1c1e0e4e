#include "engine/admin_listener.hpp"

#include <boost/asio/ip/address.hpp>
#include <stdexcept>

#include "net/tls.hpp"

namespace sqlgate::engine {

obs::AdminServer& open_admin_listener(std::optional<obs::AdminServer>& slot,
                                      boost::asio::any_io_executor executor,
                                      const config::AdminListener& listen) {
    obs::AdminAccess access;
    if (listen.tls.enabled()) {
        access.tls = std::make_shared<boost::asio::ssl::context>(
            net::make_server_tls(listen.tls, /*require_client_certificate=*/false));
    }
    if (!listen.token_sha256.empty()) {
        access.token = config::parse_sha256_hex(listen.token_sha256);
        if (!access.token) throw std::runtime_error("[admin] token_sha256: not a SHA-256");
    }
    return slot.emplace(
        std::move(executor),
        boost::asio::ip::tcp::endpoint{boost::asio::ip::make_address(listen.address), listen.port},
        std::move(access));
}

}  // namespace sqlgate::engine
