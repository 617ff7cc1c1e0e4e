#include "proxy/write_tracker.hpp"

#include "net/mysql_client.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

void WriteTracker::clear() {
    last_gtid_.clear();
    gtid_unknown_ = false;
}

namespace {

// What @@last_gtid holds: domain-server-sequence, comma-separated; nothing that needs quoting.
bool is_gtid_list(std::string_view text) {
    return !text.empty() && text.find_first_not_of("0123456789-,") == std::string_view::npos;
}

}  // namespace

void WriteTracker::learned(std::string_view gtid) {
    if (!is_gtid_list(gtid)) return;
    last_gtid_.assign(gtid);
    gtid_unknown_ = false;
}

awaitable<void> WriteTracker::learn_gtid(BackendLink* primary, mysql::Capability capabilities) {
    gtid_unknown_ = false;
    if (primary == nullptr) co_return;
    net::CommandResult result;
    // As binary, the value reaches us unconverted whatever character_set_results the client
    // chose (under `filename`, '-' would read "@002d").
    if (co_await net::run_command(primary->channel, mysql::Command::query,
                                  "SELECT CAST(@@last_gtid AS BINARY)", capabilities, result) ||
        result.failed) {
        co_return;
    }
    learned(result.first_value().value_or(""));
}

awaitable<bool> WriteTracker::catch_up(BackendLink& link, std::chrono::milliseconds timeout,
                                       mysql::Capability capabilities) const {
    if (caught_up(link)) co_return true;
    const double seconds = std::chrono::duration<double>(timeout).count();
    // The GTID comes from the primary's last_gtid: digits and dashes, safe to quote.
    const std::string wait = "SELECT CAST(MASTER_GTID_WAIT('" + last_gtid_ + "', " +
                             std::to_string(seconds) + ") AS BINARY)";
    net::CommandResult result;
    const auto ec =
        co_await net::run_command(link.channel, mysql::Command::query, wait, capabilities, result);
    if (ec || result.failed || result.first_value() != "0") {
        if (ec) link.channel.close();
        co_return false;
    }
    link.applied_gtid = last_gtid_;
    co_return true;
}

}  // namespace sqlgate::proxy
