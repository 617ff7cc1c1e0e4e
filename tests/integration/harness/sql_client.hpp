// A real MySQL client for the tests (libmariadb, the MariaDB Connector/C), so that what
// the proxy is checked against is what applications use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct st_mysql;

namespace sqlgate::testing {

struct QueryResult {
    bool ok = false;
    unsigned error_code = 0;
    std::string error;
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;  // of the last result set
    unsigned long long affected_rows = 0;

    // The first row's first value ("" for NULL or no row).
    std::string scalar() const;
};

struct ConnectOptions {
    std::string host;
    unsigned port = 3306;
    std::string user;
    std::string password;
    std::string database;
    std::string bind_address;
    bool multi_statements = false;
    // TLS: required when `tls` is set; the server's certificate is verified against ssl_ca
    // (name included when verify_server_name); ssl_cert/ssl_key present ours.
    bool tls = false;
    std::string ssl_ca;
    std::string ssl_cert;
    std::string ssl_key;
    bool verify_server_name = true;
    unsigned timeout_s = 10;
};

class SqlClient {
  public:
    // nullopt when the connection fails; `error` then says why.
    static std::unique_ptr<SqlClient> connect(const ConnectOptions& options,
                                              std::string* error = nullptr);
    ~SqlClient();

    QueryResult query(const std::string& sql);
    // The server_id of whoever answers `SELECT @@server_id` with this hint (0 on error).
    int server_id(const std::string& hint_comment = "");
    // The format name MariaDB's extended metadata gives the first column of `sql`'s result
    // ("json"), "" when it gives none; "error: ..." when the query fails.
    std::string first_column_format(const std::string& sql);
    st_mysql* handle() { return mysql_; }

  private:
    explicit SqlClient(st_mysql* m) : mysql_(m) {}
    st_mysql* mysql_;
};

}  // namespace sqlgate::testing
