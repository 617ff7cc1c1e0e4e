// Which peers an internal listener accepts: source addresses (checked at accept, before any
// byte is read) and the names a client certificate must carry (checked after TLS).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <string>
#include <vector>

#include "config/shared_sections.hpp"

namespace sqlgate::net {

class PeerCheck {
  public:
    PeerCheck() = default;  // accepts anyone
    // Throws std::invalid_argument on an address the config reader should have refused.
    explicit PeerCheck(const config::PeerAccess& access);

    bool source_allowed(const boost::asio::ip::address& source) const;
    bool needs_certificate() const { return !certificate_names_.empty(); }
    bool certificate_allowed(SSL* ssl) const;

  private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
    std::vector<std::string> certificate_names_;
};

}  // namespace sqlgate::net
