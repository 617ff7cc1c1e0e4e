#include "harness/sql_statement.hpp"

#include <mysql.h>

namespace sqlgate::testing {

SqlStatement::SqlStatement(SqlClient& client, const std::string& sql)
    : stmt_(mysql_stmt_init(client.handle())) {
    prepared_ = mysql_stmt_prepare(stmt_, sql.data(), sql.size()) == 0;
}

SqlStatement::~SqlStatement() {
    mysql_stmt_close(stmt_);
}

std::string SqlStatement::error() {
    return mysql_stmt_error(stmt_);
}

bool SqlStatement::bind(const std::vector<long long>& ints) {
    ints_ = ints;
    strings_.clear();
    binds_.assign(ints_.size(), MYSQL_BIND{});
    for (std::size_t i = 0; i < ints_.size(); ++i) {
        binds_[i].buffer_type = MYSQL_TYPE_LONGLONG;
        binds_[i].buffer = &ints_[i];
    }
    return bind_params();
}

bool SqlStatement::bind_strings(const std::vector<std::string>& strings) {
    strings_ = strings;
    ints_.clear();
    lengths_.assign(strings_.size(), 0);
    binds_.assign(strings_.size(), MYSQL_BIND{});
    for (std::size_t i = 0; i < strings_.size(); ++i) {
        lengths_[i] = strings_[i].size();
        binds_[i].buffer_type = MYSQL_TYPE_STRING;
        binds_[i].buffer = strings_[i].data();
        binds_[i].buffer_length = lengths_[i];
        binds_[i].length = &lengths_[i];
    }
    return bind_params();
}

bool SqlStatement::use_cursor(unsigned long prefetch) {
    unsigned long type = CURSOR_TYPE_READ_ONLY;
    return mysql_stmt_attr_set(stmt_, STMT_ATTR_CURSOR_TYPE, &type) == 0 &&
           mysql_stmt_attr_set(stmt_, STMT_ATTR_PREFETCH_ROWS, &prefetch) == 0;
}

bool SqlStatement::bind_params() {
    return mysql_stmt_bind_param(stmt_, binds_.data()) == 0;
}

std::optional<std::vector<std::vector<std::string>>> SqlStatement::run() {
    if (mysql_stmt_execute(stmt_) != 0) return std::nullopt;
    std::vector<std::vector<std::string>> rows;
    const unsigned columns = mysql_stmt_field_count(stmt_);
    if (columns == 0) return rows;
    std::vector<MYSQL_BIND> out(columns, MYSQL_BIND{});
    std::vector<std::vector<char>> buffers(columns, std::vector<char>(256));
    std::vector<unsigned long> lengths(columns);
    std::vector<my_bool> nulls(columns);
    for (unsigned i = 0; i < columns; ++i) {
        out[i].buffer_type = MYSQL_TYPE_STRING;
        out[i].buffer = buffers[i].data();
        out[i].buffer_length = buffers[i].size();
        out[i].length = &lengths[i];
        out[i].is_null = &nulls[i];
    }
    if (mysql_stmt_bind_result(stmt_, out.data()) != 0) return std::nullopt;
    int status = 0;
    while ((status = mysql_stmt_fetch(stmt_)) == 0) {
        rows.emplace_back();
        for (unsigned i = 0; i < columns; ++i) {
            rows.back().push_back(nulls[i] ? "NULL" : std::string(buffers[i].data(), lengths[i]));
        }
    }
    if (status != MYSQL_NO_DATA) return std::nullopt;
    return rows;
}

}  // namespace sqlgate::testing
