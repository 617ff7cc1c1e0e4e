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
    bool long_data_pending() const { return long_data_pending_; }
    // Executed with a cursor on the primary, not closed or reset since.
    bool cursor_open() const { return cursor_open_; }

    // Keeps `types` when an execution carries them.
    void note_types(mysql::ByteView sent);

  private:
    friend class PreparedStatements;  // sets the flags, counting them
    bool long_data_pending_ = false;
    bool cursor_open_ = false;
};

class PreparedStatements {
  public:
    // Describes `text` once. Replaces an entry with the same id: the primary reuses ids only
    // after the client closed the statement or the connection was opened again.
    PreparedStatement& add(std::uint32_t id, std::string_view text, std::uint16_t parameters,
                           const sql::DescribeOptions& options = {});
    PreparedStatement* find(std::uint32_t id);
    void erase(std::uint32_t id);
    void clear();
    bool empty() const { return statements_.empty(); }

    // The flags of a statement of this set. Any of them pins the session to the primary's
    // connection, asked after every statement: kept as counts, not found by looking at each.
    void set_cursor_open(PreparedStatement& statement, bool open);
    void set_long_data_pending(PreparedStatement& statement, bool pending);
    bool has_open_cursor() const { return open_cursors_ != 0; }
    bool has_long_data() const { return pending_long_data_ != 0; }

    // What kLastPreparedStatement names: the session's last prepare, if it succeeded.
    void set_last(std::optional<std::uint32_t> id) { last_ = id; }
    std::optional<std::uint32_t> last() const { return last_; }

  private:
    std::unordered_map<std::uint32_t, std::unique_ptr<PreparedStatement>> statements_;
    std::optional<std::uint32_t> last_;
    std::size_t open_cursors_ = 0;
    std::size_t pending_long_data_ = 0;

    void forget_flags(PreparedStatement& statement);
};

}  // namespace sqlgate::proxy
