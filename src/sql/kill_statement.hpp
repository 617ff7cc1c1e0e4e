// The target of a KILL statement, for a proxy that must translate its own connection ids
// into the backends' thread ids. Only KILL [HARD|SOFT] [CONNECTION|QUERY] [ID] n is understood.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sqlgate::sql {

struct KillRequest {
    bool query_only = false;  // KILL QUERY: stop the statement, keep the connection
    std::uint64_t id = 0;
};

// nullopt when `sql` is not a KILL of one numeric id (KILL USER u, a variable, garbage).
std::optional<KillRequest> parse_kill(std::string_view sql) noexcept;

}  // namespace sqlgate::sql
