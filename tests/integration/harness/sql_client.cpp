#include "harness/sql_client.hpp"

#include <mysql.h>

namespace sqlgate::testing {

std::string QueryResult::scalar() const {
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
    return *rows[0][0];
}

std::unique_ptr<SqlClient> SqlClient::connect(const ConnectOptions& o, std::string* error) {
    MYSQL* m = mysql_init(nullptr);
    unsigned timeout = o.timeout_s;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    unsigned long max_packet = 256ul * 1024 * 1024;
    mysql_options(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet);
    if (!o.bind_address.empty()) mysql_options(m, MYSQL_OPT_BIND, o.bind_address.c_str());
    if (o.tls) {
        const my_bool enforce = 1;
        mysql_options(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
        mysql_ssl_set(m, o.ssl_key.empty() ? nullptr : o.ssl_key.c_str(),
                      o.ssl_cert.empty() ? nullptr : o.ssl_cert.c_str(),
                      o.ssl_ca.empty() ? nullptr : o.ssl_ca.c_str(), nullptr, nullptr);
        const my_bool verify = o.verify_server_name ? 1 : 0;
        mysql_options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
    const unsigned long flags = o.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
    if (mysql_real_connect(m, o.host.c_str(), o.user.c_str(), o.password.c_str(),
                           o.database.empty() ? nullptr : o.database.c_str(), o.port, nullptr,
                           flags) == nullptr) {
        if (error != nullptr) *error = std::to_string(mysql_errno(m)) + ": " + mysql_error(m);
        mysql_close(m);
        return nullptr;
    }
    return std::unique_ptr<SqlClient>(new SqlClient(m));
}

SqlClient::~SqlClient() {
    mysql_close(mysql_);
}

QueryResult SqlClient::query(const std::string& sql) {
    QueryResult r;
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
        r.error_code = mysql_errno(mysql_);
        r.error = mysql_error(mysql_);
        return r;
    }
    for (;;) {
        MYSQL_RES* res = mysql_store_result(mysql_);
        if (res != nullptr) {
            r.columns.clear();
            r.rows.clear();
            const unsigned n = mysql_num_fields(res);
            for (unsigned i = 0; i < n; ++i)
                r.columns.emplace_back(mysql_fetch_field_direct(res, i)->name);
            while (MYSQL_ROW row = mysql_fetch_row(res)) {
                const unsigned long* lengths = mysql_fetch_lengths(res);
                auto& out = r.rows.emplace_back();
                for (unsigned i = 0; i < n; ++i) {
                    out.push_back(row[i]
                                      ? std::optional<std::string>(std::string(row[i], lengths[i]))
                                      : std::nullopt);
                }
            }
            mysql_free_result(res);
        } else if (mysql_field_count(mysql_) != 0) {
            r.error_code = mysql_errno(mysql_);
            r.error = mysql_error(mysql_);
            return r;
        } else {
            r.affected_rows = mysql_affected_rows(mysql_);
        }
        const int next = mysql_next_result(mysql_);
        if (next > 0) {
            r.error_code = mysql_errno(mysql_);
            r.error = mysql_error(mysql_);
            return r;
        }
        if (next < 0) break;
    }
    r.ok = true;
    return r;
}

int SqlClient::server_id(const std::string& hint_comment) {
    const QueryResult r = query(hint_comment + "SELECT @@server_id");
    return r.ok ? std::stoi(r.scalar()) : 0;
}

std::string SqlClient::first_column_format(const std::string& sql) {
    if (mysql_query(mysql_, sql.c_str()) != 0) return "error: " + std::string(mysql_error(mysql_));
    MYSQL_RES* res = mysql_store_result(mysql_);
    if (res == nullptr) return "error: no result set";
    MARIADB_CONST_STRING attr{};
    const MYSQL_FIELD* field = mysql_fetch_field(res);
    std::string format;
    if (field != nullptr && mariadb_field_attr(&attr, field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0) {
        format.assign(attr.str, attr.length);
    }
    mysql_free_result(res);
    return format;
}

}  // namespace sqlgate::testing
