#include "policy/session_settings.hpp"

#include <algorithm>
#include <array>

#include "policy/string_matching.hpp"

namespace sqlgate::policy::detail {
namespace {

// The settings that decide how the server splits text into tokens. The firewall lexes
// with the session's sql_mode and assumes a client character set in which a backslash or
// quote byte is always that character; a client that changed either could make the server
// read a string where the firewall read a name, or a quote the firewall took as escaped.
enum class Setting : std::uint8_t { none, sql_mode, charset };

Setting setting_named(std::string_view name) noexcept {
    if (iequals(name, "sql_mode")) return Setting::sql_mode;
    if (iequals(name, "character_set_client") || iequals(name, "character_set_connection") ||
        iequals(name, "collation_connection")) {
        return Setting::charset;
    }
    return Setting::none;
}

// @@sql_mode, @@session.sql_mode, @@local.`...: any dotted part may be the name.
Setting setting_of_system_variable(std::string_view text) noexcept {
    text.remove_prefix(std::min<std::size_t>(2, text.size()));
    Setting found = Setting::none;
    while (!text.empty()) {
        const std::size_t dot = text.find('.');
        const Setting s = setting_named(text.substr(0, dot));
        if (s != Setting::none) found = s;
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    return found;
}

// @@sql_mode as the session sees it, which the firewall has checked like any other change.
bool is_session_sql_mode(const Token& t) noexcept {
    if (!t.is(TokenKind::system_variable)) return false;
    const std::string_view name = t.text.substr(2);
    return iequals(name, "sql_mode") || iequals(name, "session.sql_mode") ||
           iequals(name, "local.sql_mode");
}

// sql_mode values that change how the server splits text into tokens. ANSI and the
// compatibility modes DB2, MAXDB, MSSQL, ORACLE and POSTGRESQL include ANSI_QUOTES.
constexpr std::array<std::string_view, 8> kLexingModes = {
    "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES", "ANSI", "ORACLE", "MSSQL", "DB2", "POSTGRESQL", "MAXDB",
};

// ASCII letters, digits and underscores only: with an escape or any other byte the server
// could read a different name than the one compared here.
bool is_plain_word(std::string_view word) noexcept {
    for (const char c : word) {
        if (!sql::is_identifier_char(c) || c == '$' || static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

}  // namespace

// A string of comma-separated mode names. Each must be letters, digits and underscores
// after trimming spaces: with an escape (`N\O_BACKSLASH_ESCAPES`) or any other byte the
// server could read a different name than the one compared here.
SettingValue classify_sql_modes(std::string_view value) noexcept {
    SettingValue result = SettingValue::safe;
    for (;;) {
        const std::size_t comma = value.find(',');
        std::string_view mode = value.substr(0, comma);
        while (!mode.empty() && mode.front() == ' ')
            mode.remove_prefix(1);
        mode = trim_trailing_spaces(mode);
        if (!is_plain_word(mode) || (!mode.empty() && sql::is_digit(mode.front()))) {
            return SettingValue::unreadable;
        }
        for (const std::string_view lexing : kLexingModes) {
            if (iequals(mode, lexing)) result = SettingValue::unsafe;
        }
        if (comma == std::string_view::npos) return result;
        value.remove_prefix(comma + 1);
    }
}

namespace {

// Client character sets in which no multibyte character holds a byte 0x5c (backslash),
// 0x27 or 0x22: the utf8 family, the single-byte sets, and the EUC sets, whose trail bytes
// are all >= 0x80 (MariaDB's euckr also takes 0x41-0x5a and 0x61-0x7a, never 0x5c). big5,
// sjis, cp932, gbk and gb18030 are missing on purpose; ucs2, utf16 and utf32 cannot be
// client character sets.
constexpr std::array<std::string_view, 36> kSafeCharsets = {
    "utf8",   "utf8mb3",  "utf8mb4", "latin1", "latin2", "latin3",   "latin4",  "latin5",  "latin6",
    "latin7", "ascii",    "binary",  "cp1250", "cp1251", "cp1256",   "cp1257",  "cp850",   "cp852",
    "cp866",  "koi8r",    "koi8u",   "greek",  "hebrew", "armscii8", "geostd8", "dec8",    "hp8",
    "macce",  "macroman", "keybcs2", "tis620", "swe7",   "euckr",    "ujis",    "eucjpms", "gb2312",
};

}  // namespace

// A character set or collation name (the character set is the part before the first `_`).
SettingValue classify_charset_name(std::string_view name) noexcept {
    if (name.empty() || !is_plain_word(name)) return SettingValue::unreadable;
    const std::string_view charset = name.substr(0, name.find('_'));
    for (const std::string_view safe : kSafeCharsets) {
        if (iequals(charset, safe)) return SettingValue::safe;
    }
    return SettingValue::unsafe;
}

namespace {

// One character set value: DEFAULT, a name, a quoted name or a string.
SettingValue classify_charset_token(const Token& t) noexcept {
    if (word_of(t) == Keyword::kDefault) return SettingValue::safe;
    if (is_name(t)) return classify_charset_name(unquoted(t));
    if (t.is(TokenKind::string)) return classify_charset_name(string_content(t.text));
    return SettingValue::unreadable;
}

// Whether an assignment's value ends at p.cur: the next assignment, the end of the SET, or
// the FOR of SET STATEMENT. Anything else continues the value (`'a' 'b'`, `'a' COLLATE x`).
bool ends_assignment(const Probe& p) noexcept {
    const Token& t = p.cur;
    return !p.exhausted && (t.is(TokenKind::end) || t.is(TokenKind::semicolon) ||
                            t.is(TokenKind::comma) || word_of(t) == Keyword::kFor);
}

}  // namespace

bool SessionSettings::on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (at.first_of_statement) {
        in_set_ = set_item_next_ = w == Keyword::kSet;
        set_statement_ = false;
    } else if (set_item_next_) {
        set_item_next_ = false;
        if (w == Keyword::kStatement && word_of(at.history[0]) == Keyword::kSet) {
            set_statement_ = set_item_next_ = true;
        } else {
            check_assignment(at, t);
        }
    }
    if (at.depth != 0) return false;
    if (t.is(TokenKind::semicolon)) in_set_ = set_item_next_ = false;
    if (t.is(TokenKind::comma) && in_set_) set_item_next_ = true;
    if (in_set_ && w == Keyword::kFor) {
        // SET STATEMENT ... FOR <statement>: what follows is a statement of its own.
        in_set_ = set_item_next_ = false;
        return set_statement_;
    }
    return false;
}

// One assignment of a SET list, from its first token: [scope] variable = value,
// NAMES ..., CHARACTER SET ..., CHARSET .... The variable may be spelled sql_mode,
// @@sql_mode, @@SESSION.SQL_MODE, SESSION `sql_mode`, @@'sql_mode' ...: every name-like token
// before the `=` is looked at. Changes to the lexing settings are an allow-list: one literal
// the firewall can read, naming nothing that changes lexing. Anything computed (CONCAT,
// REPLACE, variables, subqueries, 'a' 'b', numbers as bit masks or ids) is refused.
void SessionSettings::check_assignment(const ScanCursor& at, const Token& first) noexcept {
    if (found_.found) return;
    Probe p(at.lexer, first);
    for (Keyword w = p.word(); w == Keyword::kSession || w == Keyword::kLocal ||
                               w == Keyword::kGlobal || w == Keyword::kPersist;
         w = p.word()) {
        p.advance();
    }
    const Keyword w = p.word();
    if (w == Keyword::kNames) {
        p.advance();
        check_charset_value(first, p, true);
        return;
    }
    if (w == Keyword::kCharset || w == Keyword::kCharacter) {
        p.advance();
        if (w == Keyword::kCharacter) {
            if (p.word() != Keyword::kSet) return;
            p.advance();
        }
        check_charset_value(first, p, false);
        return;
    }
    Setting setting = Setting::none;
    for (; !p.exhausted; p.advance()) {
        const Token& t = p.cur;
        Setting named = Setting::none;
        if (t.is(TokenKind::system_variable)) {
            named = setting_of_system_variable(t.text);
        } else if (is_name(t)) {
            named = setting_named(unquoted(t));
        } else if (t.is(TokenKind::string)) {
            named = setting_named(string_content(t.text));
        } else if (!t.is(TokenKind::dot) && !t.is(TokenKind::unknown)) {
            break;
        }
        if (named != Setting::none) setting = named;
    }
    if (setting == Setting::none) return;
    if (!p.cur.is_symbol("=") && !p.cur.is_symbol(":=")) {
        note(found_, span(first, p.cur), "a setting whose value cannot be checked");
        return;
    }
    p.advance();
    if (setting == Setting::sql_mode) {
        check_sql_mode_value(first, p);
    } else {
        check_charset_value(first, p, false);
    }
}

// sql_mode = 'MODE,...' | DEFAULT, or CONCAT(@@sql_mode, 'MODE,...'): the form drivers use
// to add a mode (Connector/J adds STRICT_TRANS_TABLES so), safe because the current mode
// passed this check when it was set. Only whole mode names can result: the server's
// @@sql_mode holds whole names, none of which is a prefix of a lexing mode.
void SessionSettings::check_sql_mode_value(const Token& target, Probe& p) noexcept {
    const char* reason = "an sql_mode that is not one string literal of mode names";
    bool ok = false;
    const auto literal = [&p, &reason]() {
        if (!p.cur.is(TokenKind::string)) return false;
        const SettingValue v = classify_sql_modes(string_content(p.cur.text));
        if (v == SettingValue::unsafe) reason = "an sql_mode that changes how statements are read";
        if (v != SettingValue::safe) return false;
        p.advance();
        return true;
    };
    if (p.word() == Keyword::kDefault) {
        p.advance();
        ok = ends_assignment(p);
    } else if (p.word() == Keyword::kConcat) {
        p.advance();
        if (p.cur.is(TokenKind::left_paren)) {
            p.advance();
            if (is_session_sql_mode(p.cur)) {
                p.advance();
                if (p.cur.is(TokenKind::comma)) {
                    p.advance();
                    ok = literal() && p.cur.is(TokenKind::right_paren);
                    if (ok) p.advance();
                }
            }
        }
        ok = ok && ends_assignment(p);
    } else {
        ok = literal() && ends_assignment(p);
    }
    if (!ok) note(found_, span(target, p.cur), reason);
}

// NAMES x [COLLATE y], CHARACTER SET x, character_set_client = x ...: one name, quoted
// name or string (or DEFAULT) of a character set or collation from kSafeCharsets.
void SessionSettings::check_charset_value(const Token& target, Probe& p, bool names) noexcept {
    SettingValue v = classify_charset_token(p.cur);
    p.advance();
    if (names && p.word() == Keyword::kCollate) {
        p.advance();
        v = std::max(v, classify_charset_token(p.cur));
        p.advance();
    }
    if (!ends_assignment(p)) v = SettingValue::unreadable;
    if (v == SettingValue::safe) return;
    note(found_, span(target, p.prev),
         v == SettingValue::unsafe
             ? "a client character set whose multibyte characters may hide quotes"
             : "a character set that is not one plain name");
}

}  // namespace sqlgate::policy::detail
