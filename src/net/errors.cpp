#include "net/errors.hpp"

#include <string>

namespace sqlgate::net {
namespace {

class NetCategory final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "sqlgate.net"; }
    std::string message(int ev) const override {
        switch (static_cast<NetError>(ev)) {
            case NetError::malformed_packet:
                return "malformed packet";
            case NetError::message_too_large:
                return "message larger than the allowed maximum";
            case NetError::unexpected_data:
                return "unexpected data after a reply";
            case NetError::timed_out:
                return "timed out";
            case NetError::auth_failed:
                return "authentication failed";
        }
        return "unknown sqlgate network error";
    }
};

}  // namespace

const boost::system::error_category& net_category() {
    static const NetCategory category;
    return category;
}

}  // namespace sqlgate::net
