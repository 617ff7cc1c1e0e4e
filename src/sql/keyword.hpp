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
    X(kAccessible, "ACCESSIBLE", reserved)                                                        \
    X(kAdd, "ADD", reserved)                                                                      \
    X(kAggregate, "AGGREGATE", routing)                                                           \
    X(kAll, "ALL", firewall | reserved)                                                           \
    X(kAlter, "ALTER", routing | firewall | reserved)                                             \
    X(kAnalyze, "ANALYZE", routing | reserved)                                                    \
    X(kAnd, "AND", routing | firewall | reserved)                                                 \
    X(kAs, "AS", routing | firewall | reserved)                                                   \
    X(kAsc, "ASC", firewall | reserved)                                                           \
    X(kAsensitive, "ASENSITIVE", reserved)                                                        \
    X(kBackup, "BACKUP", routing)                                                                 \
    X(kBefore, "BEFORE", reserved)                                                                \
    X(kBegin, "BEGIN", routing)                                                                   \
    X(kBenchmark, "BENCHMARK", firewall)                                                          \
    X(kBetween, "BETWEEN", firewall | reserved)                                                   \
    X(kBigint, "BIGINT", reserved)                                                                \
    X(kBinary, "BINARY", firewall | reserved)                                                     \
    X(kBinlog, "BINLOG", routing)                                                                 \
    X(kBlob, "BLOB", reserved)                                                                    \
    X(kBoth, "BOTH", reserved)                                                                    \
    X(kBy, "BY", firewall | reserved)                                                             \
    X(kCache, "CACHE", routing)                                                                   \
    X(kCall, "CALL", routing | reserved)                                                          \
    X(kCascade, "CASCADE", reserved)                                                              \
    X(kCase, "CASE", routing | reserved)                                                          \
    X(kChain, "CHAIN", routing)                                                                   \
    X(kChange, "CHANGE", routing | reserved)                                                      \
    X(kChar, "CHAR", firewall | reserved)                                                         \
    X(kCharacter, "CHARACTER", firewall | reserved)                                               \
    X(kCharset, "CHARSET", firewall)                                                              \
    X(kCheck, "CHECK", routing | reserved)                                                        \
    X(kChecksum, "CHECKSUM", routing)                                                             \
    X(kCollate, "COLLATE", firewall | reserved)                                                   \
    X(kColumn, "COLUMN", reserved)                                                                \
    X(kColumns, "COLUMNS", firewall)                                                              \
    X(kComment, "COMMENT", firewall)                                                              \
    X(kCommit, "COMMIT", routing)                                                                 \
    X(kConcat, "CONCAT", firewall)                                                                \
    X(kCondition, "CONDITION", reserved)                                                          \
    X(kConnectionId, "CONNECTION_ID", firewall)                                                   \
    X(kConstraint, "CONSTRAINT", reserved)                                                        \
    X(kContinue, "CONTINUE", reserved)                                                            \
    X(kConv, "CONV", firewall)                                                                    \
    X(kConvert, "CONVERT", reserved)                                                              \
    X(kCreate, "CREATE", routing | firewall | reserved)                                           \
    X(kCross, "CROSS", reserved)                                                                  \
    X(kCurrentDate, "CURRENT_DATE", reserved)                                                     \
    X(kCurrentRole, "CURRENT_ROLE", reserved)                                                     \
    X(kCurrentTime, "CURRENT_TIME", reserved)                                                     \
    X(kCurrentTimestamp, "CURRENT_TIMESTAMP", reserved)                                           \
    X(kCurrentUser, "CURRENT_USER", firewall | reserved)                                          \
    X(kCursor, "CURSOR", reserved)                                                                \
    X(kData, "DATA", routing)                                                                     \
    X(kDatabase, "DATABASE", firewall | reserved)                                                 \
    X(kDatabases, "DATABASES", reserved)                                                          \
    X(kDayHour, "DAY_HOUR", reserved)                                                             \
    X(kDayMicrosecond, "DAY_MICROSECOND", reserved)                                               \
    X(kDayMinute, "DAY_MINUTE", reserved)                                                         \
    X(kDaySecond, "DAY_SECOND", reserved)                                                         \
    X(kDeallocate, "DEALLOCATE", routing)                                                         \
    X(kDec, "DEC", reserved)                                                                      \
    X(kDecimal, "DECIMAL", reserved)                                                              \
    X(kDeclare, "DECLARE", reserved)                                                              \
    X(kDefault, "DEFAULT", routing | firewall | reserved)                                         \
    X(kDefiner, "DEFINER", routing)                                                               \
    X(kDelay, "DELAY", firewall)                                                                  \
    X(kDelayed, "DELAYED", routing | reserved)                                                    \
    X(kDelete, "DELETE", routing | reserved)                                                      \
    X(kDesc, "DESC", routing | firewall | reserved)                                               \
    X(kDescribe, "DESCRIBE", routing | reserved)                                                  \
    X(kDeterministic, "DETERMINISTIC", reserved)                                                  \
    X(kDistinct, "DISTINCT", firewall | reserved)                                                 \
    X(kDistinctrow, "DISTINCTROW", firewall | reserved)                                           \
    X(kDiv, "DIV", firewall | reserved)                                                           \
    X(kDo, "DO", routing)                                                                         \
    X(kDouble, "DOUBLE", reserved)                                                                \
    X(kDrop, "DROP", routing | firewall | reserved)                                               \
    X(kDual, "DUAL", routing | firewall | reserved)                                               \
    X(kDumpfile, "DUMPFILE", routing)                                                             \
    X(kEach, "EACH", reserved)                                                                    \
    X(kElse, "ELSE", firewall | reserved)                                                         \
    X(kElseif, "ELSEIF", reserved)                                                                \
    X(kEnclosed, "ENCLOSED", reserved)                                                            \
    X(kEnd, "END", routing | firewall)                                                            \
    X(kEscaped, "ESCAPED", reserved)                                                              \
    X(kEvent, "EVENT", routing)                                                                   \
    X(kExcept, "EXCEPT", reserved)                                                                \
    X(kExecute, "EXECUTE", routing)                                                               \
    X(kExists, "EXISTS", routing | firewall | reserved)                                           \
    X(kExit, "EXIT", reserved)                                                                    \
    X(kExp, "EXP", firewall)                                                                      \
    X(kExplain, "EXPLAIN", routing | reserved)                                                    \
    X(kExtended, "EXTENDED", routing)                                                             \
    X(kExtractValue, "EXTRACTVALUE", firewall)                                                    \
    X(kFalse, "FALSE", firewall | reserved)                                                       \
    X(kFetch, "FETCH", reserved)                                                                  \
    X(kFields, "FIELDS", firewall)                                                                \
    X(kFloat, "FLOAT", reserved)                                                                  \
    X(kFloat4, "FLOAT4", reserved)                                                                \
    X(kFloat8, "FLOAT8", reserved)                                                                \
    X(kFloor, "FLOOR", firewall)                                                                  \
    X(kFlush, "FLUSH", routing)                                                                   \
    X(kFor, "FOR", routing | firewall | reserved)                                                 \
    X(kForce, "FORCE", reserved)                                                                  \
    X(kForeign, "FOREIGN", reserved)                                                              \
    X(kFormat, "FORMAT", routing)                                                                 \
    X(kFoundRows, "FOUND_ROWS", routing | primary_only)                                           \
    X(kFrom, "FROM", routing | firewall | reserved)                                               \
    X(kFromBase64, "FROM_BASE64", firewall)                                                       \
    X(kFulltext, "FULLTEXT", reserved)                                                            \
    X(kFunction, "FUNCTION", routing)                                                             \
    X(kGet, "GET", routing)                                                                       \
    X(kGetLock, "GET_LOCK", routing | primary_only)                                               \
    X(kGlobal, "GLOBAL", routing | firewall)                                                      \
    X(kGrant, "GRANT", routing | reserved)                                                        \
    X(kGroup, "GROUP", firewall | reserved)                                                       \
    X(kHandler, "HANDLER", routing)                                                               \
    X(kHaving, "HAVING", firewall | reserved)                                                     \
    X(kHelp, "HELP", routing)                                                                     \
    X(kHighPriority, "HIGH_PRIORITY", routing | reserved)                                         \
    X(kHourMicrosecond, "HOUR_MICROSECOND", reserved)                                             \
    X(kHourMinute, "HOUR_MINUTE", reserved)                                                       \
    X(kHourSecond, "HOUR_SECOND", reserved)                                                       \
    X(kIf, "IF", routing | firewall | reserved)                                                   \
    X(kIgnore, "IGNORE", routing | reserved)                                                      \
    X(kImport, "IMPORT", routing)                                                                 \
    X(kIn, "IN", routing | firewall | reserved)                                                   \
    X(kIndex, "INDEX", firewall | reserved)                                                       \
    X(kIndexes, "INDEXES", firewall)                                                              \
    X(kInfile, "INFILE", routing | reserved)                                                      \
    X(kInner, "INNER", reserved)                                                                  \
    X(kInout, "INOUT", reserved)                                                                  \
    X(kInsensitive, "INSENSITIVE", reserved)                                                      \
    X(kInsert, "INSERT", routing | reserved)                                                      \
    X(kInstall, "INSTALL", routing)                                                               \
    X(kInt, "INT", reserved)                                                                      \
    X(kInt1, "INT1", reserved)                                                                    \
    X(kInt2, "INT2", reserved)                                                                    \
    X(kInt3, "INT3", reserved)                                                                    \
    X(kInt4, "INT4", reserved)                                                                    \
    X(kInt8, "INT8", reserved)                                                                    \
    X(kInteger, "INTEGER", reserved)                                                              \
    X(kIntersect, "INTERSECT", reserved)                                                          \
    X(kInterval, "INTERVAL", reserved)                                                            \
    X(kInto, "INTO", routing | firewall | reserved)                                               \
    X(kIs, "IS", firewall | reserved)                                                             \
    X(kIsFreeLock, "IS_FREE_LOCK", routing | primary_only)                                        \
    X(kIsUsedLock, "IS_USED_LOCK", routing | primary_only)                                        \
    X(kIterate, "ITERATE", reserved)                                                              \
    X(kJoin, "JOIN", routing | firewall | reserved)                                               \
    X(kKey, "KEY", reserved)                                                                      \
    X(kKeys, "KEYS", firewall | reserved)                                                         \
    X(kKill, "KILL", routing | reserved)                                                          \
    X(kLastval, "LASTVAL", routing | primary_only)                                                \
    X(kLastInsertId, "LAST_INSERT_ID", routing | primary_only)                                    \
    X(kLateral, "LATERAL", routing)                                                               \
    X(kLeading, "LEADING", reserved)                                                              \
    X(kLeave, "LEAVE", reserved)                                                                  \
    X(kLeft, "LEFT", reserved)                                                                    \
    X(kLike, "LIKE", firewall | reserved)                                                         \
    X(kLimit, "LIMIT", firewall | reserved)                                                       \
    X(kLinear, "LINEAR", reserved)                                                                \
    X(kLines, "LINES", reserved)                                                                  \
    X(kLoad, "LOAD", routing | reserved)                                                          \
    X(kLoadFile, "LOAD_FILE", routing)                                                            \
    X(kLocal, "LOCAL", routing | firewall)                                                        \
    X(kLocaltime, "LOCALTIME", reserved)                                                          \
    X(kLocaltimestamp, "LOCALTIMESTAMP", reserved)                                                \
    X(kLock, "LOCK", routing | firewall | reserved)                                               \
    X(kLong, "LONG", reserved)                                                                    \
    X(kLongblob, "LONGBLOB", reserved)                                                            \
    X(kLongtext, "LONGTEXT", reserved)                                                            \
    X(kLoop, "LOOP", routing | reserved)                                                          \
    X(kLowPriority, "LOW_PRIORITY", routing | reserved)                                           \
    X(kMasterGtidWait, "MASTER_GTID_WAIT", routing | primary_only)                                \
    X(kMasterPosWait, "MASTER_POS_WAIT", routing | primary_only)                                  \
    X(kMatch, "MATCH", reserved)                                                                  \
    X(kMaxvalue, "MAXVALUE", reserved)                                                            \
    X(kMediumblob, "MEDIUMBLOB", reserved)                                                        \
    X(kMediumint, "MEDIUMINT", reserved)                                                          \
    X(kMediumtext, "MEDIUMTEXT", reserved)                                                        \
    X(kMiddleint, "MIDDLEINT", reserved)                                                          \
    X(kMinuteMicrosecond, "MINUTE_MICROSECOND", reserved)                                         \
    X(kMinuteSecond, "MINUTE_SECOND", reserved)                                                   \
    X(kMod, "MOD", firewall | reserved)                                                           \
    X(kModifies, "MODIFIES", reserved)                                                            \
    X(kNames, "NAMES", firewall)                                                                  \
    X(kNatural, "NATURAL", reserved)                                                              \
    X(kNext, "NEXT", routing)                                                                     \
    X(kNextval, "NEXTVAL", routing | primary_only)                                                \
    X(kNo, "NO", routing)                                                                         \
    X(kNot, "NOT", routing | firewall | reserved)                                                 \
    X(kNoWriteToBinlog, "NO_WRITE_TO_BINLOG", routing | reserved)                                 \
    X(kNull, "NULL", firewall | reserved)                                                         \
    X(kNumeric, "NUMERIC", reserved)                                                              \
    X(kOffset, "OFFSET", reserved)                                                                \
    X(kOn, "ON", firewall | reserved)                                                             \
    X(kOnly, "ONLY", routing)                                                                     \
    X(kOptimize, "OPTIMIZE", routing | reserved)                                                  \
    X(kOption, "OPTION", reserved)                                                                \
    X(kOptionally, "OPTIONALLY", reserved)                                                        \
    X(kOr, "OR", routing | firewall | reserved)                                                   \
    X(kOrder, "ORDER", firewall | reserved)                                                       \
    X(kOut, "OUT", reserved)                                                                      \
    X(kOuter, "OUTER", reserved)                                                                  \
    X(kOutfile, "OUTFILE", routing | reserved)                                                    \
    X(kOver, "OVER", reserved)                                                                    \
    X(kPackage, "PACKAGE", routing)                                                               \
    X(kPartition, "PARTITION", reserved)                                                          \
    X(kPartitions, "PARTITIONS", routing)                                                         \
    X(kPassword, "PASSWORD", routing)                                                             \
    X(kPersist, "PERSIST", routing | firewall)                                                    \
    X(kPersistOnly, "PERSIST_ONLY", routing | firewall)                                           \
    X(kPgSleep, "PG_SLEEP", firewall)                                                             \
    X(kPrecision, "PRECISION", reserved)                                                          \
    X(kPrepare, "PREPARE", routing)                                                               \
    X(kPrevious, "PREVIOUS", routing)                                                             \
    X(kPrimary, "PRIMARY", reserved)                                                              \
    X(kProcedure, "PROCEDURE", routing | firewall | reserved)                                     \
    X(kPurge, "PURGE", routing | reserved)                                                        \
    X(kQuick, "QUICK", routing)                                                                   \
    X(kRand, "RAND", firewall)                                                                    \
    X(kRange, "RANGE", reserved)                                                                  \
    X(kRead, "READ", routing | reserved)                                                          \
    X(kReads, "READS", reserved)                                                                  \
    X(kReadWrite, "READ_WRITE", reserved)                                                         \
    X(kReal, "REAL", reserved)                                                                    \
    X(kRecursive, "RECURSIVE", routing | reserved)                                                \
    X(kReferences, "REFERENCES", reserved)                                                        \
    X(kRegexp, "REGEXP", firewall | reserved)                                                     \
    X(kRelease, "RELEASE", routing | reserved)                                                    \
    X(kReleaseAllLocks, "RELEASE_ALL_LOCKS", routing | primary_only)                              \
    X(kReleaseLock, "RELEASE_LOCK", routing | primary_only)                                       \
    X(kRename, "RENAME", routing | firewall | reserved)                                           \
    X(kRepair, "REPAIR", routing)                                                                 \
    X(kRepeat, "REPEAT", routing | reserved)                                                      \
    X(kReplace, "REPLACE", routing | firewall | reserved)                                         \
    X(kRequire, "REQUIRE", reserved)                                                              \
    X(kReset, "RESET", routing)                                                                   \
    X(kResignal, "RESIGNAL", routing | reserved)                                                  \
    X(kRestrict, "RESTRICT", reserved)                                                            \
    X(kReturn, "RETURN", reserved)                                                                \
    X(kReturning, "RETURNING", reserved)                                                          \
    X(kRevoke, "REVOKE", routing | reserved)                                                      \
    X(kRight, "RIGHT", reserved)                                                                  \
    X(kRlike, "RLIKE", firewall | reserved)                                                       \
    X(kRole, "ROLE", firewall)                                                                    \
    X(kRollback, "ROLLBACK", routing)                                                             \
    X(kRows, "ROWS", reserved)                                                                    \
    X(kRowCount, "ROW_COUNT", routing | primary_only)                                             \
    X(kSavepoint, "SAVEPOINT", routing)                                                           \
    X(kSchema, "SCHEMA", firewall | reserved)                                                     \
    X(kSchemas, "SCHEMAS", reserved)                                                              \
    X(kSecondMicrosecond, "SECOND_MICROSECOND", reserved)                                         \
    X(kSelect, "SELECT", routing | firewall | reserved)                                           \
    X(kSensitive, "SENSITIVE", reserved)                                                          \
    X(kSeparator, "SEPARATOR", reserved)                                                          \
    X(kServer, "SERVER", firewall)                                                                \
    X(kSession, "SESSION", routing | firewall)                                                    \
    X(kSessionUser, "SESSION_USER", firewall)                                                     \
    X(kSet, "SET", routing | firewall | reserved)                                                 \
    X(kSetval, "SETVAL", routing | primary_only)                                                  \
    X(kShare, "SHARE", routing)                                                                   \
    X(kShow, "SHOW", routing | firewall | reserved)                                               \
    X(kShutdown, "SHUTDOWN", routing)                                                             \
    X(kSignal, "SIGNAL", routing | reserved)                                                      \
    X(kSleep, "SLEEP", firewall)                                                                  \
    X(kSmallint, "SMALLINT", reserved)                                                            \
    X(kSounds, "SOUNDS", firewall)                                                                \
    X(kSourcePosWait, "SOURCE_POS_WAIT", routing | primary_only)                                  \
    X(kSpatial, "SPATIAL", reserved)                                                              \
    X(kSpecific, "SPECIFIC", reserved)                                                            \
    X(kSql, "SQL", reserved)                                                                      \
    X(kSqlexception, "SQLEXCEPTION", reserved)                                                    \
    X(kSqlstate, "SQLSTATE", reserved)                                                            \
    X(kSqlwarning, "SQLWARNING", reserved)                                                        \
    X(kSqlBigResult, "SQL_BIG_RESULT", reserved)                                                  \
    X(kSqlCalcFoundRows, "SQL_CALC_FOUND_ROWS", routing | reserved)                               \
    X(kSqlSmallResult, "SQL_SMALL_RESULT", reserved)                                              \
    X(kSsl, "SSL", reserved)                                                                      \
    X(kStart, "START", routing)                                                                   \
    X(kStarting, "STARTING", reserved)                                                            \
    X(kStatement, "STATEMENT", routing | firewall)                                                \
    X(kStop, "STOP", routing)                                                                     \
    X(kStraightJoin, "STRAIGHT_JOIN", routing | reserved)                                         \
    X(kSystemUser, "SYSTEM_USER", firewall)                                                       \
    X(kTable, "TABLE", routing | reserved)                                                        \
    X(kTables, "TABLES", routing)                                                                 \
    X(kTemporary, "TEMPORARY", routing)                                                           \
    X(kTerminated, "TERMINATED", reserved)                                                        \
    X(kThen, "THEN", firewall | reserved)                                                         \
    X(kTime, "TIME", firewall)                                                                    \
    X(kTinyblob, "TINYBLOB", reserved)                                                            \
    X(kTinyint, "TINYINT", reserved)                                                              \
    X(kTinytext, "TINYTEXT", reserved)                                                            \
    X(kTo, "TO", routing | reserved)                                                              \
    X(kTrailing, "TRAILING", reserved)                                                            \
    X(kTransaction, "TRANSACTION", routing)                                                       \
    X(kTrigger, "TRIGGER", routing | reserved)                                                    \
    X(kTrue, "TRUE", firewall | reserved)                                                         \
    X(kTruncate, "TRUNCATE", routing)                                                             \
    X(kUndo, "UNDO", reserved)                                                                    \
    X(kUnhex, "UNHEX", firewall)                                                                  \
    X(kUninstall, "UNINSTALL", routing)                                                           \
    X(kUnion, "UNION", routing | firewall | reserved)                                             \
    X(kUnique, "UNIQUE", reserved)                                                                \
    X(kUnknown, "UNKNOWN", firewall)                                                              \
    X(kUnlock, "UNLOCK", routing | reserved)                                                      \
    X(kUnsigned, "UNSIGNED", reserved)                                                            \
    X(kUpdate, "UPDATE", routing | firewall | reserved)                                           \
    X(kUpdateXml, "UPDATEXML", firewall)                                                          \
    X(kUsage, "USAGE", reserved)                                                                  \
    X(kUse, "USE", routing | reserved)                                                            \
    X(kUser, "USER", firewall)                                                                    \
    X(kUsing, "USING", firewall | reserved)                                                       \
    X(kUtcDate, "UTC_DATE", reserved)                                                             \
    X(kUtcTime, "UTC_TIME", reserved)                                                             \
    X(kUtcTimestamp, "UTC_TIMESTAMP", reserved)                                                   \
    X(kValue, "VALUE", routing | firewall)                                                        \
    X(kValues, "VALUES", routing | firewall | reserved)                                           \
    X(kVarbinary, "VARBINARY", reserved)                                                          \
    X(kVarchar, "VARCHAR", reserved)                                                              \
    X(kVarcharacter, "VARCHARACTER", reserved)                                                    \
    X(kVarying, "VARYING", reserved)                                                              \
    X(kVersion, "VERSION", firewall)                                                              \
    X(kWaitfor, "WAITFOR", firewall)                                                              \
    X(kWaitForExecutedGtidSet, "WAIT_FOR_EXECUTED_GTID_SET", routing | primary_only)              \
    X(kWaitUntilSqlThreadAfterGtids, "WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS", routing | primary_only) \
    X(kWhen, "WHEN", firewall | reserved)                                                         \
    X(kWhere, "WHERE", firewall | reserved)                                                       \
    X(kWhile, "WHILE", routing | reserved)                                                        \
    X(kWindow, "WINDOW", firewall | reserved)                                                     \
    X(kWith, "WITH", routing | reserved)                                                          \
    X(kWork, "WORK", routing)                                                                     \
    X(kWrite, "WRITE", reserved)                                                                  \
    X(kXa, "XA", routing)                                                                         \
    X(kXml, "XML", routing)                                                                       \
    X(kXor, "XOR", firewall | reserved)                                                           \
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
