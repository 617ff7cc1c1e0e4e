// Follows a server's reply to one command packet by packet, without buffering it, so a
// relay knows where the reply ends, whether it failed, and the final status flags.
#pragma once

#include <cstdint>
#include <optional>

#include "mysql/constants.hpp"
#include "mysql/wire.hpp"

namespace sqlgate::mysql {

// How a command's reply is shaped.
enum class ReplyShape : std::uint8_t {
    result,         // COM_QUERY: OK | ERR | result set(s), chained by more_results_exist
    execute,        // COM_STMT_EXECUTE: as result, but may open a cursor (rows come by fetch)
    column_list,    // COM_FIELD_LIST: column definitions ended by EOF (or OK), or ERR
    single_packet,  // COM_STATISTICS: one packet of text
    prepare,        // COM_STMT_PREPARE: OK with counts, then parameter and column definitions
    rows,           // COM_STMT_FETCH: rows of an open cursor ended by EOF (or OK), or ERR
};

// The shape of the reply each command gets (commands that get no reply are not asked).
constexpr ReplyShape reply_shape_of(Command command) {
    switch (command) {
        case Command::field_list:
            return ReplyShape::column_list;
        case Command::statistics:
        case Command::set_option:  // EOF, or OK when deprecate_eof
        case Command::stmt_reset:
        case Command::ping:
            return ReplyShape::single_packet;
        case Command::stmt_prepare:
            return ReplyShape::prepare;
        case Command::stmt_fetch:
            return ReplyShape::rows;
        case Command::stmt_execute:
            return ReplyShape::execute;
        default:
            return ReplyShape::result;
    }
}

class ResponseTracker {
  public:
    enum class Progress : std::uint8_t { more, done, malformed };

    // The most payload bytes on_packet needs to see to classify any packet.
    static constexpr std::size_t kInspectBytes = 32;

    ResponseTracker(Capability capabilities, ReplyShape shape)
        : deprecate_eof_(has(capabilities, Capability::deprecate_eof)),
          shape_(shape),
          state_(shape == ReplyShape::rows ? State::rows : State::first) {}

    // Feeds one packet: its full payload length and at least its first
    // min(length, kInspectBytes) payload bytes.
    Progress on_packet(std::uint32_t payload_length, ByteView prefix);

    // What the packet last fed was, for readers that decode replies (not the relay).
    enum class PacketKind : std::uint8_t {
        ok,
        err,
        column_count,
        column,
        columns_eof,
        row,
        row_continuation,
        terminator,
        other
    };
    PacketKind last_kind() const { return kind_; }

    bool failed() const { return failed_; }           // the reply (or its last part) was ERR
    std::uint16_t status() const { return status_; }  // status flags of the last OK/EOF
    // The session's status flags after this reply, when it carries them: it did not fail and
    // ends with OK or EOF (a prepare's or COM_STATISTICS' reply does not; reading theirs
    // would turn autocommit off).
    std::optional<std::uint16_t> session_status() const {
        if (failed_ || (shape_ != ReplyShape::result && shape_ != ReplyShape::execute &&
                        shape_ != ReplyShape::rows)) {
            return std::nullopt;
        }
        return status_;
    }
    // The packet last fed (at the end: the reply's last) is an OK, first or ending rows:
    // not an EOF, which cannot carry session-state changes.
    bool ended_with_ok() const {
        return kind_ == PacketKind::ok || (kind_ == PacketKind::terminator && deprecate_eof_);
    }
    // The packet last fed is an OK (first or ending rows), or an EOF ending rows, whose status
    // says the session state changed.
    bool reports_session_change() const {
        const bool carries_status =
            (kind_ == PacketKind::ok && shape_ != ReplyShape::prepare) ||
            (kind_ == PacketKind::terminator && shape_ != ReplyShape::column_list);
        return carries_status && has(status_, ServerStatus::session_state_changed);
    }
    std::uint16_t error_code() const { return error_code_; }
    std::uint64_t affected_rows() const { return affected_rows_; }
    std::uint64_t last_insert_id() const { return last_insert_id_; }
    // Of the last OK or EOF: how many warnings the statement left (SHOW WARNINGS lists them).
    std::uint16_t warnings() const { return warnings_; }
    // Of a COM_STMT_PREPARE reply: the server's id for the statement and its parameter count.
    std::uint32_t prepared_statement_id() const { return prepared_id_; }
    std::uint16_t prepared_parameters() const { return prepared_parameters_; }

  private:
    enum class State : std::uint8_t { first, columns, columns_eof, rows, finished };

    Progress on_first(std::uint32_t length, ByteView prefix);
    Progress on_terminator(ByteView prefix, bool is_eof);
    Progress on_column_list(std::uint32_t length, ByteView prefix);
    Progress on_prepare(std::uint32_t length, ByteView prefix);
    Progress next_prepare_section();

    bool deprecate_eof_;
    ReplyShape shape_;
    State state_;
    PacketKind kind_ = PacketKind::other;
    bool continuation_ = false;  // the previous packet was split: this one continues it
    bool failed_ = false;
    std::uint64_t columns_left_ = 0;
    std::uint16_t prepare_params_ = 0;  // definitions still to come after the current ones
    std::uint16_t prepare_columns_ = 0;
    std::uint16_t status_ = 0;
    std::uint16_t error_code_ = 0;
    std::uint64_t affected_rows_ = 0;
    std::uint64_t last_insert_id_ = 0;
    std::uint16_t warnings_ = 0;
    std::uint32_t prepared_id_ = 0;
    std::uint16_t prepared_parameters_ = 0;
};

}  // namespace sqlgate::mysql
