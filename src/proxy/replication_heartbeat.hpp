// The monitor's heartbeat row: written on the primary every interval and read on each replica,
// so a replica that stopped receiving shows its lag even while the application writes nothing.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "config/proxy_config.hpp"
#include "net/mysql_client.hpp"
#include "proxy/backend_state.hpp"
#include "proxy/replication_delay.hpp"

namespace sqlgate::proxy {

class ReplicationHeartbeat {
  public:
    ReplicationHeartbeat(boost::asio::any_io_executor executor, const config::ProxyConfig& config,
                         std::vector<BackendState>& backends);

    bool enabled() const { return config_.heartbeat_interval.count() > 0; }
    // Starts writing beats on whichever server is the writable primary; nothing when off.
    void start();

    // What a replica's monitor runs to read the beat it holds.
    const std::string& read_statement() const { return read_sql_; }
    // The beat in a reply to read_statement(): 0 while the row has not reached the replica.
    static HeartbeatBeat beat_in(const net::CommandResult& reply);
    // How long a replica holding `beat` has lacked the next one (0: it has the latest).
    Clock::duration delay_of(HeartbeatBeat beat, Clock::time_point now) const {
        return timeline_.delay_of(beat, now);
    }

  private:
    boost::asio::awaitable<void> run();
    // The primary a beat may be written on: reached, not fenced or removed, not read-only (a
    // restarted or demoted node is read-only, and the monitor's account may bypass that).
    const BackendState* writable_primary() const;
    void note_outcome(bool written, const std::string& error);

    boost::asio::any_io_executor executor_;
    const config::ProxyConfig& config_;
    std::vector<BackendState>& backends_;
    // This process's row: several proxies (or restarts) each keep their own beats.
    std::uint64_t writer_;
    std::string table_;  // `schema`.`table`
    std::string read_sql_;
    std::uint64_t next_beat_ = 1;
    HeartbeatTimeline timeline_;  // when each beat was committed on the primary
    bool failing_ = false;
};

}  // namespace sqlgate::proxy
