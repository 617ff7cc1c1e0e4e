// The SQL words the classifier recognises, looked up case-insensitively without allocating.
// One list (SQLGATE_SQL_KEYWORDS) defines the enum, the spelling and the traits of each word.
#pragma once

#include <cstdint>
#include <string_view>

namespace sqlgate::sql {

// X(enumerator, spelling, primary_only_function). Enumerators carry a `k` prefix because
// many SQL words (DELETE, DO, IF, FOR, TRUE) are C++ keywords. A primary-only function
// reads state that exists only on the server that ran the session's earlier statements
// (LAST_INSERT_ID) or that changes it (GET_LOCK), so a replica would answer wrongly.
#define SQLGATE_SQL_KEYWORDS(X)                                                 \
    X(kAggregate, "AGGREGATE", false)                                           \
    X(kAlter, "ALTER", false)                                                   \
    X(kAnalyze, "ANALYZE", false)                                               \
    X(kAnd, "AND", false)                                                       \
    X(kAs, "AS", false)                                                         \
    X(kBackup, "BACKUP", false)                                                 \
    X(kBegin, "BEGIN", false)                                                   \
    X(kBinlog, "BINLOG", false)                                                 \
    X(kCache, "CACHE", false)                                                   \
    X(kCall, "CALL", false)                                                     \
    X(kCase, "CASE", false)                                                     \
    X(kChain, "CHAIN", false)                                                   \
    X(kChange, "CHANGE", false)                                                 \
    X(kCheck, "CHECK", false)                                                   \
    X(kChecksum, "CHECKSUM", false)                                             \
    X(kCommit, "COMMIT", false)                                                 \
    X(kCreate, "CREATE", false)                                                 \
    X(kData, "DATA", false)                                                     \
    X(kDeallocate, "DEALLOCATE", false)                                         \
    X(kDefault, "DEFAULT", false)                                               \
    X(kDefiner, "DEFINER", false)                                               \
    X(kDelayed, "DELAYED", false)                                               \
    X(kDelete, "DELETE", false)                                                 \
    X(kDesc, "DESC", false)                                                     \
    X(kDescribe, "DESCRIBE", false)                                             \
    X(kDo, "DO", false)                                                         \
    X(kDrop, "DROP", false)                                                     \
    X(kDual, "DUAL", false)                                                     \
    X(kDumpfile, "DUMPFILE", false)                                             \
    X(kEnd, "END", false)                                                       \
    X(kEvent, "EVENT", false)                                                   \
    X(kExecute, "EXECUTE", false)                                               \
    X(kExists, "EXISTS", false)                                                 \
    X(kExplain, "EXPLAIN", false)                                               \
    X(kExtended, "EXTENDED", false)                                             \
    X(kFlush, "FLUSH", false)                                                   \
    X(kFor, "FOR", false)                                                       \
    X(kFormat, "FORMAT", false)                                                 \
    X(kFoundRows, "FOUND_ROWS", true)                                           \
    X(kFrom, "FROM", false)                                                     \
    X(kFunction, "FUNCTION", false)                                             \
    X(kGet, "GET", false)                                                       \
    X(kGetLock, "GET_LOCK", true)                                               \
    X(kGlobal, "GLOBAL", false)                                                 \
    X(kGrant, "GRANT", false)                                                   \
    X(kHandler, "HANDLER", false)                                               \
    X(kHelp, "HELP", false)                                                     \
    X(kHighPriority, "HIGH_PRIORITY", false)                                    \
    X(kIf, "IF", false)                                                         \
    X(kIgnore, "IGNORE", false)                                                 \
    X(kImport, "IMPORT", false)                                                 \
    X(kIn, "IN", false)                                                         \
    X(kInfile, "INFILE", false)                                                 \
    X(kInsert, "INSERT", false)                                                 \
    X(kInstall, "INSTALL", false)                                               \
    X(kInto, "INTO", false)                                                     \
    X(kIsFreeLock, "IS_FREE_LOCK", true)                                        \
    X(kIsUsedLock, "IS_USED_LOCK", true)                                        \
    X(kJoin, "JOIN", false)                                                     \
    X(kKill, "KILL", false)                                                     \
    X(kLastval, "LASTVAL", true)                                                \
    X(kLastInsertId, "LAST_INSERT_ID", true)                                    \
    X(kLateral, "LATERAL", false)                                               \
    X(kLoad, "LOAD", false)                                                     \
    X(kLoadFile, "LOAD_FILE", false)                                            \
    X(kLocal, "LOCAL", false)                                                   \
    X(kLock, "LOCK", false)                                                     \
    X(kLoop, "LOOP", false)                                                     \
    X(kLowPriority, "LOW_PRIORITY", false)                                      \
    X(kMasterGtidWait, "MASTER_GTID_WAIT", true)                                \
    X(kMasterPosWait, "MASTER_POS_WAIT", true)                                  \
    X(kNext, "NEXT", false)                                                     \
    X(kNextval, "NEXTVAL", true)                                                \
    X(kNo, "NO", false)                                                         \
    X(kNot, "NOT", false)                                                       \
    X(kNoWriteToBinlog, "NO_WRITE_TO_BINLOG", false)                            \
    X(kOnly, "ONLY", false)                                                     \
    X(kOptimize, "OPTIMIZE", false)                                             \
    X(kOr, "OR", false)                                                         \
    X(kOutfile, "OUTFILE", false)                                               \
    X(kPackage, "PACKAGE", false)                                               \
    X(kPartitions, "PARTITIONS", false)                                         \
    X(kPassword, "PASSWORD", false)                                             \
    X(kPersist, "PERSIST", false)                                               \
    X(kPersistOnly, "PERSIST_ONLY", false)                                      \
    X(kPrepare, "PREPARE", false)                                               \
    X(kPrevious, "PREVIOUS", false)                                             \
    X(kProcedure, "PROCEDURE", false)                                           \
    X(kPurge, "PURGE", false)                                                   \
    X(kQuick, "QUICK", false)                                                   \
    X(kRead, "READ", false)                                                     \
    X(kRecursive, "RECURSIVE", false)                                           \
    X(kRelease, "RELEASE", false)                                               \
    X(kReleaseAllLocks, "RELEASE_ALL_LOCKS", true)                              \
    X(kReleaseLock, "RELEASE_LOCK", true)                                       \
    X(kRename, "RENAME", false)                                                 \
    X(kRepair, "REPAIR", false)                                                 \
    X(kRepeat, "REPEAT", false)                                                 \
    X(kReplace, "REPLACE", false)                                               \
    X(kReset, "RESET", false)                                                   \
    X(kResignal, "RESIGNAL", false)                                             \
    X(kRevoke, "REVOKE", false)                                                 \
    X(kRollback, "ROLLBACK", false)                                             \
    X(kRowCount, "ROW_COUNT", true)                                             \
    X(kSavepoint, "SAVEPOINT", false)                                           \
    X(kSelect, "SELECT", false)                                                 \
    X(kSession, "SESSION", false)                                               \
    X(kSet, "SET", false)                                                       \
    X(kSetval, "SETVAL", true)                                                  \
    X(kShare, "SHARE", false)                                                   \
    X(kShow, "SHOW", false)                                                     \
    X(kShutdown, "SHUTDOWN", false)                                             \
    X(kSignal, "SIGNAL", false)                                                 \
    X(kSourcePosWait, "SOURCE_POS_WAIT", true)                                  \
    X(kSqlCalcFoundRows, "SQL_CALC_FOUND_ROWS", false)                          \
    X(kStart, "START", false)                                                   \
    X(kStatement, "STATEMENT", false)                                           \
    X(kStop, "STOP", false)                                                     \
    X(kStraightJoin, "STRAIGHT_JOIN", false)                                    \
    X(kTable, "TABLE", false)                                                   \
    X(kTables, "TABLES", false)                                                 \
    X(kTemporary, "TEMPORARY", false)                                           \
    X(kTo, "TO", false)                                                         \
    X(kTransaction, "TRANSACTION", false)                                       \
    X(kTrigger, "TRIGGER", false)                                               \
    X(kTruncate, "TRUNCATE", false)                                             \
    X(kUninstall, "UNINSTALL", false)                                           \
    X(kUnion, "UNION", false)                                                   \
    X(kUnlock, "UNLOCK", false)                                                 \
    X(kUpdate, "UPDATE", false)                                                 \
    X(kUse, "USE", false)                                                       \
    X(kValue, "VALUE", false)                                                   \
    X(kValues, "VALUES", false)                                                 \
    X(kWaitForExecutedGtidSet, "WAIT_FOR_EXECUTED_GTID_SET", true)              \
    X(kWaitUntilSqlThreadAfterGtids, "WAIT_UNTIL_SQL_THREAD_AFTER_GTIDS", true) \
    X(kWhile, "WHILE", false)                                                   \
    X(kWith, "WITH", false)                                                     \
    X(kWork, "WORK", false)                                                     \
    X(kXa, "XA", false)                                                         \
    X(kXml, "XML", false)

enum class Keyword : std::uint8_t {
    kNone,  // not a word the classifier knows
#define SQLGATE_SQL_KEYWORD_ENUMERATOR(id, spelling, primary) id,
    SQLGATE_SQL_KEYWORDS(SQLGATE_SQL_KEYWORD_ENUMERATOR)
#undef SQLGATE_SQL_KEYWORD_ENUMERATOR
};

// The keyword spelled by `word` in any letter case, or kNone.
Keyword keyword_of(std::string_view word) noexcept;

// The upper-case spelling ("SELECT"); empty for kNone. Stable, for logs and metric labels.
std::string_view keyword_text(Keyword keyword) noexcept;

// True for functions whose answer depends on, or changes, state of the primary's session.
bool is_primary_only_function(Keyword keyword) noexcept;

}  // namespace sqlgate::sql
