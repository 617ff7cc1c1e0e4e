// A MariaDB GTID position ("0-1-104,1-3-7": per replication domain, the last transaction's
// server id and sequence number), parsed for comparing how far servers have got.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sqlgate::proxy {

class GtidPosition {
  public:
    struct Last {
        std::uint32_t server_id = 0;
        std::uint64_t sequence = 0;
    };

    // nullopt when `text` is not a GTID list; an empty text is the empty position.
    static std::optional<GtidPosition> parse(std::string_view text);

    // True when this position has every transaction `other` has: in each of `other`'s
    // domains, at least its sequence number. (GTID strict mode keeps sequence numbers
    // increasing within a domain, so this is how MariaDB itself compares positions.)
    bool covers(const GtidPosition& other) const;
    // How many transactions `ahead` has that this position has not, summed over `ahead`'s
    // domains (0 when this covers it): a replica's lag in transactions behind its primary.
    std::uint64_t transactions_behind(const GtidPosition& ahead) const;
    // The sum of the sequence numbers: which of two positions that do not cover each other
    // has more transactions, as a last resort.
    std::uint64_t total() const;
    bool empty() const { return last_.empty(); }
    std::string to_string() const;
    // The last transaction of each domain, by domain id.
    const std::map<std::uint32_t, Last>& domains() const { return last_; }

  private:
    std::map<std::uint32_t, Last> last_;  // by domain
};

}  // namespace sqlgate::proxy
