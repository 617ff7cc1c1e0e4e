// Read-your-writes for one session: the GTID of its last committed write (read from the
// write's reply where the primary reports it, else asked for when a replica read follows),
// and the wait that makes a replica catch up to it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "mysql/constants.hpp"
#include "proxy/backend_links.hpp"

namespace sqlgate::proxy {

class WriteTracker {
  public:
    // The primary ran a statement that may have written. `gtid_reported`: its reply would
    // have named the GTID of anything it committed (see learned), so none is to be learned.
    void note_write(bool gtid_reported) {
        if (!gtid_reported) gtid_unknown_ = true;
    }
    // A reply from the primary named the session's last GTID (session tracking).
    void learned(std::string_view gtid);
    bool gtid_unknown() const { return gtid_unknown_; }
    // `link` has applied the session's last write (or there is none to wait for).
    bool caught_up(const BackendLink& link) const {
        return last_gtid_.empty() || link.applied_gtid == last_gtid_;
    }
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
