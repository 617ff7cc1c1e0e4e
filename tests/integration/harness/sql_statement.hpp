// A prepared statement of libmariadb's own statement API (MYSQL_STMT) for the tests: the
// binary protocol as applications drive it, with rows handed back as strings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/sql_client.hpp"

struct st_mysql_stmt;
struct st_mysql_bind;

namespace sqlgate::testing {

class SqlStatement {
  public:
    // Prepares `sql` on the client's connection; prepared() says whether that worked.
    SqlStatement(SqlClient& client, const std::string& sql);
    ~SqlStatement();  // closes the statement
    SqlStatement(const SqlStatement&) = delete;
    SqlStatement& operator=(const SqlStatement&) = delete;

    bool prepared() const { return prepared_; }
    std::string error();
    st_mysql_stmt* handle() { return stmt_; }

    // One parameter per value: integers as MYSQL_TYPE_LONGLONG, strings as MYSQL_TYPE_STRING.
    bool bind(const std::vector<long long>& ints);
    bool bind_strings(const std::vector<std::string>& strings);
    // Later executions open a read-only cursor and fetch `prefetch` rows at a time.
    bool use_cursor(unsigned long prefetch);

    // Executes and fetches every row ("NULL" for SQL NULL); nullopt (see error()) on failure.
    std::optional<std::vector<std::vector<std::string>>> run();

  private:
    bool bind_params();

    st_mysql_stmt* stmt_;
    bool prepared_ = false;
    std::vector<long long> ints_;
    std::vector<std::string> strings_;
    std::vector<unsigned long> lengths_;
    std::vector<st_mysql_bind> binds_;
};

}  // namespace sqlgate::testing
