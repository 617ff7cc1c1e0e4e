// The SQL words sqlgate's readers recognise, looked up case-insensitively without allocating.
// One list (SQLGATE_SQL_KEYWORDS) defines the enum, the spelling and which readers use each word.
#pragma once

#include <cstdint>
#include <string_view>

namespace sqlgate::sql {

// Which readers act on a word. Each reader sees only its own words (keyword_in), so adding a
// word for one of them never changes how another reads a statement.
enum class KeywordTrait : std::uint8_t {
    none = 0,
    routing = 1,       // the classifier and its table collector
    primary_only = 2,  // a function that reads or changes state of the primary's session
    firewall = 4,      // the policy's injection heuristics
    reserved = 8,      // reserved by MariaDB: never a bare name (the digest upper-cases these)
    // A built-in function, a type or a syntax word (AGAINST, OVER): NAME(...) never calls a
    // stored function. Names from MariaDB's SQL_FUNCTIONS table and its help topics.
    builtin = 16,
    // Describes the connection's previous statement (FOUND_ROWS(), OPTIMIZER_TRACE), so it
    // must be asked where that statement ran.
    previous_statement = 32,
};

constexpr KeywordTrait operator|(KeywordTrait a, KeywordTrait b) noexcept {
    return static_cast<KeywordTrait>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool has_all(KeywordTrait set, KeywordTrait wanted) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(wanted)) ==
           static_cast<std::uint8_t>(wanted);
}

// X(enumerator, spelling, traits), sorted by spelling. Enumerators carry a `k` prefix because
// many SQL words (DELETE, DO, IF, FOR, TRUE) are C++ keywords. A primary-only function reads
// state that exists only on the server that ran the session's earlier statements
// (LAST_INSERT_ID) or that changes it (GET_LOCK), so a replica would answer wrongly.
#define SQLGATE_SQL_KEYWORDS(X)                                                                   \
    X(kAbs, "ABS", builtin)                                                                       \
    X(kAccessible, "ACCESSIBLE", reserved)                                                        \
    X(kAcos, "ACOS", builtin)                                                                     \
    X(kAdd, "ADD", reserved)                                                                      \
    X(kAdddate, "ADDDATE", builtin)                                                               \
    X(kAddtime, "ADDTIME", builtin)                                                               \
    X(kAddMonths, "ADD_MONTHS", builtin)                                                          \
    X(kAesDecrypt, "AES_DECRYPT", builtin)                                                        \
    X(kAesEncrypt, "AES_ENCRYPT", builtin)                                                        \
    X(kAgainst, "AGAINST", builtin)                                                               \
    X(kAggregate, "AGGREGATE", routing)                                                           \
    X(kAll, "ALL", firewall | reserved)                                                           \
    X(kAlter, "ALTER", routing | firewall | reserved)                                             \
    X(kAnalyze, "ANALYZE", routing | reserved)                                                    \
    X(kAnd, "AND", routing | firewall | reserved)                                                 \
    X(kAny, "ANY", builtin)                                                                       \
    X(kArea, "AREA", builtin)                                                                     \
    X(kAs, "AS", routing | firewall | reserved)                                                   \
    X(kAsbinary, "ASBINARY", builtin)                                                             \
    X(kAsc, "ASC", firewall | reserved)                                                           \
    X(kAscii, "ASCII", builtin)                                                                   \
    X(kAsensitive, "ASENSITIVE", reserved)                                                        \
    X(kAsin, "ASIN", builtin)                                                                     \
    X(kAstext, "ASTEXT", builtin)                                                                 \
    X(kAswkb, "ASWKB", builtin)                                                                   \
    X(kAswkt, "ASWKT", builtin)                                                                   \
    X(kAtan, "ATAN", builtin)                                                                     \
    X(kAtan2, "ATAN2", builtin)                                                                   \
    X(kAvg, "AVG", builtin)                                                                       \
    X(kBackup, "BACKUP", routing)                                                                 \
    X(kBefore, "BEFORE", reserved)                                                                \
    X(kBegin, "BEGIN", routing)                                                                   \
    X(kBenchmark, "BENCHMARK", firewall | builtin)                                                \
    X(kBetween, "BETWEEN", firewall | reserved)                                                   \
    X(kBigint, "BIGINT", reserved | builtin)                                                      \
    X(kBin, "BIN", builtin)                                                                       \
    X(kBinary, "BINARY", firewall | reserved | builtin)                                           \
    X(kBinlog, "BINLOG", routing)                                                                 \
    X(kBinlogGtidPos, "BINLOG_GTID_POS", builtin)                                                 \
    X(kBit, "BIT", builtin)                                                                       \
    X(kBitAnd, "BIT_AND", builtin)                                                                \
    X(kBitCount, "BIT_COUNT", builtin)                                                            \
    X(kBitLength, "BIT_LENGTH", builtin)                                                          \
    X(kBitOr, "BIT_OR", builtin)                                                                  \
    X(kBitXor, "BIT_XOR", builtin)                                                                \
    X(kBlob, "BLOB", reserved | builtin)                                                          \
    X(kBoth, "BOTH", reserved)                                                                    \
    X(kBoundary, "BOUNDARY", builtin)                                                             \
    X(kBuffer, "BUFFER", builtin)                                                                 \
    X(kBy, "BY", firewall | reserved)                                                             \
    X(kCache, "CACHE", routing)                                                                   \
    X(kCall, "CALL", routing | reserved)                                                          \
    X(kCascade, "CASCADE", reserved)                                                              \
    X(kCase, "CASE", routing | reserved)                                                          \
    X(kCast, "CAST", builtin)                                                                     \
    X(kCeil, "CEIL", builtin)                                                                     \
    X(kCeiling, "CEILING", builtin)                                                               \
    X(kCentroid, "CENTROID", builtin)                                                             \
    X(kChain, "CHAIN", routing)                                                                   \
    X(kChange, "CHANGE", routing | reserved)                                                      \
    X(kChar, "CHAR", firewall | reserved | builtin)                                               \
    X(kCharacter, "CHARACTER", firewall | reserved | builtin)                                     \
    X(kCharacterLength, "CHARACTER_LENGTH", builtin)                                              \
    X(kCharset, "CHARSET", firewall | builtin)                                                    \
    X(kCharLength, "CHAR_LENGTH", builtin)                                                        \
    X(kCheck, "CHECK", routing | reserved)                                                        \
    X(kChecksum, "CHECKSUM", routing)                                                             \
    X(kChr, "CHR", builtin)                                                                       \
    X(kClob, "CLOB", builtin)                                                                     \
    X(kCoalesce, "COALESCE", builtin)                                                             \
    X(kCoercibility, "COERCIBILITY", builtin)                                                     \
    X(kCollate, "COLLATE", firewall | reserved)                                                   \
    X(kCollation, "COLLATION", builtin)                                                           \
    X(kColumn, "COLUMN", reserved)                                                                \
    X(kColumns, "COLUMNS", firewall | builtin)                                                    \
    X(kColumnAdd, "COLUMN_ADD", builtin)                                                          \
    X(kColumnCheck, "COLUMN_CHECK", builtin)                                                      \
    X(kColumnCreate, "COLUMN_CREATE", builtin)                                                    \
    X(kColumnDelete, "COLUMN_DELETE", builtin)                                                    \
    X(kColumnExists, "COLUMN_EXISTS", builtin)                                                    \
    X(kColumnGet, "COLUMN_GET", builtin)                                                          \
    X(kColumnJson, "COLUMN_JSON", builtin)                                                        \
    X(kColumnList, "COLUMN_LIST", builtin)                                                        \
    X(kComment, "COMMENT", firewall)                                                              \
    X(kCommit, "COMMIT", routing)                                                                 \
    X(kCompress, "COMPRESS", builtin)                                                             \
    X(kConcat, "CONCAT", firewall | builtin)                                                      \
    X(kConcatOperatorOracle, "CONCAT_OPERATOR_ORACLE", builtin)                                   \
    X(kConcatWs, "CONCAT_WS", builtin)                                                            \
    X(kCondition, "CONDITION", reserved)                                                          \
    X(kConnectionId, "CONNECTION_ID", firewall | builtin)                                         \
    X(kConstraint, "CONSTRAINT", reserved)                                                        \
    X(kContains, "CONTAINS", builtin)                                                             \
    X(kContinue, "CONTINUE", reserved)                                                            \
    X(kConv, "CONV", firewall | builtin)                                                          \
    X(kConvert, "CONVERT", reserved | builtin)                                                    \
    X(kConvertTz, "CONVERT_TZ", builtin)                                                          \
    X(kConvexhull, "CONVEXHULL", builtin)                                                         \
    X(kCos, "COS", builtin)                                                                       \
    X(kCot, "COT", builtin)                                                                       \
    X(kCount, "COUNT", builtin)                                                                   \
    X(kCrc32, "CRC32", builtin)                                                                   \
    X(kCrc32c, "CRC32C", builtin)                                                                 \
    X(kCreate, "CREATE", routing | firewall | reserved)                                           \
    X(kCross, "CROSS", reserved)                                                                  \
    X(kCrosses, "CROSSES", builtin)                                                               \
    X(kCumeDist, "CUME_DIST", builtin)                                                            \
    X(kCurdate, "CURDATE", builtin)                                                               \
    X(kCurrentDate, "CURRENT_DATE", reserved | builtin)                                           \
    X(kCurrentRole, "CURRENT_ROLE", reserved | builtin)                                           \
    X(kCurrentTime, "CURRENT_TIME", reserved | builtin)                                           \
    X(kCurrentTimestamp, "CURRENT_TIMESTAMP", reserved | builtin)                                 \
    X(kCurrentUser, "CURRENT_USER", firewall | reserved | builtin)                                \
    X(kCursor, "CURSOR", reserved)                                                                \
    X(kCurtime, "CURTIME", builtin)                                                               \
    X(kData, "DATA", routing)                                                                     \
    X(kDatabase, "DATABASE", firewall | reserved | builtin)                                       \
    X(kDatabases, "DATABASES", reserved)                                                          \
    X(kDate, "DATE", builtin)                                                                     \
    X(kDatediff, "DATEDIFF", builtin)                                                             \
    X(kDatetime, "DATETIME", builtin)                                                             \
    X(kDateAdd, "DATE_ADD", builtin)                                                              \
    X(kDateFormat, "DATE_FORMAT", builtin)                                                        \
    X(kDateSub, "DATE_SUB", builtin)                                                              \
    X(kDay, "DAY", builtin)                                                                       \
    X(kDayname, "DAYNAME", builtin)                                                               \
    X(kDayofmonth, "DAYOFMONTH", builtin)                                                         \
    X(kDayofweek, "DAYOFWEEK", builtin)                                                           \
    X(kDayofyear, "DAYOFYEAR", builtin)                                                           \
    X(kDayHour, "DAY_HOUR", reserved)                                                             \
    X(kDayMicrosecond, "DAY_MICROSECOND", reserved)                                               \
    X(kDayMinute, "DAY_MINUTE", reserved)                                                         \
    X(kDaySecond, "DAY_SECOND", reserved)                                                         \
    X(kDeallocate, "DEALLOCATE", routing)                                                         \
    X(kDec, "DEC", reserved | builtin)                                                            \
    X(kDecimal, "DECIMAL", reserved | builtin)                                                    \
    X(kDeclare, "DECLARE", reserved)                                                              \
    X(kDecode, "DECODE", builtin)                                                                 \
    X(kDecodeHistogram, "DECODE_HISTOGRAM", builtin)                                              \
    X(kDecodeOracle, "DECODE_ORACLE", builtin)                                                    \
    X(kDefault, "DEFAULT", routing | firewall | reserved | builtin)                               \
    X(kDefiner, "DEFINER", routing)                                                               \
    X(kDegrees, "DEGREES", builtin)                                                               \
    X(kDelay, "DELAY", firewall)                                                                  \
    X(kDelayed, "DELAYED", routing | reserved)                                                    \
    X(kDelete, "DELETE", routing | reserved)                                                      \
    X(kDenseRank, "DENSE_RANK", builtin)                                                          \
    X(kDesc, "DESC", routing | firewall | reserved)                                               \
    X(kDescribe, "DESCRIBE", routing | reserved)                                                  \
    X(kDesDecrypt, "DES_DECRYPT", builtin)                                                        \
    X(kDesEncrypt, "DES_ENCRYPT", builtin)                                                        \
    X(kDeterministic, "DETERMINISTIC", reserved)                                                  \
    X(kDimension, "DIMENSION", builtin)                                                           \
    X(kDisjoint, "DISJOINT", builtin)                                                             \
    X(kDistinct, "DISTINCT", firewall | reserved)                                                 \
    X(kDistinctrow, "DISTINCTROW", firewall | reserved)                                           \
    X(kDiv, "DIV", firewall | reserved)                                                           \
    X(kDo, "DO", routing)                                                                         \
    X(kDouble, "DOUBLE", reserved | builtin)                                                      \
    X(kDrop, "DROP", routing | firewall | reserved)                                               \
    X(kDual, "DUAL", routing | firewall | reserved)                                               \
    X(kDumpfile, "DUMPFILE", routing)                                                             \
    X(kEach, "EACH", reserved)                                                                    \
    X(kElse, "ELSE", firewall | reserved)                                                         \
    X(kElseif, "ELSEIF", reserved)                                                                \
    X(kElt, "ELT", builtin)                                                                       \
    X(kEnclosed, "ENCLOSED", reserved)                                                            \
    X(kEncode, "ENCODE", builtin)                                                                 \
    X(kEncrypt, "ENCRYPT", builtin)                                                               \
    X(kEnd, "END", routing | firewall)                                                            \
    X(kEndpoint, "ENDPOINT", builtin)                                                             \
    X(kEnvelope, "ENVELOPE", builtin)                                                             \
    X(kEquals, "EQUALS", builtin)                                                                 \
    X(kEscaped, "ESCAPED", reserved)                                                              \
    X(kEvent, "EVENT", routing)                                                                   \
    X(kExcept, "EXCEPT", reserved)                                                                \
    X(kExecute, "EXECUTE", routing)                                                               \
    X(kExists, "EXISTS", routing | firewall | reserved | builtin)                                 \
    X(kExit, "EXIT", reserved)                                                                    \
    X(kExp, "EXP", firewall | builtin)                                                            \
    X(kExplain, "EXPLAIN", routing | reserved)                                                    \
    X(kExportSet, "EXPORT_SET", builtin)                                                          \
    X(kExtended, "EXTENDED", routing)                                                             \
    X(kExteriorring, "EXTERIORRING", builtin)                                                     \
    X(kExtract, "EXTRACT", builtin)                                                               \
    X(kExtractValue, "EXTRACTVALUE", firewall | builtin)                                          \
    X(kFalse, "FALSE", firewall | reserved)                                                       \
    X(kFetch, "FETCH", reserved)                                                                  \
    X(kField, "FIELD", builtin)                                                                   \
    X(kFields, "FIELDS", firewall)                                                                \
    X(kFindInSet, "FIND_IN_SET", builtin)                                                         \
    X(kFirstValue, "FIRST_VALUE", builtin)                                                        \
    X(kFixed, "FIXED", builtin)                                                                   \
    X(kFloat, "FLOAT", reserved | builtin)                                                        \
    X(kFloat4, "FLOAT4", reserved)                                                                \
    X(kFloat8, "FLOAT8", reserved)                                                                \
    X(kFloor, "FLOOR", firewall | builtin)                                                        \
    X(kFlush, "FLUSH", routing)                                                                   \
    X(kFor, "FOR", routing | firewall | reserved)                                                 \
    X(kForce, "FORCE", reserved)                                                                  \
    X(kForeign, "FOREIGN", reserved)                                                              \
    X(kFormat, "FORMAT", routing | builtin)                                                       \
    X(kFormatBytes, "FORMAT_BYTES", builtin)                                                      \
    X(kFormatPicoTime, "FORMAT_PICO_TIME", builtin)                                               \
    X(kFoundRows, "FOUND_ROWS", routing | builtin | previous_statement)                           \
    X(kFrom, "FROM", routing | firewall | reserved)                                               \
    X(kFromBase64, "FROM_BASE64", firewall | builtin)                                             \
    X(kFromDays, "FROM_DAYS", builtin)                                                            \
    X(kFromUnixtime, "FROM_UNIXTIME", builtin)                                                    \
    X(kFulltext, "FULLTEXT", reserved)                                                            \
    X(kFunction, "FUNCTION", routing)                                                             \
    X(kGeomcollfromtext, "GEOMCOLLFROMTEXT", builtin)                                             \
    X(kGeomcollfromwkb, "GEOMCOLLFROMWKB", builtin)                                               \
    X(kGeometrycollection, "GEOMETRYCOLLECTION", builtin)                                         \
    X(kGeometrycollectionfromtext, "GEOMETRYCOLLECTIONFROMTEXT", builtin)                         \
    X(kGeometrycollectionfromwkb, "GEOMETRYCOLLECTIONFROMWKB", builtin)                           \
    X(kGeometryfromtext, "GEOMETRYFROMTEXT", builtin)                                             \
    X(kGeometryfromwkb, "GEOMETRYFROMWKB", builtin)                                               \
    X(kGeometryn, "GEOMETRYN", builtin)                                                           \
    X(kGeometrytype, "GEOMETRYTYPE", builtin)                                                     \
    X(kGeomfromtext, "GEOMFROMTEXT", builtin)                                                     \
    X(kGeomfromwkb, "GEOMFROMWKB", builtin)                                                       \
    X(kGet, "GET", routing)                                                                       \
    X(kGetFormat, "GET_FORMAT", builtin)                                                          \
    X(kGetLock, "GET_LOCK", routing | primary_only | builtin)                                     \
    X(kGlength, "GLENGTH", builtin)                                                               \
    X(kGlobal, "GLOBAL", routing | firewall)                                                      \
    X(kGrant, "GRANT", routing | reserved)                                                        \
    X(kGreatest, "GREATEST", builtin)                                                             \
    X(kGroup, "GROUP", firewall | reserved)                                                       \
    X(kGrouping, "GROUPING", builtin)                                                             \
    X(kGroupConcat, "GROUP_CONCAT", builtin)                                                      \
    X(kHandler, "HANDLER", routing)                                                               \
    X(kHaving, "HAVING", firewall | reserved)                                                     \
    X(kHelp, "HELP", routing)                                                                     \
    X(kHex, "HEX", builtin)                                                                       \
    X(kHighPriority, "HIGH_PRIORITY", routing | reserved)                                         \
    X(kHour, "HOUR", builtin)                                                                     \
    X(kHourMicrosecond, "HOUR_MICROSECOND", reserved)                                             \
    X(kHourMinute, "HOUR_MINUTE", reserved)                                                       \
    X(kHourSecond, "HOUR_SECOND", reserved)                                                       \
    X(kIf, "IF", routing | firewall | reserved | builtin)                                         \
    X(kIfnull, "IFNULL", builtin)                                                                 \
    X(kIgnore, "IGNORE", routing | reserved)                                                      \
    X(kImport, "IMPORT", routing)                                                                 \
    X(kIn, "IN", routing | firewall | reserved)                                                   \
    X(kIndex, "INDEX", firewall | reserved)                                                       \
    X(kIndexes, "INDEXES", firewall)                                                              \
    X(kInet4, "INET4", builtin)                                                                   \
    X(kInet6, "INET6", builtin)                                                                   \
    X(kInet6Aton, "INET6_ATON", builtin)                                                          \
    X(kInet6Ntoa, "INET6_NTOA", builtin)                                                          \
    X(kInetAton, "INET_ATON", builtin)                                                            \
    X(kInetNtoa, "INET_NTOA", builtin)                                                            \
    X(kInfile, "INFILE", routing | reserved)                                                      \
    X(kInner, "INNER", reserved)                                                                  \
    X(kInout, "INOUT", reserved)                                                                  \
    X(kInsensitive, "INSENSITIVE", reserved)                                                      \
    X(kInsert, "INSERT", routing | reserved | builtin)                                            \
    X(kInstall, "INSTALL", routing)                                                               \
    X(kInstr, "INSTR", builtin)                                                                   \
    X(kInt, "INT", reserved | builtin)                                                            \
    X(kInt1, "INT1", reserved)                                                                    \
    X(kInt2, "INT2", reserved)                                                                    \
    X(kInt3, "INT3", reserved)                                                                    \
    X(kInt4, "INT4", reserved)                                                                    \
    X(kInt8, "INT8", reserved)                                                                    \
    X(kInteger, "INTEGER", reserved | builtin)                                                    \
    X(kInteriorringn, "INTERIORRINGN", builtin)                                                   \
    X(kIntersect, "INTERSECT", reserved)                                                          \
    X(kIntersects, "INTERSECTS", builtin)                                                         \
    X(kInterval, "INTERVAL", reserved | builtin)                                                  \
    X(kInto, "INTO", routing | firewall | reserved)                                               \
    X(kIs, "IS", firewall | reserved)                                                             \
    X(kIsclosed, "ISCLOSED", builtin)                                                             \
    X(kIsempty, "ISEMPTY", builtin)                                                               \
    X(kIsnull, "ISNULL", builtin)                                                                 \
    X(kIsring, "ISRING", builtin)                                                                 \
    X(kIssimple, "ISSIMPLE", builtin)                                                             \
    X(kIsFreeLock, "IS_FREE_LOCK", routing | primary_only | builtin)                              \
    X(kIsIpv4, "IS_IPV4", builtin)                                                                \
    X(kIsIpv4Compat, "IS_IPV4_COMPAT", builtin)                                                   \
    X(kIsIpv4Mapped, "IS_IPV4_MAPPED", builtin)                                                   \
    X(kIsIpv6, "IS_IPV6", builtin)                                                                \
    X(kIsUsedLock, "IS_USED_LOCK", routing | primary_only | builtin)                              \
    X(kIterate, "ITERATE", reserved)                                                              \
    X(kJoin, "JOIN", routing | firewall | reserved)                                               \
    X(kJson, "JSON", builtin)                                                                     \
    X(kJsonArray, "JSON_ARRAY", builtin)                                                          \
    X(kJsonArrayagg, "JSON_ARRAYAGG", builtin)                                                    \
    X(kJsonArrayAppend, "JSON_ARRAY_APPEND", builtin)                                             \
    X(kJsonArrayInsert, "JSON_ARRAY_INSERT", builtin)                                             \
    X(kJsonArrayIntersect, "JSON_ARRAY_INTERSECT", builtin)                                       \
    X(kJsonCompact, "JSON_COMPACT", builtin)                                                      \
    X(kJsonContains, "JSON_CONTAINS", builtin)                                                    \
    X(kJsonContainsPath, "JSON_CONTAINS_PATH", builtin)                                           \
    X(kJsonDepth, "JSON_DEPTH", builtin)                                                          \
    X(kJsonDetailed, "JSON_DETAILED", builtin)                                                    \
    X(kJsonEquals, "JSON_EQUALS", builtin)                                                        \
    X(kJsonExists, "JSON_EXISTS", builtin)                                                        \
    X(kJsonExtract, "JSON_EXTRACT", builtin)                                                      \
    X(kJsonInsert, "JSON_INSERT", builtin)                                                        \
    X(kJsonKeys, "JSON_KEYS", builtin)                                                            \
    X(kJsonKeyValue, "JSON_KEY_VALUE", builtin)                                                   \
    X(kJsonLength, "JSON_LENGTH", builtin)                                                        \
    X(kJsonLoose, "JSON_LOOSE", builtin)                                                          \
    X(kJsonMerge, "JSON_MERGE", builtin)                                                          \
    X(kJsonMergePatch, "JSON_MERGE_PATCH", builtin)                                               \
    X(kJsonMergePreserve, "JSON_MERGE_PRESERVE", builtin)                                         \
    X(kJsonNormalize, "JSON_NORMALIZE", builtin)                                                  \
    X(kJsonObject, "JSON_OBJECT", builtin)                                                        \
    X(kJsonObjectagg, "JSON_OBJECTAGG", builtin)                                                  \
    X(kJsonObjectFilterKeys, "JSON_OBJECT_FILTER_KEYS", builtin)                                  \
    X(kJsonObjectToArray, "JSON_OBJECT_TO_ARRAY", builtin)                                        \
    X(kJsonOverlaps, "JSON_OVERLAPS", builtin)                                                    \
    X(kJsonPretty, "JSON_PRETTY", builtin)                                                        \
    X(kJsonQuery, "JSON_QUERY", builtin)                                                          \
    X(kJsonQuote, "JSON_QUOTE", builtin)                                                          \
    X(kJsonRemove, "JSON_REMOVE", builtin)                                                        \
    X(kJsonReplace, "JSON_REPLACE", builtin)                                                      \
    X(kJsonSchemaValid, "JSON_SCHEMA_VALID", builtin)                                             \
    X(kJsonSearch, "JSON_SEARCH", builtin)                                                        \
    X(kJsonSet, "JSON_SET", builtin)                                                              \
    X(kJsonTable, "JSON_TABLE", builtin)                                                          \
    X(kJsonType, "JSON_TYPE", builtin)                                                            \
    X(kJsonUnquote, "JSON_UNQUOTE", builtin)                                                      \
    X(kJsonValid, "JSON_VALID", builtin)                                                          \
    X(kJsonValue, "JSON_VALUE", builtin)                                                          \
    X(kKdf, "KDF", builtin)                                                                       \
    X(kKey, "KEY", reserved)                                                                      \
    X(kKeys, "KEYS", firewall | reserved)                                                         \
    X(kKill, "KILL", routing | reserved)                                                          \
    X(kLag, "LAG", builtin)                                                                       \
    X(kLastval, "LASTVAL", routing | primary_only | builtin)                                      \
    X(kLastDay, "LAST_DAY", builtin)                                                              \
    X(kLastInsertId, "LAST_INSERT_ID", routing | primary_only | builtin)                          \
    X(kLastValue, "LAST_VALUE", builtin)                                                          \
    X(kLateral, "LATERAL", routing)                                                               \
    X(kLcase, "LCASE", builtin)                                                                   \
    X(kLead, "LEAD", builtin)                                                                     \
    X(kLeading, "LEADING", reserved)                                                              \
    X(kLeast, "LEAST", builtin)                                                                   \
    X(kLeave, "LEAVE", reserved)                                                                  \
    X(kLeft, "LEFT", reserved | builtin)                                                          \
    X(kLength, "LENGTH", builtin)                                                                 \
    X(kLengthb, "LENGTHB", builtin)                                                               \
    X(kLike, "LIKE", firewall | reserved)                                                         \
    X(kLimit, "LIMIT", firewall | reserved)                                                       \
    X(kLinear, "LINEAR", reserved)                                                                \
    X(kLinefromtext, "LINEFROMTEXT", builtin)                                                     \
    X(kLinefromwkb, "LINEFROMWKB", builtin)                                                       \
    X(kLines, "LINES", reserved)                                                                  \
    X(kLinestring, "LINESTRING", builtin)                                                         \
    X(kLinestringfromtext, "LINESTRINGFROMTEXT", builtin)                                         \
    X(kLinestringfromwkb, "LINESTRINGFROMWKB", builtin)                                           \
    X(kLn, "LN", builtin)                                                                         \
    X(kLoad, "LOAD", routing | reserved)                                                          \
    X(kLoadFile, "LOAD_FILE", routing | builtin)                                                  \
    X(kLocal, "LOCAL", routing | firewall)                                                        \
    X(kLocaltime, "LOCALTIME", reserved | builtin)                                                \
    X(kLocaltimestamp, "LOCALTIMESTAMP", reserved | builtin)                                      \
    X(kLocate, "LOCATE", builtin)                                                                 \
    X(kLock, "LOCK", routing | firewall | reserved)                                               \
    X(kLog, "LOG", builtin)                                                                       \
    X(kLog10, "LOG10", builtin)                                                                   \
    X(kLog2, "LOG2", builtin)                                                                     \
    X(kLong, "LONG", reserved)                                                                    \
    X(kLongblob, "LONGBLOB", reserved)                                                            \
    X(kLongtext, "LONGTEXT", reserved)                                                            \
    X(kLoop, "LOOP", routing | reserved)                                                          \
    X(kLower, "LOWER", builtin)                                                                   \
    X(kLowPriority, "LOW_PRIORITY", routing | reserved)                                           \
    X(kLpad, "LPAD", builtin)                                                                     \
    X(kLpadOracle, "LPAD_ORACLE", builtin)                                                        \
    X(kLtrim, "LTRIM", builtin)                                                                   \
    X(kLtrimOracle, "LTRIM_ORACLE", builtin)                                                      \
    X(kMakedate, "MAKEDATE", builtin)                                                             \
    X(kMaketime, "MAKETIME", builtin)                                                             \
    X(kMakeSet, "MAKE_SET", builtin)                                                              \
    X(kMasterGtidWait, "MASTER_GTID_WAIT", routing | primary_only | builtin)                      \
    X(kMasterPosWait, "MASTER_POS_WAIT", routing | primary_only | builtin)                        \
    X(kMatch, "MATCH", reserved | builtin)                                                        \
    X(kMax, "MAX", builtin)                                                                       \
    X(kMaxvalue, "MAXVALUE", reserved)                                                            \
    X(kMbrcontains, "MBRCONTAINS", builtin)                                                       \
    X(kMbrcoveredby, "MBRCOVEREDBY", builtin)                                                     \
    X(kMbrdisjoint, "MBRDISJOINT", builtin)                                                       \
    X(kMbrequal, "MBREQUAL", builtin)                                                             \
    X(kMbrintersects, "MBRINTERSECTS", builtin)                                                   \
    X(kMbroverlaps, "MBROVERLAPS", builtin)                                                       \
    X(kMbrtouches, "MBRTOUCHES", builtin)                                                         \
    X(kMbrwithin, "MBRWITHIN", builtin)                                                           \
    X(kMd5, "MD5", builtin)                                                                       \
    X(kMedian, "MEDIAN", builtin)                                                                 \
    X(kMediumblob, "MEDIUMBLOB", reserved)                                                        \
    X(kMediumint, "MEDIUMINT", reserved | builtin)                                                \
    X(kMediumtext, "MEDIUMTEXT", reserved)                                                        \
    X(kMicrosecond, "MICROSECOND", builtin)                                                       \
    X(kMid, "MID", builtin)                                                                       \
    X(kMiddleint, "MIDDLEINT", reserved)                                                          \
    X(kMin, "MIN", builtin)                                                                       \
    X(kMinute, "MINUTE", builtin)                                                                 \
    X(kMinuteMicrosecond, "MINUTE_MICROSECOND", reserved)                                         \
    X(kMinuteSecond, "MINUTE_SECOND", reserved)                                                   \
    X(kMlinefromtext, "MLINEFROMTEXT", builtin)                                                   \
    X(kMlinefromwkb, "MLINEFROMWKB", builtin)                                                     \
    X(kMod, "MOD", firewall | reserved | builtin)                                                 \
    X(kModifies, "MODIFIES", reserved)                                                            \
    X(kMonth, "MONTH", builtin)                                                                   \
    X(kMonthname, "MONTHNAME", builtin)                                                           \
    X(kMonthsBetween, "MONTHS_BETWEEN", builtin)                                                  \
    X(kMpointfromtext, "MPOINTFROMTEXT", builtin)                                                 \
    X(kMpointfromwkb, "MPOINTFROMWKB", builtin)                                                   \
    X(kMpolyfromtext, "MPOLYFROMTEXT", builtin)                                                   \
    X(kMpolyfromwkb, "MPOLYFROMWKB", builtin)                                                     \
    X(kMultilinestring, "MULTILINESTRING", builtin)                                               \
    X(kMultilinestringfromtext, "MULTILINESTRINGFROMTEXT", builtin)                               \
    X(kMultilinestringfromwkb, "MULTILINESTRINGFROMWKB", builtin)                                 \
    X(kMultipoint, "MULTIPOINT", builtin)                                                         \
    X(kMultipointfromtext, "MULTIPOINTFROMTEXT", builtin)                                         \
    X(kMultipointfromwkb, "MULTIPOINTFROMWKB", builtin)                                           \
    X(kMultipolygon, "MULTIPOLYGON", builtin)                                                     \
    X(kMultipolygonfromtext, "MULTIPOLYGONFROMTEXT", builtin)                                     \
    X(kMultipolygonfromwkb, "MULTIPOLYGONFROMWKB", builtin)                                       \
    X(kNames, "NAMES", firewall)                                                                  \
    X(kNameConst, "NAME_CONST", builtin)                                                          \
    X(kNatural, "NATURAL", reserved)                                                              \
    X(kNaturalSortKey, "NATURAL_SORT_KEY", builtin)                                               \
    X(kNchar, "NCHAR", builtin)                                                                   \
    X(kNested, "NESTED", builtin)                                                                 \
    X(kNext, "NEXT", routing)                                                                     \
    X(kNextval, "NEXTVAL", routing | primary_only | builtin)                                      \
    X(kNo, "NO", routing)                                                                         \
    X(kNot, "NOT", routing | firewall | reserved)                                                 \
    X(kNow, "NOW", builtin)                                                                       \
    X(kNoWriteToBinlog, "NO_WRITE_TO_BINLOG", routing | reserved)                                 \
    X(kNthValue, "NTH_VALUE", builtin)                                                            \
    X(kNtile, "NTILE", builtin)                                                                   \
    X(kNull, "NULL", firewall | reserved)                                                         \
    X(kNullif, "NULLIF", builtin)                                                                 \
    X(kNumber, "NUMBER", builtin)                                                                 \
    X(kNumeric, "NUMERIC", reserved | builtin)                                                    \
    X(kNumgeometries, "NUMGEOMETRIES", builtin)                                                   \
    X(kNuminteriorrings, "NUMINTERIORRINGS", builtin)                                             \
    X(kNumpoints, "NUMPOINTS", builtin)                                                           \
    X(kNvarchar, "NVARCHAR", builtin)                                                             \
    X(kNvl, "NVL", builtin)                                                                       \
    X(kNvl2, "NVL2", builtin)                                                                     \
    X(kOct, "OCT", builtin)                                                                       \
    X(kOctetLength, "OCTET_LENGTH", builtin)                                                      \
    X(kOffset, "OFFSET", reserved)                                                                \
    X(kOldPassword, "OLD_PASSWORD", builtin)                                                      \
    X(kOldValue, "OLD_VALUE", builtin)                                                            \
    X(kOn, "ON", firewall | reserved)                                                             \
    X(kOnly, "ONLY", routing)                                                                     \
    X(kOptimize, "OPTIMIZE", routing | reserved)                                                  \
    X(kOptimizerTrace, "OPTIMIZER_TRACE", previous_statement)                                     \
    X(kOption, "OPTION", reserved)                                                                \
    X(kOptionally, "OPTIONALLY", reserved)                                                        \
    X(kOr, "OR", routing | firewall | reserved)                                                   \
    X(kOrd, "ORD", builtin)                                                                       \
    X(kOrder, "ORDER", firewall | reserved)                                                       \
    X(kOut, "OUT", reserved)                                                                      \
    X(kOuter, "OUTER", reserved)                                                                  \
    X(kOutfile, "OUTFILE", routing | reserved)                                                    \
    X(kOver, "OVER", reserved | builtin)                                                          \
    X(kOverlaps, "OVERLAPS", builtin)                                                             \
    X(kPackage, "PACKAGE", routing)                                                               \
    X(kPartition, "PARTITION", reserved)                                                          \
    X(kPartitions, "PARTITIONS", routing)                                                         \
    X(kPassword, "PASSWORD", routing | builtin)                                                   \
    X(kPath, "PATH", builtin)                                                                     \
    X(kPercentileCont, "PERCENTILE_CONT", builtin)                                                \
    X(kPercentileDisc, "PERCENTILE_DISC", builtin)                                                \
    X(kPercentRank, "PERCENT_RANK", builtin)                                                      \
    X(kPeriodAdd, "PERIOD_ADD", builtin)                                                          \
    X(kPeriodDiff, "PERIOD_DIFF", builtin)                                                        \
    X(kPersist, "PERSIST", routing | firewall)                                                    \
    X(kPersistOnly, "PERSIST_ONLY", routing | firewall)                                           \
    X(kPgSleep, "PG_SLEEP", firewall)                                                             \
    X(kPi, "PI", builtin)                                                                         \
    X(kPoint, "POINT", builtin)                                                                   \
    X(kPointfromtext, "POINTFROMTEXT", builtin)                                                   \
    X(kPointfromwkb, "POINTFROMWKB", builtin)                                                     \
    X(kPointn, "POINTN", builtin)                                                                 \
    X(kPointonsurface, "POINTONSURFACE", builtin)                                                 \
    X(kPolyfromtext, "POLYFROMTEXT", builtin)                                                     \
    X(kPolyfromwkb, "POLYFROMWKB", builtin)                                                       \
    X(kPolygon, "POLYGON", builtin)                                                               \
    X(kPolygonfromtext, "POLYGONFROMTEXT", builtin)                                               \
    X(kPolygonfromwkb, "POLYGONFROMWKB", builtin)                                                 \
    X(kPosition, "POSITION", builtin)                                                             \
    X(kPow, "POW", builtin)                                                                       \
    X(kPower, "POWER", builtin)                                                                   \
    X(kPrecision, "PRECISION", reserved)                                                          \
    X(kPrepare, "PREPARE", routing)                                                               \
    X(kPrevious, "PREVIOUS", routing)                                                             \
    X(kPrimary, "PRIMARY", reserved)                                                              \
    X(kProcedure, "PROCEDURE", routing | firewall | reserved)                                     \
    X(kProfiling, "PROFILING", previous_statement)                                                \
    X(kPurge, "PURGE", routing | reserved)                                                        \
    X(kQuarter, "QUARTER", builtin)                                                               \
    X(kQuick, "QUICK", routing)                                                                   \
    X(kQuote, "QUOTE", builtin)                                                                   \
    X(kRadians, "RADIANS", builtin)                                                               \
    X(kRand, "RAND", firewall | builtin)                                                          \
    X(kRandomBytes, "RANDOM_BYTES", builtin)                                                      \
    X(kRange, "RANGE", reserved)                                                                  \
    X(kRank, "RANK", builtin)                                                                     \
    X(kRaw, "RAW", builtin)                                                                       \
    X(kRead, "READ", routing | reserved)                                                          \
    X(kReads, "READS", reserved)                                                                  \
    X(kReadWrite, "READ_WRITE", reserved)                                                         \
    X(kReal, "REAL", reserved | builtin)                                                          \
    X(kRecursive, "RECURSIVE", routing | reserved)                                                \
    X(kReferences, "REFERENCES", reserved)                                                        \
    X(kRegexp, "REGEXP", firewall | reserved)                                                     \
    X(kRegexpInstr, "REGEXP_INSTR", builtin)                                                      \
    X(kRegexpReplace, "REGEXP_REPLACE", builtin)                                                  \
    X(kRegexpSubstr, "REGEXP_SUBSTR", builtin)                                                    \
    X(kRelease, "RELEASE", routing | reserved)                                                    \
    X(kReleaseAllLocks, "RELEASE_ALL_LOCKS", routing | primary_only | builtin)                    \
    X(kReleaseLock, "RELEASE_LOCK", routing | primary_only | builtin)                             \
    X(kRename, "RENAME", routing | firewall | reserved)                                           \
    X(kRepair, "REPAIR", routing)                                                                 \
    X(kRepeat, "REPEAT", routing | reserved | builtin)                                            \
    X(kReplace, "REPLACE", routing | firewall | reserved | builtin)                               \
    X(kReplaceOracle, "REPLACE_ORACLE", builtin)                                                  \
    X(kRequire, "REQUIRE", reserved)                                                              \
    X(kReset, "RESET", routing)                                                                   \
    X(kResignal, "RESIGNAL", routing | reserved)                                                  \
    X(kRestrict, "RESTRICT", reserved)                                                            \
    X(kReturn, "RETURN", reserved)                                                                \
    X(kReturning, "RETURNING", reserved)                                                          \
    X(kReverse, "REVERSE", builtin)                                                               \
    X(kRevoke, "REVOKE", routing | reserved)                                                      \
    X(kRight, "RIGHT", reserved | builtin)                                                        \
    X(kRlike, "RLIKE", firewall | reserved)                                                       \
    X(kRole, "ROLE", firewall)                                                                    \
    X(kRollback, "ROLLBACK", routing)                                                             \
    X(kRound, "ROUND", builtin)                                                                   \
    X(kRow, "ROW", builtin)                                                                       \
    X(kRownum, "ROWNUM", builtin)                                                                 \
    X(kRows, "ROWS", reserved)                                                                    \
    X(kRowCount, "ROW_COUNT", routing | builtin | previous_statement)                             \
    X(kRowNumber, "ROW_NUMBER", builtin)                                                          \
    X(kRpad, "RPAD", builtin)                                                                     \
    X(kRpadOracle, "RPAD_ORACLE", builtin)                                                        \
    X(kRtrim, "RTRIM", builtin)                                                                   \
    X(kRtrimOracle, "RTRIM_ORACLE", builtin)                                                      \
    X(kSavepoint, "SAVEPOINT", routing)                                                           \
    X(kSchema, "SCHEMA", firewall | reserved | builtin)                                           \
    X(kSchemas, "SCHEMAS", reserved | builtin)                                                    \
    X(kSecond, "SECOND", builtin)                                                                 \
    X(kSecondMicrosecond, "SECOND_MICROSECOND", reserved)                                         \
    X(kSecToTime, "SEC_TO_TIME", builtin)                                                         \
    X(kSelect, "SELECT", routing | firewall | reserved)                                           \
    X(kSensitive, "SENSITIVE", reserved)                                                          \
    X(kSeparator, "SEPARATOR", reserved)                                                          \
    X(kServer, "SERVER", firewall)                                                                \
    X(kSession, "SESSION", routing | firewall)                                                    \
    X(kSessionStatus, "SESSION_STATUS", previous_statement)                                       \
    X(kSessionUser, "SESSION_USER", firewall | builtin)                                           \
    X(kSet, "SET", routing | firewall | reserved)                                                 \
    X(kSetval, "SETVAL", routing | primary_only | builtin)                                        \
    X(kSformat, "SFORMAT", builtin)                                                               \
    X(kSha, "SHA", builtin)                                                                       \
    X(kSha1, "SHA1", builtin)                                                                     \
    X(kSha2, "SHA2", builtin)                                                                     \
    X(kShare, "SHARE", routing)                                                                   \
    X(kShow, "SHOW", routing | firewall | reserved)                                               \
    X(kShutdown, "SHUTDOWN", routing)                                                             \
    X(kSign, "SIGN", builtin)                                                                     \
    X(kSignal, "SIGNAL", routing | reserved)                                                      \
    X(kSigned, "SIGNED", builtin)                                                                 \
    X(kSin, "SIN", builtin)                                                                       \
    X(kSleep, "SLEEP", firewall | builtin)                                                        \
    X(kSmallint, "SMALLINT", reserved | builtin)                                                  \
    X(kSome, "SOME", builtin)                                                                     \
    X(kSoundex, "SOUNDEX", builtin)                                                               \
    X(kSounds, "SOUNDS", firewall)                                                                \
    X(kSourcePosWait, "SOURCE_POS_WAIT", routing | primary_only)                                  \
    X(kSpace, "SPACE", builtin)                                                                   \
    X(kSpatial, "SPATIAL", reserved)                                                              \
    X(kSpecific, "SPECIFIC", reserved)                                                            \
    X(kSql, "SQL", reserved)                                                                      \
    X(kSqlexception, "SQLEXCEPTION", reserved)                                                    \
    X(kSqlstate, "SQLSTATE", reserved)                                                            \
    X(kSqlwarning, "SQLWARNING", reserved)                                                        \
    X(kSqlBigResult, "SQL_BIG_RESULT", reserved)                                                  \
    X(kSqlCalcFoundRows, "SQL_CALC_FOUND_ROWS", routing | reserved)                               \
    X(kSqlSmallResult, "SQL_SMALL_RESULT", reserved)                                              \
    X(kSqrt, "SQRT", builtin)                                                                     \
    X(kSrid, "SRID", builtin)                                                                     \
    X(kSsl, "SSL", reserved)                                                                      \
    X(kStart, "START", routing)                                                                   \
    X(kStarting, "STARTING", reserved)                                                            \
    X(kStartpoint, "STARTPOINT", builtin)                                                         \
    X(kStatement, "STATEMENT", routing | firewall)                                                \
    X(kStd, "STD", builtin)                                                                       \
    X(kStddev, "STDDEV", builtin)                                                                 \
    X(kStddevPop, "STDDEV_POP", builtin)                                                          \
    X(kStddevSamp, "STDDEV_SAMP", builtin)                                                        \
    X(kStop, "STOP", routing)                                                                     \
    X(kStraightJoin, "STRAIGHT_JOIN", routing | reserved)                                         \
    X(kStrcmp, "STRCMP", builtin)                                                                 \
    X(kStrToDate, "STR_TO_DATE", builtin)                                                         \
    X(kStArea, "ST_AREA", builtin)                                                                \
    X(kStAsbinary, "ST_ASBINARY", builtin)                                                        \
    X(kStAsgeojson, "ST_ASGEOJSON", builtin)                                                      \
    X(kStAstext, "ST_ASTEXT", builtin)                                                            \
    X(kStAswkb, "ST_ASWKB", builtin)                                                              \
    X(kStAswkt, "ST_ASWKT", builtin)                                                              \
    X(kStBoundary, "ST_BOUNDARY", builtin)                                                        \
    X(kStBuffer, "ST_BUFFER", builtin)                                                            \
    X(kStCentroid, "ST_CENTROID", builtin)                                                        \
    X(kStCollect, "ST_COLLECT", builtin)                                                          \
    X(kStContains, "ST_CONTAINS", builtin)                                                        \
    X(kStConvexhull, "ST_CONVEXHULL", builtin)                                                    \
    X(kStCrosses, "ST_CROSSES", builtin)                                                          \
    X(kStDifference, "ST_DIFFERENCE", builtin)                                                    \
    X(kStDimension, "ST_DIMENSION", builtin)                                                      \
    X(kStDisjoint, "ST_DISJOINT", builtin)                                                        \
    X(kStDistance, "ST_DISTANCE", builtin)                                                        \
    X(kStDistanceSphere, "ST_DISTANCE_SPHERE", builtin)                                           \
    X(kStEndpoint, "ST_ENDPOINT", builtin)                                                        \
    X(kStEnvelope, "ST_ENVELOPE", builtin)                                                        \
    X(kStEquals, "ST_EQUALS", builtin)                                                            \
    X(kStExteriorring, "ST_EXTERIORRING", builtin)                                                \
    X(kStGeohash, "ST_GEOHASH", builtin)                                                          \
    X(kStGeomcollfromtext, "ST_GEOMCOLLFROMTEXT", builtin)                                        \
    X(kStGeomcollfromwkb, "ST_GEOMCOLLFROMWKB", builtin)                                          \
    X(kStGeometrycollectionfromtext, "ST_GEOMETRYCOLLECTIONFROMTEXT", builtin)                    \
    X(kStGeometrycollectionfromwkb, "ST_GEOMETRYCOLLECTIONFROMWKB", builtin)                      \
    X(kStGeometryfromtext, "ST_GEOMETRYFROMTEXT", builtin)                                        \
    X(kStGeometryfromwkb, "ST_GEOMETRYFROMWKB", builtin)                                          \
    X(kStGeometryn, "ST_GEOMETRYN", builtin)                                                      \
    X(kStGeometrytype, "ST_GEOMETRYTYPE", builtin)                                                \
    X(kStGeomfromgeojson, "ST_GEOMFROMGEOJSON", builtin)                                          \
    X(kStGeomfromtext, "ST_GEOMFROMTEXT", builtin)                                                \
    X(kStGeomfromwkb, "ST_GEOMFROMWKB", builtin)                                                  \
    X(kStInteriorringn, "ST_INTERIORRINGN", builtin)                                              \
    X(kStIntersection, "ST_INTERSECTION", builtin)                                                \
    X(kStIntersects, "ST_INTERSECTS", builtin)                                                    \
    X(kStIsclosed, "ST_ISCLOSED", builtin)                                                        \
    X(kStIsempty, "ST_ISEMPTY", builtin)                                                          \
    X(kStIsring, "ST_ISRING", builtin)                                                            \
    X(kStIssimple, "ST_ISSIMPLE", builtin)                                                        \
    X(kStIsvalid, "ST_ISVALID", builtin)                                                          \
    X(kStLatfromgeohash, "ST_LATFROMGEOHASH", builtin)                                            \
    X(kStLength, "ST_LENGTH", builtin)                                                            \
    X(kStLinefromtext, "ST_LINEFROMTEXT", builtin)                                                \
    X(kStLinefromwkb, "ST_LINEFROMWKB", builtin)                                                  \
    X(kStLinestringfromtext, "ST_LINESTRINGFROMTEXT", builtin)                                    \
    X(kStLinestringfromwkb, "ST_LINESTRINGFROMWKB", builtin)                                      \
    X(kStLongfromgeohash, "ST_LONGFROMGEOHASH", builtin)                                          \
    X(kStMlinefromtext, "ST_MLINEFROMTEXT", builtin)                                              \
    X(kStMpointfromtext, "ST_MPOINTFROMTEXT", builtin)                                            \
    X(kStMpointfromwkb, "ST_MPOINTFROMWKB", builtin)                                              \
    X(kStMpolyfromtext, "ST_MPOLYFROMTEXT", builtin)                                              \
    X(kStMpolyfromwkb, "ST_MPOLYFROMWKB", builtin)                                                \
    X(kStMultilinestringfromtext, "ST_MULTILINESTRINGFROMTEXT", builtin)                          \
    X(kStMultipointfromtext, "ST_MULTIPOINTFROMTEXT", builtin)                                    \
    X(kStMultipointfromwkb, "ST_MULTIPOINTFROMWKB", builtin)                                      \
    X(kStMultipolygonfromtext, "ST_MULTIPOLYGONFROMTEXT", builtin)                                \
    X(kStMultipolygonfromwkb, "ST_MULTIPOLYGONFROMWKB", builtin)                                  \
    X(kStNumgeometries, "ST_NUMGEOMETRIES", builtin)                                              \
    X(kStNuminteriorrings, "ST_NUMINTERIORRINGS", builtin)                                        \
    X(kStNumpoints, "ST_NUMPOINTS", builtin)                                                      \
    X(kStOverlaps, "ST_OVERLAPS", builtin)                                                        \
    X(kStPointfromgeohash, "ST_POINTFROMGEOHASH", builtin)                                        \
    X(kStPointfromtext, "ST_POINTFROMTEXT", builtin)                                              \
    X(kStPointfromwkb, "ST_POINTFROMWKB", builtin)                                                \
    X(kStPointn, "ST_POINTN", builtin)                                                            \
    X(kStPointonsurface, "ST_POINTONSURFACE", builtin)                                            \
    X(kStPolyfromtext, "ST_POLYFROMTEXT", builtin)                                                \
    X(kStPolyfromwkb, "ST_POLYFROMWKB", builtin)                                                  \
    X(kStPolygonfromtext, "ST_POLYGONFROMTEXT", builtin)                                          \
    X(kStPolygonfromwkb, "ST_POLYGONFROMWKB", builtin)                                            \
    X(kStRelate, "ST_RELATE", builtin)                                                            \
    X(kStSimplify, "ST_SIMPLIFY", builtin)                                                        \
    X(kStSrid, "ST_SRID", builtin)                                                                \
    X(kStStartpoint, "ST_STARTPOINT", builtin)                                                    \
    X(kStSymdifference, "ST_SYMDIFFERENCE", builtin)                                              \
    X(kStTouches, "ST_TOUCHES", builtin)                                                          \
    X(kStUnion, "ST_UNION", builtin)                                                              \
    X(kStValidate, "ST_VALIDATE", builtin)                                                        \
    X(kStWithin, "ST_WITHIN", builtin)                                                            \
    X(kStX, "ST_X", builtin)                                                                      \
    X(kStY, "ST_Y", builtin)                                                                      \
    X(kSubdate, "SUBDATE", builtin)                                                               \
    X(kSubstr, "SUBSTR", builtin)                                                                 \
    X(kSubstring, "SUBSTRING", builtin)                                                           \
    X(kSubstringIndex, "SUBSTRING_INDEX", builtin)                                                \
    X(kSubstrOracle, "SUBSTR_ORACLE", builtin)                                                    \
    X(kSubtime, "SUBTIME", builtin)                                                               \
    X(kSum, "SUM", builtin)                                                                       \
    X(kSysdate, "SYSDATE", builtin)                                                               \
    X(kSystemUser, "SYSTEM_USER", firewall | builtin)                                             \
    X(kSysGuid, "SYS_GUID", builtin)                                                              \
    X(kTable, "TABLE", routing | reserved)                                                        \
    X(kTables, "TABLES", routing)                                                                 \
    X(kTan, "TAN", builtin)                                                                       \
    X(kTemporary, "TEMPORARY", routing)                                                           \
    X(kTerminated, "TERMINATED", reserved)                                                        \
    X(kText, "TEXT", builtin)                                                                     \
    X(kThen, "THEN", firewall | reserved)                                                         \
    X(kTime, "TIME", firewall | builtin)                                                          \
    X(kTimediff, "TIMEDIFF", builtin)                                                             \
    X(kTimestamp, "TIMESTAMP", builtin)                                                           \
    X(kTimestampadd, "TIMESTAMPADD", builtin)                                                     \
    X(kTimestampdiff, "TIMESTAMPDIFF", builtin)                                                   \
    X(kTimeFormat, "TIME_FORMAT", builtin)                                                        \
    X(kTimeToSec, "TIME_TO_SEC", builtin)                                                         \
    X(kTinyblob, "TINYBLOB", reserved)                                                            \
    X(kTinyint, "TINYINT", reserved | builtin)                                                    \
    X(kTinytext, "TINYTEXT", reserved)                                                            \
    X(kTo, "TO", routing | reserved)                                                              \
    X(kTouches, "TOUCHES", builtin)                                                               \
    X(kToBase64, "TO_BASE64", builtin)                                                            \
    X(kToChar, "TO_CHAR", builtin)                                                                \
    X(kToDate, "TO_DATE", builtin)                                                                \
    X(kToDays, "TO_DAYS", builtin)                                                                \
    X(kToNumber, "TO_NUMBER", builtin)                                                            \
    X(kToSeconds, "TO_SECONDS", builtin)                                                          \
    X(kTrailing, "TRAILING", reserved)                                                            \
    X(kTransaction, "TRANSACTION", routing)                                                       \
    X(kTrigger, "TRIGGER", routing | reserved)                                                    \
    X(kTrim, "TRIM", builtin)                                                                     \
    X(kTrimOracle, "TRIM_ORACLE", builtin)                                                        \
    X(kTrue, "TRUE", firewall | reserved)                                                         \
    X(kTrunc, "TRUNC", builtin)                                                                   \
    X(kTruncate, "TRUNCATE", routing | builtin)                                                   \
    X(kUcase, "UCASE", builtin)                                                                   \
    X(kUncompress, "UNCOMPRESS", builtin)                                                         \
    X(kUncompressedLength, "UNCOMPRESSED_LENGTH", builtin)                                        \
    X(kUndo, "UNDO", reserved)                                                                    \
    X(kUnhex, "UNHEX", firewall | builtin)                                                        \
    X(kUninstall, "UNINSTALL", routing)                                                           \
    X(kUnion, "UNION", routing | firewall | reserved)                                             \
    X(kUnique, "UNIQUE", reserved)                                                                \
    X(kUnixTimestamp, "UNIX_TIMESTAMP", builtin)                                                  \
    X(kUnknown, "UNKNOWN", firewall)                                                              \
    X(kUnlock, "UNLOCK", routing | reserved)                                                      \
    X(kUnsigned, "UNSIGNED", reserved | builtin)                                                  \
    X(kUpdate, "UPDATE", routing | firewall | reserved)                                           \
    X(kUpdateXml, "UPDATEXML", firewall | builtin)                                                \
    X(kUpper, "UPPER", builtin)                                                                   \
    X(kUsage, "USAGE", reserved)                                                                  \
    X(kUse, "USE", routing | reserved)                                                            \
    X(kUser, "USER", firewall | builtin)                                                          \
    X(kUsing, "USING", firewall | reserved)                                                       \
    X(kUtcDate, "UTC_DATE", reserved | builtin)                                                   \
    X(kUtcTime, "UTC_TIME", reserved | builtin)                                                   \
    X(kUtcTimestamp, "UTC_TIMESTAMP", reserved | builtin)                                         \
    X(kUuid, "UUID", builtin)                                                                     \
    X(kUuidShort, "UUID_SHORT", builtin)                                                          \
    X(kUuidV4, "UUID_V4", builtin)                                                                \
    X(kUuidV7, "UUID_V7", builtin)                                                                \
    X(kValue, "VALUE", routing | firewall | builtin)                                              \
    X(kValues, "VALUES", routing | firewall | reserved | builtin)                                 \
    X(kVarbinary, "VARBINARY", reserved | builtin)                                                \
    X(kVarchar, "VARCHAR", reserved | builtin)                                                    \
    X(kVarchar2, "VARCHAR2", builtin)                                                             \
    X(kVarcharacter, "VARCHARACTER", reserved)                                                    \
    X(kVariance, "VARIANCE", builtin)                                                             \
    X(kVarying, "VARYING", reserved)                                                              \
    X(kVarPop, "VAR_POP", builtin)                                                                \
    X(kVarSamp, "VAR_SAMP", builtin)                                                              \
    X(kVecDistance, "VEC_DISTANCE", builtin)                                                      \
    X(kVecDistanceCosine, "VEC_DISTANCE_COSINE", builtin)                                         \
    X(kVecDistanceEuclidean, "VEC_DISTANCE_EUCLIDEAN", builtin)                                   \
    X(kVecFromtext, "VEC_FROMTEXT", builtin)                                                      \
    X(kVecTotext, "VEC_TOTEXT", builtin)                                                          \
    X(kVersion, "VERSION", firewall | builtin)                                                    \
    X(kWaitfor, "WAITFOR", firewall)                                                              \
    X(kWaitForExecutedGtidSet, "WAIT_FOR_EXECUTED_GTID_SET", routing | primary_only)              \
    X(kWaitUntilSqlThreadAfterGtids, "WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS", routing | primary_only) \
    X(kWeek, "WEEK", builtin)                                                                     \
    X(kWeekday, "WEEKDAY", builtin)                                                               \
    X(kWeekofyear, "WEEKOFYEAR", builtin)                                                         \
    X(kWeightString, "WEIGHT_STRING", builtin)                                                    \
    X(kWhen, "WHEN", firewall | reserved)                                                         \
    X(kWhere, "WHERE", firewall | reserved)                                                       \
    X(kWhile, "WHILE", routing | reserved)                                                        \
    X(kWindow, "WINDOW", firewall | reserved)                                                     \
    X(kWith, "WITH", routing | reserved)                                                          \
    X(kWithin, "WITHIN", builtin)                                                                 \
    X(kWork, "WORK", routing)                                                                     \
    X(kWrite, "WRITE", reserved)                                                                  \
    X(kWsrepLastSeenGtid, "WSREP_LAST_SEEN_GTID", builtin)                                        \
    X(kWsrepLastWrittenGtid, "WSREP_LAST_WRITTEN_GTID", builtin)                                  \
    X(kWsrepSyncWaitUptoGtid, "WSREP_SYNC_WAIT_UPTO_GTID", builtin)                               \
    X(kX, "X", builtin)                                                                           \
    X(kXa, "XA", routing)                                                                         \
    X(kXml, "XML", routing)                                                                       \
    X(kXor, "XOR", firewall | reserved)                                                           \
    X(kY, "Y", builtin)                                                                           \
    X(kYear, "YEAR", builtin)                                                                     \
    X(kYearweek, "YEARWEEK", builtin)                                                             \
    X(kYearMonth, "YEAR_MONTH", reserved)                                                         \
    X(kZerofill, "ZEROFILL", reserved)

enum class Keyword : std::uint16_t {
    kNone,  // not a word of the table
#define SQLGATE_SQL_KEYWORD_ENUMERATOR(id, spelling, traits) id,
    SQLGATE_SQL_KEYWORDS(SQLGATE_SQL_KEYWORD_ENUMERATOR)
#undef SQLGATE_SQL_KEYWORD_ENUMERATOR
};

// The keyword spelled by `word` in any letter case, or kNone.
Keyword keyword_of(std::string_view word) noexcept;

// The keyword spelled by `word` if it has `trait` (a reader's vocabulary), else kNone.
Keyword keyword_in(std::string_view word, KeywordTrait trait) noexcept;

// What the table says of `keyword`; none for kNone.
KeywordTrait traits_of(Keyword keyword) noexcept;

// The upper-case spelling ("SELECT"); empty for kNone. Stable, for logs and metric labels.
std::string_view keyword_text(Keyword keyword) noexcept;

// True for functions whose answer depends on, or changes, state of the primary's session.
bool is_primary_only_function(Keyword keyword) noexcept;

}  // namespace sqlgate::sql
