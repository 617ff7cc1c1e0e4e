#include "obs/dashboard.hpp"

#include <chrono>

#include "obs/admin_client.hpp"
#include "obs/dashboard_assets.hpp"
#include "obs/json_string.hpp"
#include "obs/log.hpp"

namespace sqlgate::obs {
namespace {

using boost::asio::awaitable;

// A peer that does not answer within this is shown as down; the page polls every second.
constexpr auto kPeerTimeout = std::chrono::milliseconds(700);

struct Chain {
    std::string role;
    std::function<awaitable<std::string>()> own_status;
    std::vector<std::string> peers;
};

awaitable<AdminAnswer> chain_answer(const Chain& chain) {
    std::string body = "{\"served_by\": ";
    append_json_string(body, chain.role);
    body += ", \"roles\": [{\"admin\": \"self\", \"status\": ";
    body += co_await chain.own_status();
    body += '}';
    for (const std::string& peer : chain.peers) {
        const AdminAnswer answer = co_await fetch_admin(peer, "GET", "/status", kPeerTimeout);
        body += ", {\"admin\": ";
        append_json_string(body, peer);
        if (answer.status == 200) {
            body += ", \"status\": ";
            body += answer.body;
        } else {
            body += ", \"status\": null, \"error\": ";
            append_json_string(
                body, answer.status == 0 ? answer.body : "HTTP " + std::to_string(answer.status));
        }
        body += '}';
    }
    body += "]}";
    co_return AdminAnswer{200, std::move(body)};
}

}  // namespace

void append_recent_events(std::string& json) {
    json += ", \"events\": [";
    bool first = true;
    for (const std::string& line : recent_warnings()) {
        if (!first) json += ", ";
        first = false;
        append_json_string(json, line);
    }
    json += ']';
}

void add_dashboard(AdminServer& admin, std::string role,
                   std::function<awaitable<std::string>()> own_status,
                   std::vector<std::string> peers) {
    for (const DashboardAsset& asset : dashboard_assets()) {
        const std::string path = asset.path == "/index.html" ? "/" : std::string(asset.path);
        admin.route("GET", path, [&asset](const AdminRequest&) -> awaitable<AdminAnswer> {
            co_return AdminAnswer{200, std::string(asset.data), asset.content_type};
        });
    }
    auto chain =
        std::make_shared<Chain>(Chain{std::move(role), std::move(own_status), std::move(peers)});
    admin.route("GET", "/chain", [chain](const AdminRequest&) { return chain_answer(*chain); });
}

}  // namespace sqlgate::obs
