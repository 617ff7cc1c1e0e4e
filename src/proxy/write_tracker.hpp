// Read-your-writes for one session: the GTID of its last committed write (learned from the
// primary only when a replica read follows), and the wait that makes a replica catch up to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "mysql/constants.hpp"
#include "proxy/backend_links.hpp"

namespace sqlgate::proxy {

class WriteTracker {
  public:
    // The primary committed a write whose GTID is not known yet.
    void note_write() { gtid_unknown_ = true; }
    bool gtid_unknown() const { return gtid_unknown_; }
    void clear();

    // Asks the primary (over the session's own link to it) for @@last_gtid.
    boost::asio::awaitable<void> learn_gtid(BackendLink* primary, mysql::Capability capabilities);
    // Waits until `link`'s replica has applied the session's last write; false if it has not
    // within `timeout` (or the wait failed).
    boost::asio::awaitable<bool> catch_up(BackendLink& link, std::chrono::milliseconds timeout,
                                          mysql::Capability capabilities) const;

  private:
    std::string last_gtid_;      // GTID of the session's last committed write
    bool gtid_unknown_ = false;  // a write committed since last_gtid_ was learned
};

}  // namespace sqlgate::proxy
