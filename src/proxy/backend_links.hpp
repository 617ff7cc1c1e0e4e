// One client session's connections to the backends: at most one per server at a time,
// borrowed from the server's pool (or opened with the client's capabilities) and brought up
// to date with the session's state by replay; given back when nothing pins the session.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mysql/session_changes.hpp"
#include "net/mysql_client.hpp"
#include "net/packet_channel.hpp"
#include "proxy/backend_state.hpp"
#include "proxy/link_pool.hpp"
#include "proxy/prepared_statements.hpp"
#include "proxy/session_state.hpp"

namespace sqlgate::proxy {

class BackendLinks {
  public:
    explicit BackendLinks(boost::asio::any_io_executor executor);

    // How links log in: the proxy's backend account with the client's capabilities and
    // character set, so replies can be relayed unchanged.
    void set_login(net::Login login, std::chrono::milliseconds connect_timeout);
    // Borrow idle links from the servers' pools and give them back (release); without,
    // every link is the session's own until it ends. `wait`: how long to wait for a free
    // link when a pool has its most.
    void share_links(bool shared, std::chrono::milliseconds wait) {
        shared_ = shared;
        pool_wait_ = wait;
    }
    bool shares_links() const { return shared_; }
    // Links to the primary learn the GTID of each write from its reply (read-your-writes).
    void track_gtids() { track_gtids_ = true; }
    // The client set session_track_system_variables itself: what the server reports from
    // then on is what it asked for, and the absence of last_gtid says nothing.
    void client_sets_tracking();
    bool tracks_for_client() const { return client_tracking_; }

    // The open link to `backend`, connected and caught up with the session state first if
    // need be; nullptr with `error` saying why when that fails.
    boost::asio::awaitable<BackendLink*> open(const BackendState& backend, std::string& error);
    // The open link to `backend`, connected if need be but not yet caught up (a replica may
    // first have to apply the session's writes: replaying USE db before it has the
    // database would fail); nullptr with `error` saying why when that fails.
    boost::asio::awaitable<BackendLink*> connect(const BackendState& backend, std::string& error);
    // The last connect failed because every connection the server's pool may open was busy
    // until the wait ran out: the server is up, only saturated.
    bool pool_exhausted() const { return pool_exhausted_; }

    enum class Replay : std::uint8_t {
        done,     // the link has run every state command
        refused,  // the server answered one with an error: the link stays, behind
        broken,   // the connection failed and was dropped
    };
    // Brings `link` (to `backend`) up to date with the session state; `error` says why not.
    boost::asio::awaitable<Replay> replay(BackendLink& link, const BackendState& backend,
                                          std::string& error);
    // The link to backend `index` if one is open, without connecting.
    BackendLink* find(std::size_t index) const;

    // Pipelining (see LinkQueue). A link to `backend` lent to another session for a read,
    // that this session's next read may follow on the same connection: logged in as this
    // session would be, in its state, plain TCP, with fewer than `depth` statements in flight.
    // Null when there is none, or this session has a link of its own there.
    BackendLink* followable(const BackendState& backend, std::size_t depth) const;
    // The link to backend `index` (lent for a read just written) takes followers.
    void take_followers(std::size_t index);
    // After its reply: hands the link to backend `index` to the first statement queued
    // behind it (true), or, when none is, stops it taking followers (false).
    bool hand_on(std::size_t index);
    // The link handed to this session's queued statement becomes its link to `index`.
    BackendLink& adopt(std::size_t index, std::unique_ptr<BackendLink> link);
    void drop(std::size_t index) {
        if (index < links_.size()) links_[index].reset();
    }
    // Gives the link to backend `index` (if any) back to its server's pool (when links are
    // shared); `index` below slots().
    void release(std::size_t index);
    std::size_t slots() const { return links_.size(); }
    void close_all();      // closes and forgets every link
    void close_sockets();  // closes every link's socket (the session ends)

    // Keeps a session-state command that `ran_on` has just run, for replay elsewhere.
    // `chooses_schema`: USE or COM_INIT_DB.
    void record_state(mysql::Command command, std::string_view argument, bool chooses_schema,
                      const BackendState& ran_on);

    // (backend index, that server's thread id) of every open link.
    std::vector<std::pair<std::size_t, std::uint32_t>> threads() const;

  private:
    // The slot of backend `index` (servers a reload added get theirs on first use).
    std::unique_ptr<BackendLink>& slot(std::size_t index);

    boost::asio::any_io_executor executor_;
    std::vector<std::unique_ptr<BackendLink>> links_;  // by backend index
    SessionState state_;
    std::vector<const StateStep*> missing_;  // what replay runs (kept: no allocation each time)
    // How a link to `backend` logs in for this session.
    LinkIdentity identity_for(const BackendState& backend) const;
    // Logs a new link in to `backend` as `identity`; nullptr with `error` saying why when
    // that fails.
    boost::asio::awaitable<std::unique_ptr<BackendLink>> log_in(const BackendState& backend,
                                                                const LinkIdentity& identity,
                                                                std::string& error);
    // Makes a new link to the primary report the GTIDs of its writes (see track_gtids).
    boost::asio::awaitable<bool> start_tracking(BackendLink& link, const BackendState& backend,
                                                std::string& error);

    net::Login login_;
    std::chrono::milliseconds connect_timeout_{2'000};
    bool track_gtids_ = false;
    bool client_tracking_ = false;  // see client_sets_tracking
    bool shared_ = false;
    bool pool_exhausted_ = false;
    std::chrono::milliseconds pool_wait_{10'000};
};

}  // namespace sqlgate::proxy
