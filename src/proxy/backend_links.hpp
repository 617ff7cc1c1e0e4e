// One client session's connections to the backends: at most one per server, opened lazily
// with the client's capabilities, and brought up to date with the session's state by replay.
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
#include "proxy/prepared_statements.hpp"
#include "proxy/session_state.hpp"

namespace sqlgate::proxy {

// One connection of the session to one backend.
// Counts one open link in its server's BackendState::connections_open while it lives.
class LinkCount {
  public:
    explicit LinkCount(std::shared_ptr<int> open) : open_(std::move(open)) { ++*open_; }
    ~LinkCount() { --*open_; }
    LinkCount(const LinkCount&) = delete;
    LinkCount& operator=(const LinkCount&) = delete;

  private:
    std::shared_ptr<int> open_;
};

struct BackendLink {
    BackendLink(net::tcp::socket socket, std::shared_ptr<int> open_count)
        : channel(std::move(socket)), counted(std::move(open_count)) {}
    net::PacketChannel channel;
    LinkCount counted;
    std::size_t applied_state = 0;  // how many SessionState commands this backend has run
    std::string applied_gtid;       // a session write this replica is known to have applied
    std::uint32_t thread_id = 0;    // the server's id for this connection
    bool read_only = false;         // a replica's session refuses writes (see replay)
    // Read-your-writes on the primary: the link logs in with session tracking and tracks
    // last_gtid; `session_changes` hides from the client what it did not ask for.
    bool filters_session_changes = false;
    // Every successful reply that ends with an OK names the GTID its statements wrote, if any.
    bool reports_gtids = false;
    mysql::SessionChangeFilter session_changes;
    // Prepared reads this server knows, by the client's statement id.
    std::unordered_map<std::uint32_t, BackendStatement> statements;
};

class BackendLinks {
  public:
    explicit BackendLinks(boost::asio::any_io_executor executor);

    // How links log in: the proxy's backend account with the client's capabilities and
    // character set, so replies can be relayed unchanged.
    void set_login(net::Login login, std::chrono::milliseconds connect_timeout);
    // Links to the primary learn the GTID of each write from its reply (read-your-writes).
    void track_gtids() { track_gtids_ = true; }
    // The client set session_track_system_variables itself: what the server reports from
    // then on is what it asked for, and the absence of last_gtid says nothing.
    void client_sets_tracking();

    // The open link to `backend`, connected and caught up with the session state first if
    // need be; nullptr with `error` saying why when that fails.
    boost::asio::awaitable<BackendLink*> open(const BackendState& backend, std::string& error);
    // The open link to `backend`, connected if need be but not yet caught up (a replica may
    // first have to apply the session's writes: replaying USE db before it has the
    // database would fail); nullptr with `error` saying why when that fails.
    boost::asio::awaitable<BackendLink*> connect(const BackendState& backend, std::string& error);

    enum class Replay : std::uint8_t {
        done,     // the link has run every state command
        refused,  // the server answered one with an error: the link stays, behind
        broken,   // the connection failed and was dropped
    };
    // Brings `link` (to `backend`) up to date with the session state; `error` says why not.
    boost::asio::awaitable<Replay> replay(BackendLink& link, const BackendState& backend,
                                          std::string& error);
    // The link to backend `index` if one is open, without connecting.
    BackendLink* find(std::size_t index);
    void drop(std::size_t index) {
        if (index < links_.size()) links_[index].reset();
    }
    void close_all();      // closes and forgets every link
    void close_sockets();  // closes every link's socket (the session ends)

    // Keeps a session-state command that `ran_on` has just run, for replay elsewhere.
    void record_state(mysql::Command command, std::string_view argument,
                      const BackendState& ran_on);

    // (backend index, that server's thread id) of every open link.
    std::vector<std::pair<std::size_t, std::uint32_t>> threads() const;
    // Forgets what every link knows of the client's prepared statement `id`.
    void forget_statement(std::uint32_t id);

  private:
    // The slot of backend `index` (servers a reload added get theirs on first use).
    std::unique_ptr<BackendLink>& slot(std::size_t index);

    boost::asio::any_io_executor executor_;
    std::vector<std::unique_ptr<BackendLink>> links_;  // by backend index
    SessionState state_;
    // Makes a new link to the primary report the GTIDs of its writes (see track_gtids).
    boost::asio::awaitable<bool> start_tracking(BackendLink& link, const BackendState& backend,
                                                std::string& error);

    net::Login login_;
    std::chrono::milliseconds connect_timeout_{2'000};
    bool track_gtids_ = false;
    bool client_tracking_ = false;  // see client_sets_tracking
};

}  // namespace sqlgate::proxy
