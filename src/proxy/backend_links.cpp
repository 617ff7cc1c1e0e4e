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

BackendLink* BackendLinks::find(std::size_t index) const {
    BackendLink* link = index < links_.size() ? links_[index].get() : nullptr;
    return link != nullptr && link->channel.is_open() ? link : nullptr;
}

namespace {

// What a link needs for other sessions' statements to be written behind its own: none of
// its replies edited (GTID tracking) and no TLS record stream that two writers would share.
bool may_take_followers(const BackendLink& link) {
    return !link.filters_session_changes && !link.channel.is_tls();
}

}  // namespace

BackendLink* BackendLinks::followable(const BackendState& backend, std::size_t depth) const {
    if (!shared_ || client_tracking_ || find(backend.index) != nullptr) return nullptr;
    BackendLink* link = backend.links->followable(identity_for(backend), state_, depth);
    if (link == nullptr || (!backend.is_primary && !link->read_only)) return nullptr;
    return link;
}

void BackendLinks::take_followers(std::size_t index) {
    BackendLink* link = find(index);
    if (link == nullptr || !shared_ || client_tracking_ || !may_take_followers(*link)) return;
    if (const auto pool = link->counted.pool()) pool->take_followers(*link);
}

bool BackendLinks::hand_on(std::size_t index) {
    if (index >= links_.size() || !links_[index] || !links_[index]->queue) return false;
    auto& link = links_[index];
    const std::shared_ptr<LinkQueue> queue = link->queue;
    if (queue->hand_on(link)) return true;
    if (const auto pool = link->counted.pool()) pool->stop_followers(*link);
    link->queue.reset();
    return false;
}

BackendLink& BackendLinks::adopt(std::size_t index, std::unique_ptr<BackendLink> link) {
    auto& mine = slot(index);
    mine = std::move(link);
    return *mine;
}

awaitable<BackendLink*> BackendLinks::open(const BackendState& backend, std::string& error) {
    BackendLink* link = co_await connect(backend, error);
    if (link == nullptr) co_return nullptr;
    if (co_await replay(*link, backend, error) == Replay::done) co_return link;
    drop(backend.index);
    co_return nullptr;
}

LinkIdentity BackendLinks::identity_for(const BackendState& backend) const {
    const bool tracks = track_gtids_ && backend.is_primary;
    return {.capabilities = tracks ? login_.capabilities | mysql::Capability::session_track
                                   : login_.capabilities,
            .mariadb_capabilities = login_.mariadb_capabilities,
            .collation = login_.collation,
            .tracks_gtids = tracks};
}

awaitable<BackendLink*> BackendLinks::connect(const BackendState& backend, std::string& error) {
    auto& link = slot(backend.index);
    // A link opened READ ONLY while this server was a replica cannot take the writes it gets
    // as the primary since a failover: a new one is opened (and the session state replayed).
    if (link && ((link->read_only && backend.is_primary) || !link->channel.is_open())) {
        link.reset();
    }
    pool_exhausted_ = false;
    if (link) co_return link.get();
    const LinkIdentity identity = identity_for(backend);
    const std::shared_ptr<LinkPool> pool = backend.links;  // alive while this waits
    const auto deadline = std::chrono::steady_clock::now() + pool_wait_;
    while (true) {
        if (shared_) {
            link = pool->take(identity, state_);
            if (link && link->read_only && backend.is_primary) {
                link.reset();
                continue;
            }
            if (link) co_return link.get();
        }
        if (!pool->full() || pool->close_one_idle()) break;
        if (!co_await pool->wait_for_link(deadline)) {
            pool_exhausted_ = true;
            error = "all " + std::to_string(pool->open()) + " connections to it are busy";
            co_return nullptr;
        }
    }
    link = co_await log_in(backend, identity, error);
    co_return link.get();
}

awaitable<std::unique_ptr<BackendLink>> BackendLinks::log_in(const BackendState& backend,
                                                             const LinkIdentity& identity,
                                                             std::string& error) {
    auto link = std::make_unique<BackendLink>(executor_, backend.links, identity);
    net::ServerInfo info;
    std::string diagnostics;
    net::Login login = login_;
    login.capabilities = identity.capabilities;
    if (const auto ec = co_await net::connect_and_login(link->channel, backend.address, login,
                                                        connect_timeout_, info, diagnostics)) {
        error = diagnostics.empty() ? ec.message() : diagnostics;
        co_return nullptr;
    }
    link->thread_id = info.connection_id;
    if (identity.tracks_gtids && !co_await start_tracking(*link, backend, error)) co_return nullptr;
    co_return link;
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
    bool replays = !state_.missing_after(link.applied, missing_);
    if (replays) {
        // A borrowed link that ran another session's state: back to a fresh login's state
        // (the schema stays, which is why LinkPool::take never lends such a link to a session
        // that chose none), then this session's state from the start.
        auto ec = co_await net::run_command(link.channel, mysql::Command::reset_connection, {},
                                            login_.capabilities, result);
        if (!ec && result.failed) ec = make_error_code(std::errc::operation_not_supported);
        if (ec) {
            error = "resetting a connection to " + backend.name +
                    " failed: " + (result.failed ? result.error_message : ec.message());
            drop(backend.index);
            co_return Replay::broken;
        }
        link.applied.reset();
        link.read_only = false;
        link.statements_by_text.clear();
        if (link.filters_session_changes && !co_await start_tracking(link, backend, error)) {
            drop(backend.index);
            co_return Replay::broken;
        }
        state_.missing_after(nullptr, missing_);
    }
    replays = replays || !missing_.empty();
    for (const StateStep* step : missing_) {
        const auto ec = co_await net::run_command(link.channel, step->command, step->argument,
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
            link.applied = step->previous;
            co_return Replay::refused;
        }
    }
    if (!missing_.empty()) link.applied = state_.last();
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

void BackendLinks::release(std::size_t index) {
    // A client that chose what its session tracks gets replies filtered its own way.
    if (!shared_ || client_tracking_ || index >= links_.size() || !links_[index]) return;
    auto& link = links_[index];
    // Its own pool: the one that counts it (gone at exit).
    const std::shared_ptr<LinkPool> pool = link->counted.pool();
    if (pool == nullptr || !link->channel.is_open()) {
        link.reset();
        return;
    }
    pool->give_back(std::move(link));
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
                                bool chooses_schema, const BackendState& ran_on) {
    state_.record(command, argument, chooses_schema);
    if (auto& link = slot(ran_on.index)) {
        link->applied = state_.last();
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

}  // namespace sqlgate::proxy
