// What a result set's column definition says about its values' type, and how a client that
// is not a MySQL driver (the HTTP API's JSON) should read the text the server sends for it.
#pragma once

#include <cstdint>
#include <string_view>

namespace sqlgate::mysql {

// The binary "character set" (63): a string column whose bytes are not text.
inline constexpr std::uint16_t kBinaryCollation = 63;

struct ColumnType {
    std::uint8_t type = 0xfd;    // MYSQL_TYPE_*: 0xfd is VAR_STRING
    std::uint16_t charset = 45;  // collation id of its text (utf8mb4_general_ci)
    std::uint16_t flags = 0;     // NOT_NULL, UNSIGNED (0x20), BINARY (0x80), ...
};

// How a value of the column is written in JSON.
enum class ValueKind : std::uint8_t {
    integer,   // a number when it fits in 53 bits, else a string (no precision is lost)
    floating,  // FLOAT, DOUBLE: a number
    decimal,   // DECIMAL: a string (JSON numbers would round it)
    date,      // "2026-12-06"
    datetime,  // DATETIME, TIMESTAMP: ISO 8601, "2026-12-06T10:00:00[.ffffff]"
    time,      // TIME, as the server writes it ("-838:59:59" is valid)
    binary,    // BLOB/BINARY/VARBINARY with the binary charset, BIT, GEOMETRY: base64
    text,      // anything else: the string as it is
};

ValueKind value_kind(const ColumnType& column) noexcept;
// The SQL name of the column's type as clients know it ("INT", "BIGINT UNSIGNED", "VARCHAR",
// "BLOB", "DATETIME", ...).
std::string_view type_name(const ColumnType& column) noexcept;

}  // namespace sqlgate::mysql
