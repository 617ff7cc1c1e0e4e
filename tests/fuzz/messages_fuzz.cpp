// Fuzzes the command-phase decoders of messages.hpp (OK, ERR, EOF, column definitions, text
// rows, COM_STMT_EXECUTE heads): what one decodes, its serializer writes and it reads back.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mysql/column_type.hpp"
#include "mysql/messages.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using sqlgate::fuzz::within;
using namespace sqlgate::mysql;

void fuzz_ok(ByteView payload) {
    const auto ok = parse_ok(payload);
    if (!ok) return;
    require(within(ok->info, as_chars(payload)), "OK info outside the payload");
    Bytes out;
    serialize_ok(out, *ok);
    const auto again = parse_ok(out);
    require(again && again->affected_rows == ok->affected_rows &&
                again->last_insert_id == ok->last_insert_id && again->status == ok->status &&
                again->warnings == ok->warnings && again->info == ok->info,
            "an OK packet does not survive serialize_ok");
}

void fuzz_err(ByteView payload) {
    const auto err = parse_err(payload);
    if (!err) return;
    Bytes out;
    serialize_err(out, err->code, err->sql_state, err->message);
    const auto again = parse_err(out);
    require(again && again->code == err->code && again->message == err->message &&
                (err->sql_state.empty() || again->sql_state == err->sql_state),
            "an ERR packet does not survive serialize_err");
}

void fuzz_eof(ByteView payload) {
    const auto eof = parse_eof(payload);
    if (!eof) return;
    Bytes out;
    serialize_eof(out, *eof);
    require(std::equal(out.begin(), out.end(), payload.begin(), payload.end()),
            "an EOF packet does not survive serialize_eof");
}

void fuzz_column_definition(ByteView payload) {
    const auto column = parse_column_definition(payload);
    if (!column) return;
    const std::string_view whole = as_chars(payload);
    require(within(column->schema, whole) && within(column->table, whole) &&
                within(column->name, whole),
            "a column definition's names lie outside the payload");
    Bytes out;
    serialize_column_definition(out, *column);
    const auto again = parse_column_definition(out);
    require(again && again->schema == column->schema && again->table == column->table &&
                again->name == column->name && again->type.type == column->type.type &&
                again->type.charset == column->type.charset &&
                again->type.flags == column->type.flags,
            "a column definition does not survive serialize_column_definition");
    require(!type_name(column->type).empty(), "a column type without a name");
    value_kind(column->type);
}

void fuzz_text_row(ByteView payload, std::size_t columns) {
    std::vector<std::optional<std::string_view>> values;
    const bool parsed = parse_text_row(payload, columns, values);
    require(values.size() == columns, "parse_text_row returned another number of values");
    if (!parsed) return;
    for (const auto& value : values) {
        if (value) require(within(*value, as_chars(payload)), "a row value outside the payload");
    }
    Bytes out;
    serialize_text_row(out, values);
    std::vector<std::optional<std::string_view>> again;
    require(parse_text_row(out, columns, again) && again == values,
            "a text row does not survive serialize_text_row");
}

// As the proxy rebinds an execution to another server's statement id, with the types that
// an earlier execution of the same statement carried (two bytes per parameter).
void fuzz_stmt_execute(ByteView payload, std::uint16_t parameters, std::uint32_t new_id,
                       bool add_types) {
    const auto head = parse_stmt_execute_head(payload, parameters);
    if (!head) return;
    require(head->types.size() == (head->carries_types ? 2u * parameters : 0u),
            "the types of an execution have the wrong size");
    Bytes types;
    if (add_types) types.assign(2u * parameters, 0xfe);
    Bytes out;
    serialize_stmt_execute_for(out, payload, *head, new_id, types);
    const auto again = parse_stmt_execute_head(out, parameters);
    require(again.has_value(), "a rebound execution does not parse");
    require(again->statement_id == new_id && again->cursor_flags == head->cursor_flags,
            "a rebound execution lost its id or cursor flags");
    const bool inserted = !types.empty() && !head->carries_types && head->types_flag_offset != 0;
    require(again->carries_types == (head->carries_types || inserted),
            "a rebound execution lost or gained its types");
    if (inserted) {
        require(std::equal(again->types.begin(), again->types.end(), types.begin(), types.end()),
                "the types added to an execution are not the ones given");
        require(out.size() == payload.size() + types.size(), "the rebound execution's size");
    } else {
        require(out.size() == payload.size(), "a rebound execution changed size");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    switch (choice % 6) {
        case 0:
            fuzz_ok(in.rest());
            break;
        case 1:
            fuzz_err(in.rest());
            break;
        case 2:
            fuzz_eof(in.rest());
            break;
        case 3:
            fuzz_column_definition(in.rest());
            break;
        case 4: {
            const std::size_t columns = in.byte();
            fuzz_text_row(in.rest(), columns);
            break;
        }
        default: {
            const std::uint16_t parameters = in.u16() % 512;
            const std::uint32_t new_id = in.u32();
            fuzz_stmt_execute(in.rest(), parameters, new_id, (choice & 0x80) != 0);
            break;
        }
    }
    return 0;
}
