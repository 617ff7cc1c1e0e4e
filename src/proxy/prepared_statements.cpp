#include "proxy/prepared_statements.hpp"

#include <algorithm>

#include "sql/classifier.hpp"

namespace sqlgate::proxy {

void PreparedStatement::note_types(mysql::ByteView sent) {
    types.assign(sent.begin(), sent.end());
}

PreparedStatement& PreparedStatements::add(std::uint32_t id, std::string_view text,
                                           std::uint16_t parameters,
                                           const sql::DescribeOptions& options) {
    auto entry = std::make_unique<PreparedStatement>();
    entry->text.assign(text);
    entry->info = sql::describe(entry->text, options);
    entry->parameters = parameters;
    auto& slot = statements_[id];
    if (slot) forget_flags(*slot);
    slot = std::move(entry);
    return *slot;
}

void PreparedStatements::set_cursor_open(PreparedStatement& statement, bool open) {
    if (statement.cursor_open_ == open) return;
    statement.cursor_open_ = open;
    open ? ++open_cursors_ : --open_cursors_;
}

void PreparedStatements::set_long_data_pending(PreparedStatement& statement, bool pending) {
    if (statement.long_data_pending_ == pending) return;
    statement.long_data_pending_ = pending;
    pending ? ++pending_long_data_ : --pending_long_data_;
}

void PreparedStatements::forget_flags(PreparedStatement& statement) {
    set_cursor_open(statement, false);
    set_long_data_pending(statement, false);
}

void PreparedStatements::erase(std::uint32_t id) {
    const auto it = statements_.find(id);
    if (it == statements_.end()) return;
    forget_flags(*it->second);
    statements_.erase(it);
}

void PreparedStatements::clear() {
    statements_.clear();
    last_.reset();
    open_cursors_ = 0;
    pending_long_data_ = 0;
}

PreparedStatement* PreparedStatements::find(std::uint32_t id) {
    const auto it = statements_.find(id);
    return it == statements_.end() ? nullptr : it->second.get();
}

}  // namespace sqlgate::proxy
