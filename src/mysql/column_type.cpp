#include "mysql/column_type.hpp"

namespace sqlgate::mysql {
namespace {

// MYSQL_TYPE_* values (the protocol's column types).
enum : std::uint8_t {
    kDecimal = 0x00,
    kTiny = 0x01,
    kShort = 0x02,
    kLong = 0x03,
    kFloat = 0x04,
    kDouble = 0x05,
    kNull = 0x06,
    kTimestamp = 0x07,
    kLongLong = 0x08,
    kInt24 = 0x09,
    kDate = 0x0a,
    kTime = 0x0b,
    kDateTime = 0x0c,
    kYear = 0x0d,
    kNewDate = 0x0e,
    kVarChar = 0x0f,
    kBit = 0x10,
    kTimestamp2 = 0x11,
    kDateTime2 = 0x12,
    kTime2 = 0x13,
    kJson = 0xf5,
    kNewDecimal = 0xf6,
    kEnum = 0xf7,
    kSet = 0xf8,
    kTinyBlob = 0xf9,
    kMediumBlob = 0xfa,
    kLongBlob = 0xfb,
    kBlob = 0xfc,
    kVarString = 0xfd,
    kString = 0xfe,
    kGeometry = 0xff,
};

constexpr std::uint16_t kUnsignedFlag = 0x20;

bool is_binary(const ColumnType& c) noexcept {
    return c.charset == kBinaryCollation;
}

}  // namespace

ValueKind value_kind(const ColumnType& c) noexcept {
    switch (c.type) {
        case kTiny:
        case kShort:
        case kLong:
        case kLongLong:
        case kInt24:
        case kYear:
            return ValueKind::integer;
        case kFloat:
        case kDouble:
            return ValueKind::floating;
        case kDecimal:
        case kNewDecimal:
            return ValueKind::decimal;
        case kDate:
        case kNewDate:
            return ValueKind::date;
        case kTimestamp:
        case kTimestamp2:
        case kDateTime:
        case kDateTime2:
            return ValueKind::datetime;
        case kTime:
        case kTime2:
            return ValueKind::time;
        case kBit:
        case kGeometry:
            return ValueKind::binary;
        case kTinyBlob:
        case kMediumBlob:
        case kLongBlob:
        case kBlob:
        case kVarChar:
        case kVarString:
        case kString:
            return is_binary(c) ? ValueKind::binary : ValueKind::text;
        default:
            return ValueKind::text;
    }
}

std::string_view type_name(const ColumnType& c) noexcept {
    const bool is_unsigned = (c.flags & kUnsignedFlag) != 0;
    switch (c.type) {
        case kTiny:
            return is_unsigned ? "TINYINT UNSIGNED" : "TINYINT";
        case kShort:
            return is_unsigned ? "SMALLINT UNSIGNED" : "SMALLINT";
        case kInt24:
            return is_unsigned ? "MEDIUMINT UNSIGNED" : "MEDIUMINT";
        case kLong:
            return is_unsigned ? "INT UNSIGNED" : "INT";
        case kLongLong:
            return is_unsigned ? "BIGINT UNSIGNED" : "BIGINT";
        case kYear:
            return "YEAR";
        case kFloat:
            return "FLOAT";
        case kDouble:
            return "DOUBLE";
        case kDecimal:
        case kNewDecimal:
            return "DECIMAL";
        case kNull:
            return "NULL";
        case kDate:
        case kNewDate:
            return "DATE";
        case kTimestamp:
        case kTimestamp2:
            return "TIMESTAMP";
        case kDateTime:
        case kDateTime2:
            return "DATETIME";
        case kTime:
        case kTime2:
            return "TIME";
        case kBit:
            return "BIT";
        case kJson:
            return "JSON";
        case kEnum:
            return "ENUM";
        case kSet:
            return "SET";
        case kGeometry:
            return "GEOMETRY";
        case kTinyBlob:
        case kMediumBlob:
        case kLongBlob:
        case kBlob:
            return is_binary(c) ? "BLOB" : "TEXT";
        case kVarChar:
        case kVarString:
            return is_binary(c) ? "VARBINARY" : "VARCHAR";
        case kString:
            return is_binary(c) ? "BINARY" : "CHAR";
        default:
            return "UNKNOWN";
    }
}

}  // namespace sqlgate::mysql
