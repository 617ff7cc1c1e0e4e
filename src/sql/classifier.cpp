#include "sql/classifier.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sql/keyword.hpp"
#include "sql/set_values.hpp"
#include "sql/system_variable.hpp"
#include "sql/table_collector.hpp"

namespace sqlgate::sql {
namespace {

// `entry` of replica_safe_functions names `function` called as [schema.]function: a bare
// entry matches the name in any schema, "db.f" only a call qualified with that schema.
bool names_function(std::string_view entry, std::string_view schema,
                    std::string_view function) noexcept {
    const std::size_t dot = entry.find('.');
    if (dot == std::string_view::npos) return iequals(entry, function);
    return iequals(entry.substr(0, dot), schema) && iequals(entry.substr(dot + 1), function);
}

// Walks the code tokens of one statement at a time. Every consumed token goes through the
// context rules that hold whatever the statement is (locking clauses, primary-only
// functions, firewall facts), so the per-verb parsers below only read what they need.
class Scanner {
  public:
    Scanner(std::string_view sql, const DescribeOptions& options)
        : lexer_(sql, options.lexer), replica_safe_functions_(options.replica_safe_functions) {
        if (options.collect_tables) tables_.emplace(table_names_);
    }
    Scanner(const Scanner&) = delete;  // tables_ refers to table_names_
    Scanner& operator=(const Scanner&) = delete;

    void begin_statement(StatementInfo& info) noexcept {
        info_ = &info;
        calls_primary_function_ = false;
    }

    const Word& peek() noexcept {
        if (!has_lookahead_) {
            lookahead_ = fetch();
            has_lookahead_ = true;
        }
        return lookahead_;
    }

    bool at_statement_end() noexcept {
        const Word& w = peek();
        return w.is(TokenKind::end) || (w.is(TokenKind::semicolon) && block_depth_ <= 0);
    }

    bool at_input_end() noexcept { return peek().is(TokenKind::end); }

    // The next token of the current statement; an `end` word once the statement is over.
    Word next() {
        if (at_statement_end()) return Word{};
        has_lookahead_ = false;
        apply_rules(lookahead_);
        history_[2] = history_[1];
        history_[1] = history_[0];
        history_[0] = lookahead_;
        return lookahead_;
    }

    bool accept(Keyword k) {
        if (at_statement_end() || !peek().is(k)) return false;
        next();
        return true;
    }

    bool accept(TokenKind k) {
        if (at_statement_end() || !peek().is(k)) return false;
        next();
        return true;
    }

    bool accept_assignment() {
        if (at_statement_end() || !(peek().token.is_symbol("=") || peek().token.is_symbol(":="))) {
            return false;
        }
        next();
        return true;
    }

    // Consumes what is left of the statement, rules included, and the ';' that ends it.
    void finish_statement() {
        while (!at_statement_end())
            next();
        if (peek().is(TokenKind::semicolon)) has_lookahead_ = false;
        paren_depth_ = 0;
        block_depth_ = 0;
        tracking_blocks_ = false;
        history_ = {};
        tables_suspended_ = false;
        if (tables_) tables_->finish_statement();
    }

    // The next name is a table (verbs such as UPDATE t, DESCRIBE t).
    void expect_table() {
        if (tables_) tables_->expect_table();
    }
    void add_cte_name(const Token& name) {
        if (tables_) tables_->add_cte_name(name);
    }
    // SHOW ... FROM db names schemas and columns, not tables.
    void suspend_tables() noexcept { tables_suspended_ = true; }
    std::vector<TableName> take_tables() {
        if (tables_) tables_->finish_input();
        return std::move(table_names_);
    }

    // From now on BEGIN ... END blocks hold the ';' of their inner statements.
    void track_blocks(int open_blocks) noexcept {
        tracking_blocks_ = true;
        block_depth_ = open_blocks;
        info_->flags.compound_statement = true;
    }

    // The '(' that follows is a column list (WITH cte (a, b) AS ...), not a call.
    void column_list_follows() noexcept { column_list_next_ = true; }

    // The statement so far calls a function that only the primary may run (GET_LOCK,
    // NEXT VALUE FOR), whatever other reason was noted first.
    bool calls_primary_function() const noexcept { return calls_primary_function_; }

    int paren_depth() const noexcept { return paren_depth_; }
    std::string_view route_hint() const noexcept { return route_hint_; }
    const LexerFlags& lexer_flags() const noexcept { return lexer_.flags(); }

  private:
    Word fetch() noexcept {
        return make_word(lexer_.next_code([this](const Token& comment) {
            if (route_hint_.empty()) route_hint_ = find_route_hint(comment.text);
        }));
    }

    void note(PrimaryReason reason) noexcept {
        if (reason == PrimaryReason::primary_function) calls_primary_function_ = true;
        if (info_->primary_reason == PrimaryReason::none) info_->primary_reason = reason;
    }

    void apply_rules(const Word& w);
    void apply_context_rules(const Word& w) noexcept;
    void apply_call_rules() noexcept;
    void note_stored_function(std::string_view schema, const Token& name) noexcept;
    void apply_keyword_rules(const Word& w) noexcept;
    void apply_block_rules(const Word& w) noexcept;

    Lexer lexer_;
    StatementInfo* info_ = nullptr;
    Word lookahead_;
    bool has_lookahead_ = false;
    std::array<Word, 3> history_{};  // the last consumed words, most recent first
    int paren_depth_ = 0;
    int block_depth_ = 0;
    bool tracking_blocks_ = false;
    std::string_view route_hint_;
    std::vector<TableName> table_names_;
    std::optional<TableCollector> tables_;
    bool tables_suspended_ = false;
    bool column_list_next_ = false;
    bool calls_primary_function_ = false;
    std::span<const std::string> replica_safe_functions_;
};

void Scanner::apply_rules(const Word& w) {
    apply_context_rules(w);
    if (tables_ && !tables_suspended_) tables_->on_token(w.token, w.keyword, paren_depth_);
}

void Scanner::apply_context_rules(const Word& w) noexcept {
    switch (w.token.kind) {
        case TokenKind::left_paren:
            apply_call_rules();
            ++paren_depth_;
            break;
        case TokenKind::right_paren:
            if (paren_depth_ > 0) --paren_depth_;
            break;
        case TokenKind::placeholder:
            info_->flags.has_placeholders = true;
            break;
        case TokenKind::user_variable:
            info_->flags.user_variables = true;
            break;
        case TokenKind::system_variable:
            if (is_session_setting(w.token.text)) info_->flags.session_settings = true;
            if (is_primary_variable(w.token.text)) note(PrimaryReason::primary_variable);
            if (is_diagnostics_variable(w.token.text)) info_->flags.reads_diagnostics = true;
            break;
        case TokenKind::symbol:
            if (w.token.text == ":=" && history_[0].is(TokenKind::user_variable)) {
                note(PrimaryReason::user_variable_assignment);
            }
            break;
        case TokenKind::identifier:
            // OPTIMIZER_TRACE, SESSION_STATUS, PROFILING: tables about the previous statement.
            if (w.has(KeywordTrait::previous_statement) && !w.has(KeywordTrait::builtin)) {
                info_->flags.reads_diagnostics = true;
            }
            apply_keyword_rules(w);
            if (tracking_blocks_) apply_block_rules(w);
            break;
        default:
            break;
    }
}

// Called on '(' : a bare, unqualified function name before it is a call of that builtin.
// Whitespace and comments between name and '(' do not matter (MariaDB resolves builtins
// either way). A qualified name (db.f), a quoted one (`f`) and a bare name that is neither
// a builtin nor reserved call a stored function (or a UDF): code sqlgate cannot see, which
// may write, so only the primary may run it unless the operator said it is replica-safe.
void Scanner::apply_call_rules() noexcept {
    if (std::exchange(column_list_next_, false)) return;
    const Word& name = history_[0];
    const bool qualified = history_[1].is(TokenKind::dot);
    if (name.is(TokenKind::quoted_identifier) || (name.is(TokenKind::identifier) && qualified)) {
        note_stored_function(qualified ? unquoted(history_[2].token) : std::string_view{},
                             name.token);
        return;
    }
    if (!name.is(TokenKind::identifier)) return;
    if (is_primary_only_function(name.keyword)) note(PrimaryReason::primary_function);
    if (name.is(Keyword::kLoadFile)) info_->flags.load_file = true;
    if (name.has(KeywordTrait::previous_statement)) info_->flags.reads_diagnostics = true;
    if (!name.has(KeywordTrait::builtin) && !name.has(KeywordTrait::reserved)) {
        note_stored_function({}, name.token);
    }
}

void Scanner::note_stored_function(std::string_view schema, const Token& name) noexcept {
    const std::string_view function = unquoted(name);
    const bool safe = std::any_of(
        replica_safe_functions_.begin(), replica_safe_functions_.end(),
        [&](const std::string& entry) { return names_function(entry, schema, function); });
    if (safe) return;
    info_->flags.calls_stored_function = true;
    note(PrimaryReason::stored_function);
}

void Scanner::apply_keyword_rules(const Word& w) noexcept {
    const Word& p0 = history_[0];
    const Word& p1 = history_[1];
    switch (w.keyword) {
        case Keyword::kUpdate:  // FOR UPDATE
            if (p0.is(Keyword::kFor)) note(PrimaryReason::locking_read);
            break;
        case Keyword::kShare:  // FOR SHARE, LOCK IN SHARE MODE
            if (p0.is(Keyword::kFor) || (p0.is(Keyword::kIn) && p1.is(Keyword::kLock))) {
                note(PrimaryReason::locking_read);
            }
            break;
        case Keyword::kInto:  // only SELECT ... INTO can be a read; other verbs drop reasons
            note(PrimaryReason::select_into);
            break;
        case Keyword::kOutfile:
        case Keyword::kDumpfile:
            if (p0.is(Keyword::kInto)) info_->flags.into_outfile_or_dumpfile = true;
            break;
        case Keyword::kFor:  // NEXT VALUE FOR seq, PREVIOUS VALUE FOR seq
            if (p0.is(Keyword::kValue) && (p1.is(Keyword::kNext) || p1.is(Keyword::kPrevious))) {
                note(PrimaryReason::primary_function);
            }
            break;
        case Keyword::kSqlCalcFoundRows:
            note(PrimaryReason::calc_found_rows);
            break;
        case Keyword::kUnion:
            info_->flags.has_union = true;
            break;
        default:
            break;
    }
}

// Counts open compound blocks. BEGIN and CASE open one; END closes it. END IF, END LOOP,
// END WHILE and END REPEAT close blocks that were never counted, so they undo their END.
void Scanner::apply_block_rules(const Word& w) noexcept {
    const bool after_end = history_[0].is(Keyword::kEnd);
    switch (w.keyword) {
        case Keyword::kBegin:
            ++block_depth_;
            break;
        case Keyword::kCase:
            if (!after_end) ++block_depth_;
            break;
        case Keyword::kEnd:
            --block_depth_;
            break;
        case Keyword::kIf:
        case Keyword::kLoop:
        case Keyword::kWhile:
        case Keyword::kRepeat:
            if (after_end) ++block_depth_;
            break;
        default:
            break;
    }
}

// The statement being described and what the verb parsers decided about it.
struct Context {
    Scanner& scanner;
    StatementInfo& info;
    bool describes_only = false;  // EXPLAIN: names a statement without running it
    int nesting = 0;              // statements inside statements: ANALYZE, SET STATEMENT
};

// ANALYZE ANALYZE ... or SET STATEMENT ... FOR SET STATEMENT ... would otherwise recurse
// once per word of hostile input; real statements nest at most twice.
constexpr int kMaxNesting = 8;

void describe_statement(Context& c);

// ANALYZE stmt (MariaDB) and EXPLAIN ANALYZE stmt (MySQL) run the inner statement.
void describe_executed_statement(Context& c) {
    if (c.scanner.accept(Keyword::kFormat)) {
        c.scanner.accept_assignment();
        c.scanner.next();
    }
    const Keyword verb = c.info.verb;
    describe_statement(c);
    c.info.verb = verb;
}

void describe_explain(Context& c) {
    if (c.scanner.accept(Keyword::kAnalyze)) {
        describe_executed_statement(c);
        return;
    }
    c.describes_only = true;
    // DESCRIBE t names a table; EXPLAIN SELECT, EXPLAIN EXTENDED ... start with keywords.
    const Word& next = c.scanner.peek();
    if (next.is(TokenKind::quoted_identifier) ||
        (next.is(TokenKind::identifier) && next.is(Keyword::kNone))) {
        c.scanner.expect_table();
    }
}

void describe_analyze(Context& c) {
    const Word& w = c.scanner.peek();
    if (w.is(Keyword::kTable) || w.is(Keyword::kTables) || w.is(Keyword::kLocal) ||
        w.is(Keyword::kNoWriteToBinlog)) {
        return;  // ANALYZE TABLE: maintenance, stays a write
    }
    c.info.flags.implicit_commit = false;
    describe_executed_statement(c);
}

// WITH [RECURSIVE] cte [(columns)] AS (...) [, ...] main: the main verb is the first one
// outside parentheses, and the names before AS are CTEs rather than tables.
void describe_with(Context& c) {
    bool cte_name_next = true;
    for (Word w = c.scanner.next(); !w.is(TokenKind::end); w = c.scanner.next()) {
        if (c.scanner.paren_depth() != 0 || w.is(Keyword::kRecursive)) continue;
        const bool name = w.is(TokenKind::identifier) || w.is(TokenKind::quoted_identifier);
        if (cte_name_next && name) {
            c.scanner.add_cte_name(w.token);
            if (c.scanner.peek().is(TokenKind::left_paren)) c.scanner.column_list_follows();
            cte_name_next = false;
            continue;
        }
        if (w.is(TokenKind::comma)) {
            cte_name_next = true;
            continue;
        }
        if (w.is(Keyword::kSelect)) {
            c.info.verb = w.keyword;
            return;
        }
        if (w.is(Keyword::kUpdate) || w.is(Keyword::kDelete) || w.is(Keyword::kInsert) ||
            w.is(Keyword::kReplace)) {
            c.info.verb = w.keyword;
            c.info.statement_class = StatementClass::write;
            return;
        }
    }
}

// Skips DEFINER = user@host, whose parts may be names, strings or CURRENT_USER().
void skip_definer(Scanner& s) {
    if (!s.accept(Keyword::kDefiner)) return;
    s.accept_assignment();
    s.next();
    s.accept(TokenKind::user_variable);
    if (s.accept(TokenKind::left_paren)) s.accept(TokenKind::right_paren);
}

void describe_create(Context& c) {
    Scanner& s = c.scanner;
    if (s.accept(Keyword::kOr)) s.accept(Keyword::kReplace);
    skip_definer(s);
    s.accept(Keyword::kAggregate);
    const Word& w = s.peek();
    if (w.is(Keyword::kTemporary)) {
        c.info.flags.implicit_commit = false;  // temporary tables leave the transaction open
        c.info.flags.creates_temporary_table = true;
    } else if (w.is(Keyword::kProcedure) || w.is(Keyword::kFunction) || w.is(Keyword::kTrigger) ||
               w.is(Keyword::kEvent) || w.is(Keyword::kPackage)) {
        s.track_blocks(0);
    }
}

void describe_drop(Context& c) {
    if (c.scanner.peek().is(Keyword::kTemporary)) c.info.flags.implicit_commit = false;
}

void describe_load(Context& c) {
    Scanner& s = c.scanner;
    if (!s.accept(Keyword::kData) && !s.accept(Keyword::kXml)) {
        c.info.statement_class = StatementClass::other;  // LOAD INDEX INTO CACHE
        return;
    }
    for (Word w = s.next(); !w.is(TokenKind::end) && !w.is(Keyword::kInfile); w = s.next()) {
        if (w.is(Keyword::kLocal)) c.info.flags.load_data_local = true;
    }
}

void describe_begin(Context& c) {
    if (c.scanner.accept(Keyword::kNot)) {  // BEGIN NOT ATOMIC ... END: a compound statement
        c.info.statement_class = StatementClass::write;
        c.scanner.track_blocks(1);
        return;
    }
    c.scanner.accept(Keyword::kWork);
    c.info.transaction = TransactionEffect::begin;
}

void describe_start(Context& c) {
    Scanner& s = c.scanner;
    if (!s.accept(Keyword::kTransaction)) {  // START SLAVE, START REPLICA ...
        c.info.statement_class = StatementClass::other;
        return;
    }
    c.info.transaction = TransactionEffect::begin;
    for (Word w = s.next(); !w.is(TokenKind::end); w = s.next()) {
        if (w.is(Keyword::kRead)) c.info.read_only_transaction = s.accept(Keyword::kOnly);
    }
}

// [AND [NO] CHAIN]: true when a new transaction starts right away.
bool parse_chain(Scanner& s) {
    if (!s.accept(Keyword::kAnd)) return false;
    const bool no = s.accept(Keyword::kNo);
    return s.accept(Keyword::kChain) && !no;
}

void describe_commit(Context& c) {
    c.scanner.accept(Keyword::kWork);
    c.info.transaction =
        parse_chain(c.scanner) ? TransactionEffect::commit_and_chain : TransactionEffect::commit;
}

void describe_rollback(Context& c) {
    c.scanner.accept(Keyword::kWork);
    if (c.scanner.accept(Keyword::kTo)) {
        c.info.transaction = TransactionEffect::savepoint;
        return;
    }
    c.info.transaction = parse_chain(c.scanner) ? TransactionEffect::rollback_and_chain
                                                : TransactionEffect::rollback;
}

void describe_savepoint(Context& c) {
    c.info.transaction = TransactionEffect::savepoint;
}

void describe_release(Context& c) {
    if (c.scanner.accept(Keyword::kSavepoint)) {
        c.info.transaction = TransactionEffect::savepoint;
    } else {
        c.info.statement_class = StatementClass::other;
    }
}

void describe_xa(Context& c) {
    const Word w = c.scanner.next();
    if (w.is(Keyword::kStart) || w.is(Keyword::kBegin)) {
        c.info.transaction = TransactionEffect::begin;
    } else if (w.is(Keyword::kCommit)) {
        c.info.transaction = TransactionEffect::commit;
    } else if (w.is(Keyword::kRollback)) {
        c.info.transaction = TransactionEffect::rollback;
    }
}

// SHOW WARNINGS, SHOW ERRORS, SHOW COUNT(*) WARNINGS, SHOW [SESSION] STATUS, SHOW PROFILE(S):
// about the previous statements of this connection, so they must run where those ran.
// Other SHOW statements list names, not tables to collect.
void describe_show(Context& c) {
    c.scanner.suspend_tables();
    Word w = c.scanner.next();
    if (w.is(TokenKind::identifier) && iequals(w.token.text, "COUNT")) {
        while (!w.is(TokenKind::end) && !w.is(TokenKind::right_paren))
            w = c.scanner.next();
        w = c.scanner.next();
    }
    if (w.is(Keyword::kSession) || w.is(Keyword::kLocal)) w = c.scanner.next();
    if (!w.is(TokenKind::identifier)) return;
    const std::string_view what = w.token.text;
    if (iequals(what, "WARNINGS") || iequals(what, "ERRORS") || iequals(what, "STATUS") ||
        iequals(what, "PROFILE") || iequals(what, "PROFILES")) {
        c.info.flags.reads_diagnostics = true;
    }
}

void describe_use(Context& c) {
    const Word w = c.scanner.next();
    std::string_view name = w.token.text;
    if (w.is(TokenKind::quoted_identifier) && name.size() >= 2) {
        c.info.schema = name.substr(1, name.size() - 2);
        c.info.schema_quoted = true;
    } else if (w.is(TokenKind::identifier)) {
        c.info.schema = name;
    } else {
        c.info.statement_class = StatementClass::other;
    }
}

// What one assignment of a SET list set.
enum class Assigned : std::uint8_t { user_variable, session_variable, global_variable };

// One `[GLOBAL|SESSION|...] name = value` of a SET list; stops after the value's first token.
Assigned describe_assignment(Context& c) {
    Scanner& s = c.scanner;
    Word w = s.next();
    if (w.is(TokenKind::user_variable)) {
        s.accept_assignment();
        return Assigned::user_variable;
    }
    bool global = false;
    if (w.is(Keyword::kGlobal) || w.is(Keyword::kPersist) || w.is(Keyword::kPersistOnly)) {
        global = true;
        w = s.next();
    } else if (w.is(Keyword::kSession) || w.is(Keyword::kLocal)) {
        w = s.next();
    }
    std::string_view name;
    if (w.is(TokenKind::system_variable)) {
        const SystemVariable variable = split_system_variable(w.token.text);
        global = global || variable.global;
        name = variable.name;
    } else if (w.is(TokenKind::identifier)) {
        name = w.token.text;
    }
    if (global) c.info.flags.global_variable = true;
    if (!global && iequals(name, "session_track_system_variables")) {
        c.info.flags.sets_session_tracking = true;
    }
    const Assigned assigned = global ? Assigned::global_variable : Assigned::session_variable;
    if (!global && binds_session(name) && s.accept_assignment()) {
        c.info.flags.needs_primary_session |= turns_on(s.next());
        return assigned;
    }
    // NAMES, CHARACTER SET and TRANSACTION have no '=' and need nothing more here.
    if (global || !iequals(name, "autocommit") || !s.accept_assignment()) return assigned;
    const Word value = s.next();
    const bool whole_value = s.at_statement_end() || s.peek().is(TokenKind::comma);
    if (whole_value) c.info.autocommit = boolean_value(value);
    return assigned;
}

// After a SET ran on the primary, its commands are replayed on every other server the
// session uses. That is faithful only when running it again changes nothing else and
// gives the same values, so the classifier says when it would not:
// - a value calls a stored or primary-only function (NEXTVAL, GET_LOCK): running it again
//   would write or lock elsewhere, so the SET is a write and is never replayed; when it
//   also set session variables, the session must stay on the primary
//   (flags.needs_primary_session);
// - a user variable gets a computed value (NOW(), @@server_id, a subquery): replayed, it
//   would differ, so flags.assigns_user_variables says reads of user variables must now be
//   answered by the primary.
void settle_set(Context& c, bool sets_session_variables) {
    StatementInfo& info = c.info;
    if (info.flags.global_variable) {  // affects every session: the primary only
        info.statement_class = StatementClass::other;
        return;
    }
    const bool side_effects =
        info.flags.calls_stored_function || c.scanner.calls_primary_function();
    if (!side_effects) return;
    info.statement_class = StatementClass::write;
    info.flags.assigns_user_variables = true;
    info.flags.needs_primary_session |= sets_session_variables;
}

void describe_set(Context& c) {
    Scanner& s = c.scanner;
    if (s.accept(Keyword::kPassword) || s.accept(Keyword::kDefault)) {  // SET DEFAULT ROLE
        c.info.statement_class = StatementClass::write;
        return;
    }
    if (s.accept(Keyword::kStatement)) {  // SET STATEMENT var=value, ... FOR statement
        for (Word w = s.next(); !w.is(TokenKind::end); w = s.next()) {
            if (w.is(Keyword::kFor) && s.paren_depth() == 0) {
                describe_statement(c);
                return;
            }
        }
        c.info.statement_class = StatementClass::other;
        return;
    }
    if (s.at_statement_end()) {
        c.info.statement_class = StatementClass::other;
        return;
    }
    bool sets_session_variables = false;
    for (;;) {
        const Assigned assigned = describe_assignment(c);
        sets_session_variables |= assigned == Assigned::session_variable;
        while (!s.at_statement_end() && !(s.peek().is(TokenKind::comma) && s.paren_depth() == 0)) {
            const Word value = s.next();
            if (assigned == Assigned::user_variable && !is_replayable_value(value)) {
                c.info.flags.assigns_user_variables = true;
            }
        }
        if (!s.accept(TokenKind::comma)) break;
    }
    settle_set(c, sets_session_variables);
}

using VerbParser = void (*)(Context&);

struct VerbRule {
    Keyword verb;
    StatementClass statement_class;
    bool implicit_commit;
    VerbParser parser;
    bool names_table = false;  // the verb may be followed directly by a table (UPDATE t)
};

constexpr auto R = StatementClass::read;
constexpr auto W = StatementClass::write;
constexpr auto T = StatementClass::transaction;
constexpr auto S = StatementClass::session_state;
constexpr auto O = StatementClass::other;

// The leading keyword decides the class; a parser refines it where the verb is ambiguous.
// Verbs not listed here are `other` and go to the primary.
constexpr std::array kVerbRules = {
    VerbRule{Keyword::kSelect, R, false, nullptr},
    VerbRule{Keyword::kTable, R, false, nullptr},
    VerbRule{Keyword::kValues, R, false, nullptr},
    VerbRule{Keyword::kShow, R, false, describe_show},
    VerbRule{Keyword::kHelp, R, false, nullptr},
    VerbRule{Keyword::kExplain, R, false, describe_explain},
    VerbRule{Keyword::kDescribe, R, false, describe_explain},
    VerbRule{Keyword::kDesc, R, false, describe_explain},
    VerbRule{Keyword::kWith, R, false, describe_with},
    VerbRule{Keyword::kInsert, W, false, nullptr, true},
    VerbRule{Keyword::kUpdate, W, false, nullptr, true},
    VerbRule{Keyword::kDelete, W, false, nullptr, true},
    VerbRule{Keyword::kReplace, W, false, nullptr, true},
    VerbRule{Keyword::kCall, W, false, nullptr},
    VerbRule{Keyword::kLoad, W, false, describe_load},
    VerbRule{Keyword::kCreate, W, true, describe_create},
    VerbRule{Keyword::kAlter, W, true, nullptr},
    VerbRule{Keyword::kDrop, W, true, describe_drop},
    VerbRule{Keyword::kTruncate, W, true, nullptr, true},
    VerbRule{Keyword::kRename, W, true, nullptr},
    VerbRule{Keyword::kGrant, W, true, nullptr},
    VerbRule{Keyword::kRevoke, W, true, nullptr},
    VerbRule{Keyword::kLock, W, true, nullptr},
    VerbRule{Keyword::kUnlock, W, false, nullptr},
    VerbRule{Keyword::kAnalyze, W, true, describe_analyze},
    VerbRule{Keyword::kOptimize, W, true, nullptr},
    VerbRule{Keyword::kRepair, W, true, nullptr},
    VerbRule{Keyword::kBinlog, W, false, nullptr},
    VerbRule{Keyword::kImport, W, true, nullptr},
    VerbRule{Keyword::kBegin, T, false, describe_begin},
    VerbRule{Keyword::kStart, T, false, describe_start},
    VerbRule{Keyword::kCommit, T, false, describe_commit},
    VerbRule{Keyword::kRollback, T, false, describe_rollback},
    VerbRule{Keyword::kSavepoint, T, false, describe_savepoint},
    VerbRule{Keyword::kRelease, T, false, describe_release},
    VerbRule{Keyword::kXa, T, false, describe_xa},
    VerbRule{Keyword::kSet, S, false, describe_set},
    VerbRule{Keyword::kUse, S, false, describe_use},
    VerbRule{Keyword::kCheck, O, true, nullptr},
    VerbRule{Keyword::kChecksum, O, false, nullptr},
    VerbRule{Keyword::kCache, O, true, nullptr},
    VerbRule{Keyword::kFlush, O, true, nullptr},
    VerbRule{Keyword::kReset, O, true, nullptr},
    VerbRule{Keyword::kDo, O, false, nullptr},
    VerbRule{Keyword::kHandler, O, false, nullptr},
    VerbRule{Keyword::kPrepare, O, false, nullptr},
    VerbRule{Keyword::kExecute, O, false, nullptr},
    VerbRule{Keyword::kDeallocate, O, false, nullptr},
    VerbRule{Keyword::kPurge, O, false, nullptr},
    VerbRule{Keyword::kKill, O, false, nullptr},
    VerbRule{Keyword::kChange, O, true, nullptr},
    VerbRule{Keyword::kStop, O, true, nullptr},
    VerbRule{Keyword::kShutdown, O, false, nullptr},
    VerbRule{Keyword::kInstall, O, false, nullptr},
    VerbRule{Keyword::kUninstall, O, false, nullptr},
    VerbRule{Keyword::kSignal, O, false, nullptr},
    VerbRule{Keyword::kResignal, O, false, nullptr},
    VerbRule{Keyword::kGet, O, false, nullptr},
    VerbRule{Keyword::kBackup, O, false, nullptr},
};

const VerbRule* find_verb_rule(Keyword verb) {
    const auto* it = std::find_if(kVerbRules.begin(), kVerbRules.end(),
                                  [verb](const VerbRule& r) { return r.verb == verb; });
    return it == kVerbRules.end() ? nullptr : &*it;
}

void describe_statement(Context& c) {
    c.info.statement_class = StatementClass::other;
    c.info.verb = Keyword::kNone;
    if (++c.nesting > kMaxNesting) return;
    bool parenthesized = false;
    while (c.scanner.accept(TokenKind::left_paren))
        parenthesized = true;
    const Word first = c.scanner.next();
    if (first.is(TokenKind::end)) {
        // Only the whole statement can be empty: ANALYZE or SET STATEMENT ... FOR with nothing
        // after them is not, and the firewall lets empty statements through unchecked.
        c.info.flags.empty = !parenthesized && c.nesting == 1;
        return;
    }
    const VerbRule* rule = find_verb_rule(first.keyword);
    if (rule == nullptr) return;
    c.info.verb = rule->verb;
    c.info.statement_class = rule->statement_class;
    c.info.flags.implicit_commit = rule->implicit_commit;
    if (rule->names_table) c.scanner.expect_table();
    if (rule->parser != nullptr) rule->parser(c);
}

// A read that needs the primary's session or takes locks is not a read for routing.
void settle_primary_reason(const Context& c) noexcept {
    StatementInfo& info = c.info;
    if (c.describes_only || info.statement_class != StatementClass::read) {
        info.primary_reason = PrimaryReason::none;
    } else if (info.primary_reason != PrimaryReason::none) {
        info.statement_class = StatementClass::write;
    }
}

void describe_one(Scanner& scanner, StatementInfo& info) {
    scanner.begin_statement(info);
    Context context{scanner, info};
    describe_statement(context);
    scanner.finish_statement();
    settle_primary_reason(context);
}

// Folds a later statement of a multi-statement text into the description of the first.
void merge_later_statement(StatementInfo& first, const StatementInfo& later) {
    StatementFlags& f = first.flags;
    const StatementFlags& l = later.flags;
    f.multiple_statements = true;
    f.into_outfile_or_dumpfile |= l.into_outfile_or_dumpfile;
    f.load_file |= l.load_file;
    f.load_data_local |= l.load_data_local;
    f.has_union |= l.has_union;
    f.has_placeholders |= l.has_placeholders;
    f.implicit_commit |= l.implicit_commit;
    f.global_variable |= l.global_variable;
    f.compound_statement |= l.compound_statement;
    f.creates_temporary_table |= l.creates_temporary_table;
    f.reads_diagnostics |= l.reads_diagnostics;
    f.user_variables |= l.user_variables;
    f.session_settings |= l.session_settings;
    f.assigns_user_variables |= l.assigns_user_variables;
    f.calls_stored_function |= l.calls_stored_function;
    f.needs_primary_session |= l.needs_primary_session;
    f.sets_session_tracking |= l.sets_session_tracking;
    if (first.statement_class == StatementClass::read &&
        later.statement_class != StatementClass::read) {
        first.statement_class = StatementClass::write;
        first.primary_reason = PrimaryReason::multiple_statements;
    }
    // The session ends up in the state the last such statement left.
    if (later.transaction != TransactionEffect::none) {
        first.transaction = later.transaction;
        first.read_only_transaction = later.read_only_transaction;
    }
    if (later.autocommit) first.autocommit = later.autocommit;
    if (later.verb == Keyword::kUse && !later.schema.empty()) {
        first.schema = later.schema;
        first.schema_quoted = later.schema_quoted;
    }
}

// One reading of the whole text; `lexed` receives what the lexer noticed.
StatementInfo describe_text(std::string_view sql, const DescribeOptions& options,
                            LexerFlags& lexed) {
    Scanner scanner(sql, options);
    StatementInfo result;
    bool described = false;
    while (!scanner.at_input_end()) {
        if (scanner.at_statement_end()) {  // an empty statement: ';' alone
            scanner.finish_statement();
            continue;
        }
        StatementInfo current;
        describe_one(scanner, current);
        if (described) {
            merge_later_statement(result, current);
        } else {
            result = std::move(current);
            described = true;
        }
    }
    result.tables = scanner.take_tables();
    if (!described) result.flags.empty = true;
    lexed = scanner.lexer_flags();
    result.flags.has_comment = lexed.has_comment;
    result.flags.has_executable_comment = lexed.has_executable_comment;
    result.flags.unterminated = lexed.unterminated;
    result.route_hint = scanner.route_hint();
    return result;
}

}  // namespace

StatementInfo describe(std::string_view sql, const DescribeOptions& options) {
    LexerFlags lexed;
    StatementInfo result = describe_text(sql, options, lexed);
    if (result.statement_class != StatementClass::read || !lexed.has_versioned_comment) {
        return result;
    }
    // /*!99999 SELECT */ DELETE FROM t reads as a SELECT, yet older servers run the DELETE.
    // Which servers run a versioned comment is not known here, so a read must be a read
    // both ways. Rare enough (mysqldump output) for a second pass to cost nothing overall.
    DescribeOptions as_comments = options;
    as_comments.lexer.versioned_comments_as_code = false;
    as_comments.collect_tables = false;
    if (describe_text(sql, as_comments, lexed).statement_class != StatementClass::read) {
        result.statement_class = StatementClass::write;
        result.primary_reason = PrimaryReason::versioned_comment;
    }
    return result;
}

}  // namespace sqlgate::sql
