#include "workload/client.hpp"

#include <errmsg.h>

namespace sqlgate::workload {

namespace {

std::string format_error(MYSQL* mysql) {
    return "ERROR " + std::to_string(mysql_errno(mysql)) + " (" + mysql_sqlstate(mysql) +
           "): " + mysql_error(mysql);
}

bool connection_lost(unsigned code) {
    return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
           code == CR_CONN_HOST_ERROR;
}

const char* or_null(const std::optional<std::string>& value) {
    return value ? value->c_str() : nullptr;
}

}  // namespace

std::string Client::connect(unsigned* error_code) {
    mysql_.reset();
    MysqlHandle mysql(mysql_init(nullptr));
    if (!mysql) {
        if (error_code) *error_code = CR_OUT_OF_MEMORY;
        return "ERROR 2008 (HY000): mysql_init failed (out of memory)";
    }
    const unsigned connect_timeout = static_cast<unsigned>(params_.connect_timeout.count());
    const unsigned io_timeout = static_cast<unsigned>(params_.read_timeout.count());
    mysql_options(mysql.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(mysql.get(), MYSQL_OPT_READ_TIMEOUT, &io_timeout);
    mysql_options(mysql.get(), MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
    mysql_options(mysql.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!params_.defaults_file.empty()) {
        mysql_options(mysql.get(), MYSQL_READ_DEFAULT_FILE, params_.defaults_file.c_str());
        mysql_options(mysql.get(), MYSQL_READ_DEFAULT_GROUP, "client");
    }
    // Set after the defaults file so an explicit --bind-address is what gets used.
    if (!params_.bind_address.empty()) {
        mysql_options(mysql.get(), MYSQL_OPT_BIND, params_.bind_address.c_str());
    }
    if (!mysql_real_connect(mysql.get(), or_null(params_.host), or_null(params_.user),
                            or_null(params_.password), nullptr, params_.port, nullptr, 0)) {
        if (error_code) *error_code = mysql_errno(mysql.get());
        return format_error(mysql.get());
    }
    mysql_ = std::move(mysql);
    if (error_code) *error_code = 0;
    return {};
}

QueryResult Client::query(std::string_view sql, Route /*route*/) {
    QueryResult result;
    if (!mysql_) {
        if (auto error = connect(&result.error_code); !error.empty()) {
            result.error = "reconnect failed: " + error;
            return result;
        }
    }
    MYSQL* mysql = mysql_.get();
    auto fail = [&] {
        result.error_code = mysql_errno(mysql);
        result.error = format_error(mysql);
        if (connection_lost(result.error_code)) mysql_.reset();
        return result;
    };
    if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return fail();
    if (mysql_field_count(mysql) == 0) {
        result.affected_rows = mysql_affected_rows(mysql);
        return result;
    }
    ResultHandle res(mysql_store_result(mysql));
    if (!res) return fail();
    const unsigned fields = mysql_num_fields(res.get());
    while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
        const unsigned long* lengths = mysql_fetch_lengths(res.get());
        Row& out = result.rows.emplace_back(fields);
        for (unsigned i = 0; i < fields; ++i) {
            if (row[i]) out[i].emplace(row[i], lengths[i]);
        }
    }
    return result;
}

}  // namespace sqlgate::workload
