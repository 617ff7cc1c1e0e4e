// Where the workload sends its statements: the seam between the workload logic and the
// two ways of reaching sqlgate (the MySQL protocol, the gatekeeper's HTTPS JSON API).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::workload {

using Row = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

struct QueryResult {
    unsigned error_code = 0;  // the MySQL error number, when the failure carried one
    std::string error;        // "ERROR 1146 (42S02): Table ... doesn't exist", as the CLI prints it
    unsigned http_status = 0;  // HTTP mode: the answer's status; 0 when none arrived
    std::uint64_t affected_rows = 0;
    std::vector<Row> rows;

    bool ok() const { return error.empty(); }
};

// What a statement is for. Over MySQL the route hint in the SQL already says it all; the
// HTTP API has one endpoint per purpose, so the statement has to be told where to go.
enum class Route {
    write,   // DDL, TRUNCATE, INSERT: POST /populate_tables
    direct,  // reads with a strategy: POST /fetch_direct, /fetch_random, /fetch_customized
    random,
    customized,
    node,  // a read pinned to one server by a node:NAME hint in the SQL: POST /v1/query
};

class StatementSink {
  public:
    virtual ~StatementSink() = default;

    // Runs one statement and fetches its whole answer. `sql` is sent as written, hint
    // comments included, whatever the route.
    virtual QueryResult query(std::string_view sql, Route route) = 0;
};

}  // namespace sqlgate::workload
