// A small blocking MySQL client over libmariadb for the workload: one connection, text
// queries sent byte for byte, answers fully fetched; reconnects after a lost connection.
#pragma once

#include <mysql.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "workload/statement_sink.hpp"

namespace sqlgate::workload {

struct MysqlCloser {
    void operator()(MYSQL* mysql) const { mysql_close(mysql); }
};
struct ResultFreer {
    void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

struct ConnectParams {
    std::optional<std::string> host;  // nullopt: from defaults_file, else the connector's
    unsigned port = 0;                // 0: from defaults_file, else 3306
    std::optional<std::string> user;
    std::optional<std::string> password;
    std::string defaults_file;
    std::string bind_address;
    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds read_timeout{10};
};

class Client : public StatementSink {
  public:
    explicit Client(ConnectParams params) : params_(std::move(params)) {}

    // Empty on success, else the connector's error in the form QueryResult::error uses.
    std::string connect(unsigned* error_code = nullptr);

    // A statement that fails because the connection died is not retried (it may have run);
    // the next one reconnects first. The route is ignored: the SQL's hint comment says it.
    QueryResult query(std::string_view sql, Route route) override;

    // Whether the connection is still open and answers (never reconnects).
    bool ping() { return mysql_ && mysql_ping(mysql_.get()) == 0; }

  private:
    ConnectParams params_;
    MysqlHandle mysql_;
};

}  // namespace sqlgate::workload
