// The connections to one backend server: each link's login and session state, and the pool
// of idle ones that client sessions borrow for a statement and give back after it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mysql/session_changes.hpp"
#include "mysql/wire.hpp"
#include "net/loop_timer.hpp"
#include "net/packet_channel.hpp"
#include "proxy/session_state.hpp"

namespace sqlgate::proxy {

class LinkPool;
struct LinkQueue;

// What a link logged in with: a session may borrow only a link logged in as it would have
// logged in itself, so that replies relay unchanged (capabilities decide their format).
struct LinkIdentity {
    mysql::Capability capabilities = mysql::Capability::none;
    mysql::MariadbCapability mariadb_capabilities = mysql::MariadbCapability::none;
    std::uint8_t collation = 0;
    bool tracks_gtids = false;  // logged in with session tracking of last_gtid (primary)
    bool operator==(const LinkIdentity&) const = default;
};

// What a server knows of a prepared statement.
struct BackendStatement {
    std::uint32_t id = 0;  // that server's id for it
    mysql::Bytes types;    // the parameter types it last received
};

// Counts one open link in its pool while it lives, and lets a session waiting for a free
// link try again when it closes. Weak: the pool owns its idle links, and a borrowed link may
// outlive the runtime at exit.
class LinkCount {
  public:
    explicit LinkCount(const std::shared_ptr<LinkPool>& pool);
    ~LinkCount();
    LinkCount(const LinkCount&) = delete;
    LinkCount& operator=(const LinkCount&) = delete;
    std::shared_ptr<LinkPool> pool() const { return pool_.lock(); }

  private:
    std::weak_ptr<LinkPool> pool_;
};

// One connection to one backend.
struct BackendLink {
    // Not connected yet, on the thread of `executor` (its ring when it has one).
    BackendLink(const boost::asio::any_io_executor& executor, const std::shared_ptr<LinkPool>& pool,
                LinkIdentity identity)
        : channel(executor), counted(pool), identity(identity) {}
    // Statements queued behind this link's current one never get their turn: each is told.
    ~BackendLink();
    BackendLink(const BackendLink&) = delete;
    BackendLink& operator=(const BackendLink&) = delete;
    net::PacketChannel channel;
    LinkCount counted;
    LinkIdentity identity;
    StatePoint applied;           // the last session-state command this connection ran
    std::string applied_gtid;     // a session write this replica is known to have applied
    std::uint32_t thread_id = 0;  // the server's id for this connection
    bool read_only = false;       // a replica's session refuses writes (see replay)
    bool reused = false;          // taken from the pool: it may have been closed while idle
    // Read-your-writes on the primary: the link logs in with session tracking and tracks
    // last_gtid; `session_changes` hides from the client what it did not ask for.
    bool filters_session_changes = false;
    // Every successful reply that ends with an OK names the GTID its statements wrote, if any.
    bool reports_gtids = false;
    mysql::SessionChangeFilter session_changes;
    // The statements prepared there, by their text, for every session that borrows it.
    std::unordered_map<std::string, BackendStatement> statements_by_text;
    // While lent for a read that other sessions' reads may follow (pipelining): those
    // written behind it, in order. Null otherwise.
    std::shared_ptr<LinkQueue> queue;
};

// Reads written on a lent link behind the statement being relayed there, each waiting for
// its turn to relay its reply. Shared with the waiting sessions: a link that breaks or goes
// away still tells them.
struct LinkQueue {
    struct Turn {
        net::LoopTimer* timer;              // cancelled when the turn comes, or never will
        std::unique_ptr<BackendLink> link;  // handed over when it comes
        bool ended = false;                 // came (with the link) or never will (without)
    };
    std::list<Turn> turns;  // in the order their statements were written
    bool writing = false;   // a statement is being written: the next may not join yet
    bool gone = false;      // the link was destroyed
    // Ends the first turn, handing it `link`; false when no turn waits.
    bool hand_on(std::unique_ptr<BackendLink>& link);
    // Ends every turn without a link (it broke, or went away).
    void fail_all();
};

class LinkPool {
  public:
    // At most `limit` open links to the server (0: no limit).
    void set_limit(std::size_t limit) { limit_ = limit; }
    std::size_t limit() const { return limit_; }  // 0: none
    bool full() const { return limit_ != 0 && open_ >= limit_; }
    int open() const { return static_cast<int>(open_); }
    std::size_t idle() const { return idle_.size(); }

    // An idle link logged in as `identity`, preferably one that has run nothing `state`
    // has not (it needs no reset); nullptr when none is idle that `state` could use.
    std::unique_ptr<BackendLink> take(const LinkIdentity& identity, const SessionState& state);
    // Closes one idle link (of another identity than the borrower needs) to make room.
    bool close_one_idle();
    // Closes every idle link: one turned out dead, the others may be too.
    void close_idle() { idle_.clear(); }
    void give_back(std::unique_ptr<BackendLink> link);
    // Waits until a link is given back or closed, or `deadline`; false at the deadline.
    boost::asio::awaitable<bool> wait_for_link(std::chrono::steady_clock::time_point deadline);

    // Pipelining: `link`, lent for a read, takes reads of other sessions behind it.
    void take_followers(BackendLink& link);
    // A link taking followers, logged in as `identity`, in exactly `state`, with fewer than
    // `depth` statements in flight and none being written; null when there is none.
    BackendLink* followable(const LinkIdentity& identity, const SessionState& state,
                            std::size_t depth) const;
    // `link` takes no more followers (those queued still get their turns).
    void stop_followers(const BackendLink& link);

  private:
    friend class LinkCount;
    void wake_one();

    std::size_t limit_ = 0;
    std::size_t open_ = 0;
    std::vector<std::unique_ptr<BackendLink>> idle_;  // most recently given back last
    std::vector<BackendLink*> followed_;  // lent links taking followers (each unregisters)
    struct Waiter {
        net::LoopTimer* timer;
        bool woken = false;  // a link may be free: it was told to look again
    };
    std::list<Waiter> waiters_;
};

}  // namespace sqlgate::proxy
