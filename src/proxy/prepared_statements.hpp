// The statements a client prepared, by the ids the session gave it, with what it takes to
// prepare them on any backend connection and to route each execution.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mysql/wire.hpp"
#include "sql/classifier.hpp"
#include "sql/statement.hpp"

namespace sqlgate::proxy {

struct PreparedStatement {
    std::string text;
    sql::StatementInfo info;  // views into `text`, which never moves (the entry is on the heap)
    std::uint16_t parameters = 0;
    // The parameter types the client sent last: a backend that has received others (or
    // none) gets them added to the execute.
    mysql::Bytes types;
    // COM_STMT_SEND_LONG_DATA went to the primary since the last execution: the next one
    // must run there, where the data waits.
    bool long_data_pending = false;
    // Executed with a cursor on the primary, not closed or reset since.
    bool cursor_open = false;

    // Keeps `types` when an execution carries them.
    void note_types(mysql::ByteView sent);
};

class PreparedStatements {
  public:
    // Describes `text` once. Replaces an entry with the same id: the primary reuses ids only
    // after the client closed the statement or the connection was opened again.
    PreparedStatement& add(std::uint32_t id, std::string_view text, std::uint16_t parameters,
                           const sql::DescribeOptions& options = {});
    PreparedStatement* find(std::uint32_t id);
    void erase(std::uint32_t id) { statements_.erase(id); }
    void clear() {
        statements_.clear();
        last_.reset();
    }
    bool empty() const { return statements_.empty(); }
    bool has_open_cursor() const;
    bool has_long_data() const;

    // What kLastPreparedStatement names: the session's last prepare, if it succeeded.
    void set_last(std::optional<std::uint32_t> id) { last_ = id; }
    std::optional<std::uint32_t> last() const { return last_; }

  private:
    std::unordered_map<std::uint32_t, std::unique_ptr<PreparedStatement>> statements_;
    std::optional<std::uint32_t> last_;
};

}  // namespace sqlgate::proxy
