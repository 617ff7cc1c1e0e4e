// Error codes of sqlgate's network layer, in the boost::system category scheme so they
// travel beside Asio's own codes as values.
#pragma once

#include <boost/system/error_code.hpp>

namespace sqlgate::net {

enum class NetError {
    malformed_packet = 1,  // a peer sent bytes that break the protocol
    message_too_large,     // a message exceeds the configured maximum
    unexpected_data,       // bytes arrived after a reply had ended
    timed_out,             // a deadline passed
    auth_failed,           // a backend refused our credentials
};

const boost::system::error_category& net_category();

inline boost::system::error_code make_error(NetError e) {
    return {static_cast<int>(e), net_category()};
}

}  // namespace sqlgate::net
