#include "mysql/response_tracker.hpp"

#include "mysql/packet.hpp"

namespace sqlgate::mysql {
namespace {

// An EOF packet is 5 bytes; an OK packet ending rows starts with 0xfe too but a row whose
// first value is a 0xfe-prefixed length is at least 9 bytes long and ends a 16 MiB packet
// at most, so "starts with 0xfe and is short" identifies a terminator.
bool is_eof_packet(std::uint32_t length, ByteView prefix) {
    return length < 9 && !prefix.empty() && prefix[0] == kEofHeader;
}

bool is_ok_terminator(std::uint32_t length, ByteView prefix) {
    return length < kMaxPayload && !prefix.empty() && prefix[0] == kEofHeader;
}

// A COM_STMT_EXECUTE that opened a cursor ends with the EOF after its column definitions:
// the rows come later, one COM_STMT_FETCH at a time. (With deprecate_eof the reply ends
// with an OK terminator instead, as an empty result would.) Only an execute can open one:
// a text result set produced inside a stored program that holds an open cursor carries the
// same flag, and its rows do follow.
bool opens_cursor(ByteView eof) {
    ByteReader r(eof);
    r.skip(1 + 2);  // header, warnings
    const std::uint16_t status = r.u16();
    return r.ok() && has(status, ServerStatus::cursor_exists);
}

}  // namespace

ResponseTracker::Progress ResponseTracker::on_packet(std::uint32_t length, ByteView prefix) {
    if (prefix.size() > length) prefix = prefix.first(length);
    const bool was_continuation = continuation_;
    continuation_ = (length == kMaxPayload);
    if (was_continuation) {
        kind_ = PacketKind::row_continuation;
        // The tail of a split packet: only rows and single packets may be that large.
        return (state_ == State::rows || shape_ == ReplyShape::single_packet) ? Progress::more
                                                                              : Progress::malformed;
    }
    if (state_ == State::finished) return Progress::malformed;
    if (!prefix.empty() && prefix[0] == kErrHeader && state_ != State::columns) {
        // ERR can end the reply at any point but inside column definitions.
        ByteReader r(prefix);
        r.skip(1);
        error_code_ = r.u16();
        failed_ = true;
        kind_ = PacketKind::err;
        state_ = State::finished;
        return Progress::done;
    }
    kind_ = PacketKind::other;
    if (shape_ == ReplyShape::single_packet) {
        if (continuation_) return Progress::more;
        state_ = State::finished;
        return Progress::done;
    }
    if (shape_ == ReplyShape::column_list) return on_column_list(length, prefix);
    if (shape_ == ReplyShape::prepare) return on_prepare(length, prefix);

    switch (state_) {
        case State::first:
            return on_first(length, prefix);
        case State::columns:
            kind_ = PacketKind::column;
            if (--columns_left_ == 0) state_ = deprecate_eof_ ? State::rows : State::columns_eof;
            return Progress::more;
        case State::columns_eof:
            if (!is_eof_packet(length, prefix)) return Progress::malformed;
            kind_ = PacketKind::columns_eof;
            state_ = State::rows;
            return shape_ == ReplyShape::execute && opens_cursor(prefix)
                       ? on_terminator(prefix, true)
                       : Progress::more;
        case State::rows:
            if (deprecate_eof_ ? is_ok_terminator(length, prefix) : is_eof_packet(length, prefix)) {
                kind_ = PacketKind::terminator;
                return on_terminator(prefix, !deprecate_eof_);
            }
            kind_ = PacketKind::row;
            return Progress::more;
        case State::finished:
            break;
    }
    return Progress::malformed;
}

ResponseTracker::Progress ResponseTracker::on_first(std::uint32_t length, ByteView prefix) {
    if (prefix.empty()) return Progress::malformed;
    failed_ = false;
    if (prefix[0] == kOkHeader) {
        kind_ = PacketKind::ok;
        return on_terminator(prefix, false);
    }
    // sqlgate never offers local_files, so a LOCAL INFILE request is a protocol violation.
    if (prefix[0] == kLocalInfileHeader || prefix[0] == kEofHeader) return Progress::malformed;
    ByteReader r(prefix.first(std::min<std::size_t>(prefix.size(), length)));
    columns_left_ = r.lenenc();
    if (!r.ok() || columns_left_ == 0) return Progress::malformed;
    state_ = State::columns;
    kind_ = PacketKind::column_count;
    return Progress::more;
}

ResponseTracker::Progress ResponseTracker::on_terminator(ByteView prefix, bool is_eof) {
    ByteReader r(prefix);
    r.skip(1);
    if (is_eof) {
        warnings_ = r.u16();
        status_ = r.u16();
    } else {
        affected_rows_ = r.lenenc();
        last_insert_id_ = r.lenenc();
        status_ = r.u16();
        warnings_ = r.remaining() >= 2 ? r.u16() : 0;
    }
    if (!r.ok()) return Progress::malformed;
    if (has(status_, ServerStatus::more_results_exist)) {
        state_ = State::first;
        return Progress::more;
    }
    state_ = State::finished;
    return Progress::done;
}

ResponseTracker::Progress ResponseTracker::on_column_list(std::uint32_t length, ByteView prefix) {
    if (is_eof_packet(length, prefix) || (deprecate_eof_ && is_ok_terminator(length, prefix))) {
        kind_ = PacketKind::terminator;
        state_ = State::finished;
        return Progress::done;
    }
    kind_ = PacketKind::column;
    return Progress::more;
}

ResponseTracker::Progress ResponseTracker::on_prepare(std::uint32_t length, ByteView prefix) {
    switch (state_) {
        case State::first: {
            // OK: statement id (4), columns (2), parameters (2), filler (1), warnings (2).
            if (length != 12 || prefix.size() < 12 || prefix[0] != kOkHeader) {
                return Progress::malformed;
            }
            ByteReader r(prefix);
            r.skip(1);
            prepared_id_ = r.u32();
            prepare_columns_ = r.u16();
            prepare_params_ = r.u16();
            prepared_parameters_ = prepare_params_;
            kind_ = PacketKind::ok;
            return next_prepare_section();
        }
        case State::columns:
            kind_ = PacketKind::column;
            if (--columns_left_ > 0) return Progress::more;
            if (!deprecate_eof_) {
                state_ = State::columns_eof;
                return Progress::more;
            }
            return next_prepare_section();
        case State::columns_eof:
            if (!is_eof_packet(length, prefix)) return Progress::malformed;
            kind_ = PacketKind::columns_eof;
            return next_prepare_section();
        default:
            return Progress::malformed;
    }
}

// Parameter definitions come first, then column definitions; either may be absent.
ResponseTracker::Progress ResponseTracker::next_prepare_section() {
    std::uint16_t& next = prepare_params_ > 0 ? prepare_params_ : prepare_columns_;
    if (next == 0) {
        state_ = State::finished;
        return Progress::done;
    }
    columns_left_ = next;
    next = 0;
    state_ = State::columns;
    return Progress::more;
}

}  // namespace sqlgate::mysql
