#include "proxy/backend_links.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

BackendLinks::BackendLinks(boost::asio::any_io_executor executor)
    : executor_(std::move(executor)) {}

std::unique_ptr<BackendLink>& BackendLinks::slot(std::size_t index) {
    if (index >= links_.size()) links_.resize(index + 1);
    return links_[index];
}

void BackendLinks::set_login(net::Login login, std::chrono::milliseconds connect_timeout) {
    login_ = std::move(login);
    connect_timeout_ = connect_timeout;
}

BackendLink* BackendLinks::find(std::size_t index) {
    BackendLink* link = slot(index).get();
    return link != nullptr && link->channel.is_open() ? link : nullptr;
}

awaitable<BackendLink*> BackendLinks::open(const BackendState& backend, std::string& error) {
    BackendLink* link = co_await connect(backend, error);
    if (link == nullptr) co_return nullptr;
    if (co_await replay(*link, backend, error) == Replay::done) co_return link;
    drop(backend.index);
    co_return nullptr;
}

awaitable<BackendLink*> BackendLinks::connect(const BackendState& backend, std::string& error) {
    auto& link = slot(backend.index);
    // A link opened READ ONLY while this server was a replica cannot take the writes it gets
    // as the primary since a failover: a new one is opened (and the session state replayed).
    if (link && link->read_only && backend.is_primary) link.reset();
    if (!link || !link->channel.is_open()) {
        link = std::make_unique<BackendLink>(net::tcp::socket(executor_), backend.connections_open);
        net::ServerInfo info;
        std::string diagnostics;
        const bool tracks = track_gtids_ && backend.is_primary;
        net::Login login = login_;
        if (tracks) login.capabilities = login.capabilities | mysql::Capability::session_track;
        if (const auto ec = co_await net::connect_and_login(link->channel, backend.address, login,
                                                            connect_timeout_, info, diagnostics)) {
            error = diagnostics.empty() ? ec.message() : diagnostics;
            link.reset();
            co_return nullptr;
        }
        link->thread_id = info.connection_id;
        if (tracks && !co_await start_tracking(*link, backend, error)) {
            link.reset();
            co_return nullptr;
        }
    }
    co_return link.get();
}

awaitable<bool> BackendLinks::start_tracking(BackendLink& link, const BackendState& backend,
                                             std::string& error) {
    // Added to whatever the session tracks (MariaDB ignores a name listed twice). Replayed
    // state comes after this, so a client's own SET of the variable still wins.
    static constexpr std::string_view kTrackLastGtid =
        "SET @@session.session_track_system_variables = "
        "CONCAT_WS(',', NULLIF(@@session.session_track_system_variables, ''), 'last_gtid')";
    link.filters_session_changes = true;
    const bool native = backend.tracks_last_gtid.value_or(false);
    bool added = false;
    if (!native && !client_tracking_) {
        net::CommandResult result;
        if (const auto ec = co_await net::run_command(
                link.channel, mysql::Command::query, kTrackLastGtid, login_.capabilities, result)) {
            error = "setting up session tracking on " + backend.name + " failed: " + ec.message();
            co_return false;
        }
        added = !result.failed;  // a server without last_gtid tracking: GTIDs are asked for
    }
    link.reports_gtids = (native || added) && !client_tracking_;
    link.session_changes.configure(
        {.client_tracks_state = has(login_.capabilities, mysql::Capability::session_track),
         .hide_last_gtid = added});
    co_return true;
}

void BackendLinks::client_sets_tracking() {
    client_tracking_ = true;
    for (auto& link : links_) {
        if (!link) continue;
        link->reports_gtids = false;
        auto settings = link->session_changes.settings();
        settings.hide_last_gtid = false;
        link->session_changes.configure(settings);
    }
}

awaitable<BackendLinks::Replay> BackendLinks::replay(BackendLink& link, const BackendState& backend,
                                                     std::string& error) {
    // Brings the backend session up to date with what the client set since it last ran here.
    net::CommandResult result;
    const bool replays = link.applied_state < state_.size();
    while (link.applied_state < state_.size()) {
        const ReplayCommand& c = state_.at(link.applied_state);
        const auto ec = co_await net::run_command(link.channel, c.command, c.argument,
                                                  login_.capabilities, result);
        if (ec) {
            error = "replaying session state on " + backend.name + " failed: " + ec.message();
            drop(backend.index);
            co_return Replay::broken;
        }
        if (result.failed) {
            // An SQL error says the server is up but not ready for this session (it has not
            // applied the CREATE DATABASE yet, say): never a reason to call it down.
            error =
                "replaying session state on " + backend.name + " failed: " + result.error_message;
            co_return Replay::refused;
        }
        ++link.applied_state;
    }
    // A replica's session is made READ ONLY, again after each replay (the client may have
    // set READ WRITE): should a write ever be sent there, or a read call a function that
    // writes, the replica refuses it even when the account could bypass read_only.
    if (!backend.is_primary && (replays || !link.read_only)) {
        const auto ec = co_await net::run_command(link.channel, mysql::Command::query,
                                                  "SET SESSION TRANSACTION READ ONLY",
                                                  login_.capabilities, result);
        if (ec || result.failed) {
            error = "making the session on " + backend.name +
                    " read-only failed: " + (ec ? ec.message() : result.error_message);
            drop(backend.index);
            co_return Replay::broken;
        }
        link.read_only = true;
    }
    co_return Replay::done;
}

void BackendLinks::close_all() {
    close_sockets();
    for (auto& link : links_)
        link.reset();
    state_.clear();
    client_tracking_ = false;
}

void BackendLinks::close_sockets() {
    for (auto& link : links_) {
        if (link) link->channel.close();
    }
}

void BackendLinks::record_state(mysql::Command command, std::string_view argument,
                                const BackendState& ran_on) {
    state_.record(command, argument);
    if (auto& link = slot(ran_on.index)) {
        link->applied_state = state_.size();
        // Run on a replica (the primary was down), it may have undone READ ONLY there.
        if (!ran_on.is_primary) link->read_only = false;
    }
}

std::vector<std::pair<std::size_t, std::uint32_t>> BackendLinks::threads() const {
    std::vector<std::pair<std::size_t, std::uint32_t>> threads;
    for (std::size_t i = 0; i < links_.size(); ++i) {
        if (links_[i] && links_[i]->channel.is_open())
            threads.emplace_back(i, links_[i]->thread_id);
    }
    return threads;
}

void BackendLinks::forget_statement(std::uint32_t id) {
    for (auto& link : links_) {
        if (link) link->statements.erase(id);
    }
}

}  // namespace sqlgate::proxy
