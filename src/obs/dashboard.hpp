// The dashboard on a role's admin listener: the page (GET /, its script and styles, the
// vendored uPlot) and GET /chain, this role's status next to its peers' (the whole chain).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "obs/admin_server.hpp"

namespace sqlgate::obs {

// Appends `, "events": [...]`: the role's recent warnings (obs::recent_warnings), to a
// status object being written.
void append_recent_events(std::string& json);

// `own_status` writes this role's GET /status; `peers` are other roles' admin listeners.
void add_dashboard(AdminServer& admin, std::string role,
                   std::function<boost::asio::awaitable<std::string>()> own_status,
                   std::vector<std::string> peers);

}  // namespace sqlgate::obs
