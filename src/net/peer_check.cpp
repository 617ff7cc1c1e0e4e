#include "net/peer_check.hpp"

#include <stdexcept>

#include "net/tls.hpp"

namespace sqlgate::net {

namespace ip = boost::asio::ip;

PeerCheck::PeerCheck(const config::PeerAccess& access)
    : certificate_names_(access.client_certificate_names) {
    for (const std::string& source : access.allowed_sources) {
        boost::system::error_code ec;
        if (source.find('/') != std::string::npos) {
            if (source.find(':') == std::string::npos) {
                v4_.push_back(ip::make_network_v4(source, ec));
            } else {
                v6_.push_back(ip::make_network_v6(source, ec));
            }
        } else {
            const ip::address a = ip::make_address(source, ec);
            if (a.is_v4()) v4_.emplace_back(a.to_v4(), 32);
            if (a.is_v6()) v6_.emplace_back(a.to_v6(), 128);
        }
        if (ec) throw std::invalid_argument("not an address or CIDR block: " + source);
    }
}

bool PeerCheck::source_allowed(const ip::address& source) const {
    if (v4_.empty() && v6_.empty()) return true;
    ip::address a = source;
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
    if (a.is_v4()) {
        for (const auto& n : v4_) {
            if (ip::network_v4(a.to_v4(), n.prefix_length()).canonical() == n.canonical()) {
                return true;
            }
        }
        return false;
    }
    for (const auto& n : v6_) {
        if (ip::network_v6(a.to_v6(), n.prefix_length()).canonical() == n.canonical()) return true;
    }
    return false;
}

bool PeerCheck::certificate_allowed(SSL* ssl) const {
    return !needs_certificate() || peer_certificate_matches(ssl, certificate_names_);
}

}  // namespace sqlgate::net
