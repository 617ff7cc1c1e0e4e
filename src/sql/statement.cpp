#include "sql/statement.hpp"

#include "sql/lexer.hpp"

namespace sqlgate::sql {

std::string StatementInfo::schema_name() const {
    if (!schema_quoted) return std::string(schema);
    // identifier_value expects the quotes that `schema` leaves out.
    std::string quoted;
    quoted.reserve(schema.size() + 2);
    quoted.append("`").append(schema).append("`");
    return identifier_value(quoted);
}

std::string_view to_string(StatementClass value) noexcept {
    switch (value) {
        case StatementClass::read:
            return "read";
        case StatementClass::write:
            return "write";
        case StatementClass::transaction:
            return "transaction";
        case StatementClass::session_state:
            return "session_state";
        case StatementClass::other:
            return "other";
    }
    return "other";
}

std::string_view to_string(TransactionEffect value) noexcept {
    switch (value) {
        case TransactionEffect::none:
            return "none";
        case TransactionEffect::begin:
            return "begin";
        case TransactionEffect::commit:
            return "commit";
        case TransactionEffect::rollback:
            return "rollback";
        case TransactionEffect::commit_and_chain:
            return "commit_and_chain";
        case TransactionEffect::rollback_and_chain:
            return "rollback_and_chain";
        case TransactionEffect::savepoint:
            return "savepoint";
    }
    return "none";
}

std::string_view to_string(PrimaryReason value) noexcept {
    switch (value) {
        case PrimaryReason::none:
            return "none";
        case PrimaryReason::locking_read:
            return "locking_read";
        case PrimaryReason::select_into:
            return "select_into";
        case PrimaryReason::primary_function:
            return "primary_function";
        case PrimaryReason::primary_variable:
            return "primary_variable";
        case PrimaryReason::user_variable_assignment:
            return "user_variable_assignment";
        case PrimaryReason::calc_found_rows:
            return "calc_found_rows";
        case PrimaryReason::stored_function:
            return "stored_function";
        case PrimaryReason::multiple_statements:
            return "multiple_statements";
        case PrimaryReason::versioned_comment:
            return "versioned_comment";
    }
    return "none";
}

}  // namespace sqlgate::sql
