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
    slot = std::move(entry);
    return *slot;
}

bool PreparedStatements::has_open_cursor() const {
    return std::any_of(statements_.begin(), statements_.end(),
                       [](const auto& entry) { return entry.second->cursor_open; });
}

bool PreparedStatements::has_long_data() const {
    return std::any_of(statements_.begin(), statements_.end(),
                       [](const auto& entry) { return entry.second->long_data_pending; });
}

PreparedStatement* PreparedStatements::find(std::uint32_t id) {
    const auto it = statements_.find(id);
    return it == statements_.end() ? nullptr : it->second.get();
}

}  // namespace sqlgate::proxy
