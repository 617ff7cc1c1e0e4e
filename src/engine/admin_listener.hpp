// Opening a role's admin listener from its [admin] config: the address, and HTTPS with a
// bearer token when the config gives them (which a non-loopback address requires).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <optional>

#include "config/shared_sections.hpp"
#include "obs/admin_server.hpp"

namespace sqlgate::engine {

// Constructs the listener in `slot` and returns it; throws std::runtime_error (start-up
// only) on unreadable TLS files or an address that cannot be bound.
obs::AdminServer& open_admin_listener(std::optional<obs::AdminServer>& slot,
                                      boost::asio::any_io_executor executor,
                                      const config::AdminListener& listen);

}  // namespace sqlgate::engine
