#include "policy/scan.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sqlgate::policy::detail {
namespace {

using sql::iequals;
using sql::Lexer;
using sql::Token;
using sql::TokenKind;

// The words the heuristics look for. The classifier's keyword table serves routing and
// lacks most of these (WHERE, NULL, LIKE, SLEEP ...), so the firewall keeps its own.
enum class Word : std::uint8_t {
    none,
    kAnd,
    kOr,
    kXor,
    kNot,
    kNull,
    kTrue,
    kFalse,
    kUnknown,
    kLike,
    kIs,
    kBetween,
    kIn,
    kWhere,
    kOn,
    kHaving,
    kSelect,
    kFrom,
    kSet,
    kValues,
    kValue,
    kOrder,
    kGroup,
    kBy,
    kLimit,
    kUnion,
    kAll,
    kDistinct,
    kInto,
    kUpdate,
    kJoin,
    kUsing,
    kWindow,
    kFor,
    kLock,
    kProcedure,
    kThen,
    kElse,
    kWhen,
    kEnd,
    kAsc,
    kDesc,
    kAs,
    kSleep,
    kBenchmark,
    kPgSleep,
    kWaitfor,
    kDelay,
    kTime,
    kChar,
    kUnhex,
    kNames,
    kCharacter,
    kCharset,
    kSession,
    kLocal,
    kGlobal,
    kStatement,
    kShow,
    kCreate,
    kAlter,
    kDrop,
    kRename,
    kReplace,
    kUser,
    kRole,
    kServer,
    kCurrentUser,
    kFingerprintFunction,  // VERSION(), DATABASE(), USER() ...: what a UNION probe asks for
};

struct WordEntry {
    std::string_view spelling;
    Word word;
};

constexpr std::array kWords = {
    WordEntry{"AND", Word::kAnd},
    WordEntry{"OR", Word::kOr},
    WordEntry{"XOR", Word::kXor},
    WordEntry{"NOT", Word::kNot},
    WordEntry{"NULL", Word::kNull},
    WordEntry{"TRUE", Word::kTrue},
    WordEntry{"FALSE", Word::kFalse},
    WordEntry{"UNKNOWN", Word::kUnknown},
    WordEntry{"LIKE", Word::kLike},
    WordEntry{"IS", Word::kIs},
    WordEntry{"BETWEEN", Word::kBetween},
    WordEntry{"IN", Word::kIn},
    WordEntry{"WHERE", Word::kWhere},
    WordEntry{"ON", Word::kOn},
    WordEntry{"HAVING", Word::kHaving},
    WordEntry{"SELECT", Word::kSelect},
    WordEntry{"FROM", Word::kFrom},
    WordEntry{"SET", Word::kSet},
    WordEntry{"VALUES", Word::kValues},
    WordEntry{"VALUE", Word::kValue},
    WordEntry{"ORDER", Word::kOrder},
    WordEntry{"GROUP", Word::kGroup},
    WordEntry{"BY", Word::kBy},
    WordEntry{"LIMIT", Word::kLimit},
    WordEntry{"UNION", Word::kUnion},
    WordEntry{"ALL", Word::kAll},
    WordEntry{"DISTINCT", Word::kDistinct},
    WordEntry{"DISTINCTROW", Word::kDistinct},
    WordEntry{"INTO", Word::kInto},
    WordEntry{"UPDATE", Word::kUpdate},
    WordEntry{"JOIN", Word::kJoin},
    WordEntry{"USING", Word::kUsing},
    WordEntry{"WINDOW", Word::kWindow},
    WordEntry{"FOR", Word::kFor},
    WordEntry{"LOCK", Word::kLock},
    WordEntry{"PROCEDURE", Word::kProcedure},
    WordEntry{"THEN", Word::kThen},
    WordEntry{"ELSE", Word::kElse},
    WordEntry{"WHEN", Word::kWhen},
    WordEntry{"END", Word::kEnd},
    WordEntry{"ASC", Word::kAsc},
    WordEntry{"DESC", Word::kDesc},
    WordEntry{"AS", Word::kAs},
    WordEntry{"SLEEP", Word::kSleep},
    WordEntry{"BENCHMARK", Word::kBenchmark},
    WordEntry{"PG_SLEEP", Word::kPgSleep},
    WordEntry{"WAITFOR", Word::kWaitfor},
    WordEntry{"DELAY", Word::kDelay},
    WordEntry{"TIME", Word::kTime},
    WordEntry{"CHAR", Word::kChar},
    WordEntry{"UNHEX", Word::kUnhex},
    WordEntry{"NAMES", Word::kNames},
    WordEntry{"CHARACTER", Word::kCharacter},
    WordEntry{"CHARSET", Word::kCharset},
    WordEntry{"SESSION", Word::kSession},
    WordEntry{"LOCAL", Word::kLocal},
    WordEntry{"GLOBAL", Word::kGlobal},
    WordEntry{"STATEMENT", Word::kStatement},
    WordEntry{"SHOW", Word::kShow},
    WordEntry{"CREATE", Word::kCreate},
    WordEntry{"ALTER", Word::kAlter},
    WordEntry{"DROP", Word::kDrop},
    WordEntry{"RENAME", Word::kRename},
    WordEntry{"REPLACE", Word::kReplace},
    WordEntry{"USER", Word::kUser},
    WordEntry{"ROLE", Word::kRole},
    WordEntry{"SERVER", Word::kServer},
    WordEntry{"CURRENT_USER", Word::kCurrentUser},
    WordEntry{"VERSION", Word::kFingerprintFunction},
    WordEntry{"DATABASE", Word::kFingerprintFunction},
    WordEntry{"SCHEMA", Word::kFingerprintFunction},
    WordEntry{"SYSTEM_USER", Word::kFingerprintFunction},
    WordEntry{"SESSION_USER", Word::kFingerprintFunction},
    WordEntry{"CONNECTION_ID", Word::kFingerprintFunction},
};

// Every identifier of every statement is looked up, so the table is hashed at compile time
// (FNV-1a over the upper-cased word, open addressing) rather than scanned.
constexpr std::size_t kLongestWord = 14;
constexpr std::size_t kWordSlots = 256;  // a power of two, under a third full
static_assert(kWords.size() * 3 < kWordSlots);

constexpr std::uint32_t word_hash_step(std::uint32_t hash, char upper) noexcept {
    return (hash ^ static_cast<unsigned char>(upper)) * 16777619u;
}

constexpr auto kWordTable = [] {
    std::array<std::uint8_t, kWordSlots> slots{};
    for (std::size_t i = 0; i < kWords.size(); ++i) {
        std::uint32_t hash = 2166136261u;
        for (const char c : kWords[i].spelling)
            hash = word_hash_step(hash, c);
        std::size_t slot = hash & (kWordSlots - 1);
        while (slots[slot] != 0)
            slot = (slot + 1) & (kWordSlots - 1);
        slots[slot] = static_cast<std::uint8_t>(i + 1);
    }
    return slots;
}();

constexpr bool words_fit() {
    for (const WordEntry& e : kWords) {
        if (e.spelling.size() > kLongestWord) return false;
        for (const char c : e.spelling) {
            if (c != sql::ascii_upper(c)) return false;
        }
    }
    return true;
}
static_assert(words_fit(), "spellings must be upper case and at most kLongestWord long");

// Quoted names are never keywords.
Word word_of(const Token& token) noexcept {
    const std::string_view text = token.text;
    if (token.kind != TokenKind::identifier || text.size() > kLongestWord) return Word::none;
    std::array<char, kLongestWord> upper;
    std::uint32_t hash = 2166136261u;
    for (std::size_t i = 0; i < text.size(); ++i) {
        upper[i] = sql::ascii_upper(text[i]);
        hash = word_hash_step(hash, upper[i]);
    }
    const std::string_view key(upper.data(), text.size());
    for (std::size_t slot = hash & (kWordSlots - 1); kWordTable[slot] != 0;
         slot = (slot + 1) & (kWordSlots - 1)) {
        const WordEntry& e = kWords[kWordTable[slot] - 1];
        if (e.spelling == key) return e.word;
    }
    return Word::none;
}

bool is_name(const Token& t) noexcept {
    return t.kind == TokenKind::identifier || t.kind == TokenKind::quoted_identifier;
}

std::string_view unquoted(const Token& t) noexcept {
    if (t.kind != TokenKind::quoted_identifier || t.text.size() < 2) return t.text;
    return t.text.substr(1, t.text.size() - 2);
}

// The content of a string token without its quotes or N prefix; escapes are left as they
// are, which only matters for comparisons the heuristics then fail to prove true.
std::string_view string_content(std::string_view text) noexcept {
    if (!text.empty() && (text.front() == 'N' || text.front() == 'n')) text.remove_prefix(1);
    if (text.size() < 2) return {};
    return text.substr(1, text.size() - 2);
}

// "@@session.sql_mode" -> "sql_mode".
std::string_view system_variable_name(std::string_view text) noexcept {
    text.remove_prefix(std::min<std::size_t>(2, text.size()));
    const std::size_t dot = text.find('.');
    return dot == std::string_view::npos ? text : text.substr(dot + 1);
}

Token next_code(Lexer& lexer) noexcept {
    for (;;) {
        const Token t = lexer.next();
        if (t.kind != TokenKind::comment) return t;
    }
}

// Lookahead on a copy of the main lexer: the main pass never backtracks, and the copies
// run only at the rare tokens that start a pattern (OR, CHAR(, SET sql_mode ...).
struct Probe {
    explicit Probe(const Lexer& from) noexcept : lexer(from) { cur = next_code(lexer); }
    void advance() noexcept {
        prev = cur;
        cur = next_code(lexer);
    }
    Word word() const noexcept { return word_of(cur); }

    Lexer lexer;
    Token cur;
    Token prev;
};

// The text from the start of `first` to the end of `last`, capped for messages.
std::string_view span(const Token& first, const Token& last) noexcept {
    const char* begin = first.text.data();
    const char* end = last.text.data() + last.text.size();
    if (end <= begin) return first.text;
    return std::string_view(begin,
                            std::min<std::size_t>(static_cast<std::size_t>(end - begin), 80));
}

// MySQL's string-to-number: the longest numeric prefix, 0 if there is none.
double to_number(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

std::string_view trim_trailing_spaces(std::string_view s) noexcept {
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// Case-insensitive three-way comparison with PAD SPACE, as the default collations do.
int compare_ci(std::string_view a, std::string_view b) noexcept {
    a = trim_trailing_spaces(a);
    b = trim_trailing_spaces(b);
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const char x = sql::ascii_upper(a[i]);
        const char y = sql::ascii_upper(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// LIKE with % and _, case-insensitive; iterative with one backtrack point, so linear-ish.
bool like_match(std::string_view value, std::string_view pattern) noexcept {
    std::size_t v = 0;
    std::size_t p = 0;
    std::size_t star_p = std::string_view::npos;
    std::size_t star_v = 0;
    while (v < value.size()) {
        if (p < pattern.size() &&
            (pattern[p] == '_' || sql::ascii_upper(pattern[p]) == sql::ascii_upper(value[v]))) {
            ++v;
            ++p;
        } else if (p < pattern.size() && pattern[p] == '%') {
            star_p = p++;
            star_v = v;
        } else if (star_p != std::string_view::npos) {
            p = star_p + 1;
            v = ++star_v;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '%')
        ++p;
    return p == pattern.size();
}

// One side of a comparison the tautology check can reason about.
struct Operand {
    enum class Kind : std::uint8_t { none, number, string, hex, null, name };
    Kind kind = Kind::none;
    double number = 0;      // number (TRUE and FALSE are 1 and 0)
    std::string_view text;  // string content, number text, hex text or the (qualified) name
};

// Reads a literal or a plain (possibly qualified) name at p.cur; leaves p.cur after it.
Operand read_operand(Probe& p) noexcept {
    bool negative = false;
    while (p.cur.is_symbol("-") || p.cur.is_symbol("+")) {
        negative = negative != p.cur.is_symbol("-");
        p.advance();
    }
    Operand o;
    const Token first = p.cur;
    switch (first.kind) {
        case TokenKind::number:
            o.kind = Operand::Kind::number;
            o.text = first.text;
            o.number = to_number(first.text);
            p.advance();
            break;
        case TokenKind::string:
            o.kind = Operand::Kind::string;
            o.text = string_content(first.text);
            p.advance();
            break;
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
            o.kind = Operand::Kind::hex;
            o.text = first.text;
            p.advance();
            break;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier: {
            const Word w = word_of(first);
            if (w == Word::kNull) {
                o.kind = Operand::Kind::null;
            } else if (w == Word::kTrue || w == Word::kFalse) {
                o.kind = Operand::Kind::number;
                o.text = first.text;
                o.number = w == Word::kTrue ? 1 : 0;
            } else if (w == Word::none) {
                o.kind = Operand::Kind::name;
            } else {
                return {};  // a keyword: not something this check understands
            }
            p.advance();
            if (o.kind != Operand::Kind::name) break;
            while (p.cur.is(TokenKind::dot)) {
                p.advance();
                if (!is_name(p.cur)) return {};
                p.advance();
            }
            o.text = span(first, p.prev);
            break;
        }
        default:
            return {};
    }
    if (negative) {
        if (o.kind == Operand::Kind::string) o.number = to_number(o.text);
        if (o.kind != Operand::Kind::number && o.kind != Operand::Kind::string) return {};
        o.kind = Operand::Kind::number;
        o.number = -o.number;
        o.text = {};
    }
    return o;
}

double numeric(const Operand& o) noexcept {
    return o.kind == Operand::Kind::string ? to_number(o.text) : o.number;
}

std::optional<bool> truthy(const Operand& o) noexcept {
    switch (o.kind) {
        case Operand::Kind::number:
        case Operand::Kind::string:
            return numeric(o) != 0;
        case Operand::Kind::null:
            return false;
        default:
            return std::nullopt;
    }
}

std::optional<bool> apply_order(int order, std::string_view op) noexcept {
    if (op == "=" || op == "<=>") return order == 0;
    if (op == "<>" || op == "!=") return order != 0;
    if (op == "<") return order < 0;
    if (op == ">") return order > 0;
    if (op == "<=") return order <= 0;
    if (op == ">=") return order >= 0;
    return std::nullopt;
}

// The value of `a op b` when it is a constant; nullopt when it depends on data or is NULL.
std::optional<bool> compare(const Operand& a, std::string_view op, const Operand& b) noexcept {
    using K = Operand::Kind;
    if (a.kind == K::name || b.kind == K::name) {
        // x = x is true for every non-NULL x: the `OR x=x` spelling of OR 1=1.
        const bool same = a.kind == K::name && b.kind == K::name && iequals(a.text, b.text);
        if (same && (op == "=" || op == "<=>" || op == ">=" || op == "<=")) return true;
        return std::nullopt;
    }
    if (a.kind == K::null || b.kind == K::null) {
        if (op == "<=>") return a.kind == b.kind;
        return std::nullopt;
    }
    if (a.kind == K::hex || b.kind == K::hex) {
        if (a.kind == b.kind && (op == "=" || op == "<=>")) return iequals(a.text, b.text);
        return std::nullopt;
    }
    if (a.kind == K::number || b.kind == K::number) {
        const double x = numeric(a);
        const double y = numeric(b);
        return apply_order(x < y ? -1 : (x > y ? 1 : 0), op);
    }
    return apply_order(compare_ci(a.text, b.text), op);
}

// Where a predicate ends: after it, OR 1=1 is a whole operand of OR, not the start of a
// longer expression such as OR a = a + 1 or OR 1 = f(x).
bool ends_predicate(const Token& t) noexcept {
    switch (t.kind) {
        case TokenKind::end:
        case TokenKind::semicolon:
        case TokenKind::right_paren:
        case TokenKind::comma:
            return true;
        case TokenKind::symbol:
            return t.text == "||" || t.text == "&&";
        case TokenKind::identifier:
            switch (word_of(t)) {
                case Word::kAnd:
                case Word::kOr:
                case Word::kXor:
                case Word::kOrder:
                case Word::kGroup:
                case Word::kLimit:
                case Word::kHaving:
                case Word::kUnion:
                case Word::kThen:
                case Word::kElse:
                case Word::kEnd:
                case Word::kWhen:
                case Word::kInto:
                case Word::kFor:
                case Word::kLock:
                case Word::kWindow:
                case Word::kProcedure:
                    return true;
                default:
                    return false;
            }
        default:
            return false;
    }
}

bool is_comparison(const Token& t) noexcept {
    if (t.kind != TokenKind::symbol) return false;
    const std::string_view s = t.text;
    return s == "=" || s == "<=>" || s == "<>" || s == "!=" || s == "<" || s == ">" || s == "<=" ||
           s == ">=";
}

// The value of the predicate at p.cur if it is a constant; p.cur is left after it.
std::optional<bool> constant_predicate(Probe& p) noexcept {
    const Operand a = read_operand(p);
    if (a.kind == Operand::Kind::none) return std::nullopt;
    if (ends_predicate(p.cur)) return truthy(a);
    bool negate = false;
    if (p.word() == Word::kNot) {
        negate = true;
        p.advance();
    }
    std::optional<bool> value;
    if (is_comparison(p.cur) && !negate) {
        const std::string_view op = p.cur.text;
        p.advance();
        value = compare(a, op, read_operand(p));
    } else if (p.word() == Word::kLike) {
        p.advance();
        const Operand b = read_operand(p);
        const bool literals = a.kind != Operand::Kind::name && a.kind != Operand::Kind::null &&
                              (b.kind == Operand::Kind::number || b.kind == Operand::Kind::string);
        if (literals) value = like_match(a.text, b.text);
        if (a.kind == Operand::Kind::name && b.kind == Operand::Kind::name) {
            value = compare(a, "=", b);
        }
    } else if (p.word() == Word::kIs) {
        p.advance();
        bool is_not = false;
        if (p.word() == Word::kNot) {
            is_not = true;
            p.advance();
        }
        const Word w = p.word();
        p.advance();
        if (a.kind != Operand::Kind::name && a.kind != Operand::Kind::hex) {
            const bool null = a.kind == Operand::Kind::null;
            if (w == Word::kNull || w == Word::kUnknown) value = null;
            if (w == Word::kTrue) value = truthy(a);
            if (w == Word::kFalse) value = !null && !*truthy(a);
            if (value && is_not) value = !*value;
        }
    } else if (p.word() == Word::kBetween) {
        p.advance();
        const Operand low = read_operand(p);
        if (p.word() != Word::kAnd) return std::nullopt;
        p.advance();
        const Operand high = read_operand(p);
        const auto lo = compare(a, ">=", low);
        const auto hi = compare(a, "<=", high);
        if (lo && hi) value = *lo && *hi;
    } else if (p.word() == Word::kIn) {
        p.advance();
        if (!p.cur.is(TokenKind::left_paren)) return std::nullopt;
        p.advance();
        bool any = false;
        for (int i = 0; i < 64 && !p.cur.is(TokenKind::right_paren); ++i) {
            const auto eq = compare(a, "=", read_operand(p));
            if (!eq) return std::nullopt;
            any = any || *eq;
            if (p.cur.is(TokenKind::comma)) p.advance();
            if (p.cur.is(TokenKind::end)) return std::nullopt;
        }
        if (!p.cur.is(TokenKind::right_paren)) return std::nullopt;
        p.advance();
        value = any;
    } else {
        return std::nullopt;
    }
    if (!value || !ends_predicate(p.cur)) return std::nullopt;
    return negate ? !*value : *value;
}

// Hex digits of 0x.. or X'..' that spell at least four printable ASCII bytes: a string
// written in hex to avoid quotes. Binary keys (UUIDs, hashes) are almost never all printable.
bool hex_spells_text(std::string_view digits) noexcept {
    if (digits.size() % 2 != 0 || digits.size() < 8) return false;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(digits.data() + i, digits.data() + i + 2, value, 16);
        if (ec != std::errc{} || ptr != digits.data() + i + 2) return false;
        if (value < 0x20 || value > 0x7e) return false;
    }
    return true;
}

std::string_view hex_digits(std::string_view literal) noexcept {
    if (literal.size() >= 2 && literal[0] == '0') return literal.substr(2);  // 0x1F
    if (literal.size() >= 3) return literal.substr(2, literal.size() - 3);   // X'1F'
    return {};
}

// Whether `text` holds `word` delimited by non-name characters, case-insensitively.
bool contains_word(std::string_view text, std::string_view word) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && !sql::is_identifier_char(text[i]))
            ++i;
        const std::size_t start = i;
        while (i < text.size() && sql::is_identifier_char(text[i]))
            ++i;
        if (i > start && iequals(text.substr(start, i - start), word)) return true;
    }
    return false;
}

// sql_mode values that change how the server splits text into tokens, so that the
// firewall (which lexes with the session's options) would see strings where the server
// sees names, or escapes where it sees a closing quote. ANSI and the compatibility modes
// include ANSI_QUOTES.
constexpr std::array<std::string_view, 8> kLexingModes = {
    "ANSI_QUOTES", "NO_BACKSLASH_ESCAPES", "ANSI", "ORACLE", "MSSQL", "DB2", "POSTGRESQL", "MAXDB",
};

// Client character sets whose multibyte characters may end in 0x5c (backslash) or 0x27:
// the server reads \x95\x5c' as one character and a quote where the firewall reads an
// escaped quote.
constexpr std::array<std::string_view, 5> kUnsafeCharsets = {"big5", "cp932", "gbk", "sjis",
                                                             "gb18030"};

bool names_unsafe_charset(std::string_view text) noexcept {
    for (const std::string_view cs : kUnsafeCharsets) {
        if (iequals(text, cs)) return true;
        // A collation name (gbk_chinese_ci) selects its character set.
        if (text.size() > cs.size() && text[cs.size()] == '_' &&
            iequals(text.substr(0, cs.size()), cs)) {
            return true;
        }
    }
    return false;
}

enum class Clause : std::uint8_t { other, condition };
constexpr int kTrackedDepth = 64;
constexpr long kOrderByProbeLimit = 32;  // positional ORDER BY beyond this is a probe

class Scanner {
  public:
    Scanner(std::string_view sql, sql::LexerOptions options, const UserPolicy& policy) noexcept
        : lexer_(sql, options), policy_(policy) {}

    ScanResult run() noexcept;

  private:
    void on_comment(const Token& t) noexcept;
    void on_code(const Token& t) noexcept;
    void on_word(const Token& t, Word w) noexcept;
    void on_left_paren(const Token& t) noexcept;
    void on_dot() noexcept;
    void on_number(const Token& t) noexcept;
    void check_tautology(const Token& op) noexcept;
    void on_union_token(const Token& t) noexcept;
    void finish_union_item() noexcept;
    void finish_union_list() noexcept;
    void check_char_call(const Token& name) noexcept;
    void check_unhex_call(const Token& name) noexcept;
    void check_setting(const Token& target, bool charset, bool after_value_marker) noexcept;
    void schema_reference(const Token& name) noexcept;

    bool in_condition() const noexcept {
        return clause_[static_cast<std::size_t>(std::min(depth_, kTrackedDepth - 1))] ==
               Clause::condition;
    }
    void set_clause(Clause c) noexcept {
        clause_[static_cast<std::size_t>(std::min(depth_, kTrackedDepth - 1))] = c;
    }
    static void hit(Finding& f, std::string_view evidence, std::string_view reason) noexcept {
        if (f.found) return;
        f = Finding{true, evidence.substr(0, 80), reason};
    }

    Lexer lexer_;
    const UserPolicy& policy_;
    ScanResult result_;
    std::array<Token, 4> history_{};  // the last code tokens, most recent first
    std::array<Clause, kTrackedDepth> clause_{};
    int depth_ = 0;
    bool statement_start_ = true;
    bool in_set_ = false;    // a SET statement's assignment list, at depth 0
    bool in_show_ = false;   // a SHOW statement
    int account_check_ = 0;  // tokens left in which CREATE/DROP ... may name USER/ROLE/SERVER
    bool in_select_list_ = false;
    bool select_list_known_ = false;  // a depth-0 SELECT list was counted
    bool select_star_ = false;
    long select_items_ = 0;
    int printable_char_calls_ = 0;
    bool in_order_list_ = false;  // a depth-0 ORDER BY or GROUP BY list
    const char* next_code_after_comments_ = nullptr;
    bool trailing_ = false;

    // The select list after the latest UNION.
    struct UnionList {
        enum class State : std::uint8_t { idle, awaiting_select, in_list };
        State state = State::idle;
        int depth = 0;  // of the list's items
        long items = 0;
        bool all_null = true;
        bool sequence = true;
        bool in_alias = false;
        bool after_select = false;
        int item_tokens = 0;  // of the current item, before AS
        Token single;         // its last token
        Token start;          // the UNION
        Token last;           // the last token of the list
    };
    UnionList union_;
};

ScanResult Scanner::run() noexcept {
    for (;;) {
        const Token t = lexer_.next();
        if (t.kind == TokenKind::end) break;
        if (t.kind == TokenKind::comment) {
            on_comment(t);
            continue;
        }
        on_code(t);
        history_[3] = history_[2];
        history_[2] = history_[1];
        history_[1] = history_[0];
        history_[0] = t;
    }
    finish_union_list();
    return result_;
}

// Comment truncation: an injection that closes the application's literal early and comments
// out the rest (`admin'-- `, `1) OR 1=1 #`) leaves a comment hiding what the application
// wrote after the value. A comment is taken for that when
//   1. its body starts with a quote that is unpaired in the body: the application's
//      closing quote, followed by the rest of its text (`'admin'-- ' AND pw = '...'`); or
//   2. it follows a string literal and its body is blank or holds an odd number of ' or "
//      (`'admin'#`, `'admin' -- x' AND pw = 'y'`); or
//   3. it is trailing (no code after it) and its body starts with `)` or `=`, or with AND,
//      OR, XOR, `&&`, `||` followed by a comparison or a parenthesis: the rest of a
//      condition, cut off (`-- AND owner_id = 42`, not `-- and that is all`).
// Only line comments and trailing block comments count: a block comment inside a statement
// (route hints, /**/ between tokens) hides nothing. Leading comments never count.
void Scanner::on_comment(const Token& t) noexcept {
    if (history_[0].kind == TokenKind::end) return;
    const std::string_view text = t.text;
    const bool line = text.starts_with("#") || text.starts_with("--");
    std::string_view body;
    if (line) {
        body = text.substr(text.front() == '#' ? 1 : 2);
    } else {
        body = text.substr(2);
        if (body.ends_with("*/")) body.remove_suffix(2);
    }
    // A run of comments shares one look past it; looking again for each would make a
    // text of a million comments quadratic.
    if (t.text.data() >= next_code_after_comments_) {
        Lexer rest = lexer_;
        Token after = next_code(rest);
        next_code_after_comments_ = after.text.data();
        if (after.kind == TokenKind::semicolon) after = next_code(rest);
        trailing_ = after.kind == TokenKind::end;
    }
    const bool trailing = trailing_;
    if (!line && !trailing) return;

    std::size_t start = 0;
    while (start < body.size() && static_cast<unsigned char>(body[start]) <= ' ')
        ++start;
    const std::string_view trimmed = body.substr(start);
    const auto odd = [body](char quote) {
        return std::count(body.begin(), body.end(), quote) % 2 != 0;
    };
    const char first = trimmed.empty() ? '\0' : trimmed.front();
    if ((first == '\'' || first == '"') && odd(first)) {
        hit(result_.comment_truncation, text, "a comment starts with an unpaired quote");
        return;
    }
    if (history_[0].kind == TokenKind::string) {
        if (trimmed.empty() || odd('\'') || odd('"')) {
            hit(result_.comment_truncation, text,
                "a comment after a string literal cuts the statement short");
            return;
        }
    }
    if (!trailing) return;
    Lexer body_lexer(trimmed);
    const Token lead = body_lexer.next();
    const Word w = word_of(lead);
    const bool connective = w == Word::kAnd || w == Word::kOr || w == Word::kXor ||
                            lead.is_symbol("&&") || lead.is_symbol("||");
    // Prose may start with "and"; a hidden condition compares something.
    const bool compares = trimmed.find_first_of("=<>(") != std::string_view::npos;
    if (lead.kind == TokenKind::right_paren || lead.is_symbol("=") || (connective && compares)) {
        hit(result_.comment_truncation, text, "a trailing comment hides the rest of a condition");
    }
}

void Scanner::on_code(const Token& t) noexcept {
    if (union_.state != UnionList::State::idle) on_union_token(t);
    const bool first_of_statement = statement_start_ && !t.is(TokenKind::left_paren);
    if (first_of_statement) {
        statement_start_ = false;
        const Word w = word_of(t);
        in_set_ = w == Word::kSet;
        in_show_ = w == Word::kShow;
    }
    if (account_check_ > 0) --account_check_;
    switch (t.kind) {
        case TokenKind::semicolon:
            if (depth_ == 0) {
                statement_start_ = true;
                in_set_ = in_show_ = in_select_list_ = in_order_list_ = false;
                clause_.fill(Clause::other);
            }
            break;
        case TokenKind::left_paren:
            on_left_paren(t);
            if (depth_ + 1 < kTrackedDepth) {
                clause_[static_cast<std::size_t>(depth_ + 1)] =
                    clause_[static_cast<std::size_t>(depth_)];
            }
            ++depth_;
            break;
        case TokenKind::right_paren:
            if (depth_ > 0) --depth_;
            break;
        case TokenKind::comma:
            if (depth_ == 0 && in_select_list_) ++select_items_;
            break;
        case TokenKind::dot:
            on_dot();
            break;
        case TokenKind::number:
            on_number(t);
            break;
        case TokenKind::hex_literal:
            if (in_condition() && hex_spells_text(hex_digits(t.text))) {
                hit(result_.encoded_payload, t.text, "a hex literal spells text in a condition");
            }
            break;
        case TokenKind::symbol:
            if (t.text == "||") {
                check_tautology(t);
            } else if (t.text == "*" && depth_ == 0 && in_select_list_ &&
                       (word_of(history_[0]) == Word::kSelect || history_[0].is(TokenKind::comma) ||
                        history_[0].is(TokenKind::dot))) {
                select_star_ = true;
            }
            break;
        case TokenKind::system_variable:
            if (in_set_ && depth_ == 0) {
                const std::string_view name = system_variable_name(t.text);
                if (iequals(name, "sql_mode")) check_setting(t, false, false);
                if (iequals(name, "character_set_client")) check_setting(t, true, false);
            }
            break;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier: {
            const Word w = word_of(t);
            if (in_show_ && is_system_schema(unquoted(t))) {
                const Word before = word_of(history_[0]);
                if (before == Word::kFrom || before == Word::kIn) {
                    hit(result_.system_schema, t.text, "SHOW names a system schema");
                }
            }
            if (t.is(TokenKind::identifier)) on_word(t, w);
            break;
        }
        default:
            break;
    }
}

void Scanner::on_word(const Token& t, Word w) noexcept {
    if (account_check_ > 0) {
        if (w == Word::kUser || w == Word::kRole || w == Word::kServer) {
            result_.names_account_object = true;
            account_check_ = 0;
        } else if (w == Word::kOr || w == Word::kReplace) {
            account_check_ = 2;  // CREATE OR REPLACE USER
        } else {
            account_check_ = 0;
        }
    }
    if (in_set_ && depth_ == 0) {
        const Word before = word_of(history_[0]);
        const bool at_target = before == Word::kSet || before == Word::kSession ||
                               before == Word::kLocal || before == Word::kGlobal ||
                               before == Word::kStatement || history_[0].is(TokenKind::comma);
        if (w == Word::kFor) in_set_ = false;  // SET STATEMENT ... FOR <statement>
        if (at_target) {
            if (iequals(t.text, "sql_mode")) check_setting(t, false, false);
            if (iequals(t.text, "character_set_client")) check_setting(t, true, false);
            if (w == Word::kNames || w == Word::kCharset) check_setting(t, true, true);
        }
        if (w == Word::kSet && word_of(history_[0]) == Word::kCharacter) {
            check_setting(t, true, true);  // SET CHARACTER SET x
        }
    }
    switch (w) {
        case Word::kOr:
            check_tautology(t);
            break;
        case Word::kWhere:
        case Word::kOn:
        case Word::kHaving:
            set_clause(Clause::condition);
            break;
        case Word::kSelect:
            set_clause(Clause::other);
            if (depth_ == 0) {
                in_select_list_ = true;
                select_list_known_ = true;
                select_star_ = false;
                select_items_ = 1;
            }
            break;
        case Word::kFrom:
        case Word::kInto:
        case Word::kOrder:
        case Word::kGroup:
        case Word::kLimit:
        case Word::kWindow:
        case Word::kUnion:
        case Word::kSet:
        case Word::kValues:
        case Word::kValue:
        case Word::kUpdate:
        case Word::kJoin:
        case Word::kUsing:
            set_clause(Clause::other);
            if (depth_ == 0) in_order_list_ = false;
            if (depth_ == 0 && w != Word::kUnion) in_select_list_ = false;
            if (w == Word::kUnion) {
                in_select_list_ = false;
                union_.state = UnionList::State::awaiting_select;
                union_.start = t;
            }
            break;
        case Word::kBy: {
            const Word clause = word_of(history_[0]);
            if (depth_ == 0) in_order_list_ = clause == Word::kOrder || clause == Word::kGroup;
            break;
        }
        case Word::kCreate:
        case Word::kDrop:
        case Word::kAlter:
        case Word::kRename:
            if (depth_ == 0) account_check_ = 2;
            break;
        case Word::kDelay:
        case Word::kTime:
            if (word_of(history_[0]) == Word::kWaitfor) {
                hit(result_.time_delay, span(history_[0], t), "WAITFOR delays the answer");
            }
            break;
        default:
            break;
    }
}

void Scanner::on_left_paren(const Token& t) noexcept {
    const Token& name = history_[0];
    if (!name.is(TokenKind::identifier) && !name.is(TokenKind::quoted_identifier)) return;
    if (history_[1].is(TokenKind::dot)) {
        // schema.function(: the schema of a stored routine
        if (is_name(history_[2]) && !history_[3].is(TokenKind::dot)) schema_reference(history_[2]);
        return;
    }
    if (!name.is(TokenKind::identifier)) return;
    switch (word_of(name)) {
        case Word::kSleep:
        case Word::kBenchmark:
        case Word::kPgSleep:
            hit(result_.time_delay, span(name, t), "a delay function");
            break;
        case Word::kChar:
            if (in_condition()) check_char_call(name);
            break;
        case Word::kUnhex:
            if (in_condition()) check_unhex_call(name);
            break;
        default:
            break;
    }
}

// mysql.user, `information_schema`.tables: a qualifier that can only be a schema. `sys` is
// left to three-part names and tables, because `sys` is also a plausible table alias.
void Scanner::on_dot() noexcept {
    const Token& q = history_[0];
    if (!is_name(q)) return;
    if (history_[1].is(TokenKind::dot)) {
        // a.b.c: `a` is a schema
        if (is_name(history_[2]) && !history_[3].is(TokenKind::dot)) schema_reference(history_[2]);
        return;
    }
    const std::string_view name = unquoted(q);
    if (iequals(name, "mysql") || iequals(name, "information_schema") ||
        iequals(name, "performance_schema")) {
        hit(result_.system_schema, q.text, "a system schema is named");
    }
}

void Scanner::schema_reference(const Token& name) noexcept {
    const std::string_view schema = unquoted(name);
    if (is_system_schema(schema)) {
        hit(result_.system_schema, name.text, "a system schema is named");
    } else if (!schema_allowed(policy_, schema)) {
        hit(result_.schema_not_allowed, name.text, "a schema outside the allowed list is named");
    }
}

// ORDER BY n / GROUP BY n with n past the select list: the column-count probe that
// precedes a UNION injection (ORDER BY 1, 2, 3 ... until the server errs).
void Scanner::on_number(const Token& t) noexcept {
    if (depth_ != 0 || !in_order_list_) return;
    if (word_of(history_[0]) != Word::kBy && !history_[0].is(TokenKind::comma)) return;
    Lexer rest = lexer_;
    const Token after = next_code(rest);
    const Word w = word_of(after);
    const bool alone = after.is(TokenKind::end) || after.is(TokenKind::semicolon) ||
                       after.is(TokenKind::comma) || w == Word::kAsc || w == Word::kDesc ||
                       w == Word::kLimit;
    if (!alone) return;
    long position = 0;
    const auto [ptr, ec] =
        std::from_chars(t.text.data(), t.text.data() + t.text.size(), position, 10);
    if (ec != std::errc{} || ptr != t.text.data() + t.text.size()) return;
    const bool counted = select_list_known_ && !select_star_;
    if ((counted && position > select_items_) || position > kOrderByProbeLimit) {
        hit(result_.union_probe, t.text, "ORDER BY a column position past the select list");
    }
}

// OR followed by a predicate that is constant true: OR 1=1, OR 'a'='a', OR 1, OR TRUE,
// OR 2>1, OR x=x, OR 1 LIKE 1, OR 'a' IS NOT NULL, OR 1 IN (1), with any parentheses, NOT
// and comments around. Only in conditions (WHERE, ON, HAVING), where it widens what a
// statement touches.
void Scanner::check_tautology(const Token& op) noexcept {
    if (!in_condition() || result_.tautology.found) return;
    Probe p(lexer_);
    bool negate = false;
    for (int i = 0; i < 16; ++i) {
        if (p.cur.is(TokenKind::left_paren)) {
            p.advance();
        } else if (p.word() == Word::kNot) {
            negate = !negate;
            p.advance();
        } else {
            break;
        }
    }
    const std::optional<bool> value = constant_predicate(p);
    if (value && *value != negate) {
        hit(result_.tautology, span(op, p.prev), "a condition that is always true");
    }
}

// UNION [ALL|DISTINCT] SELECT whose list asks what an attacker asks: all NULL (finding the
// column count), 1, 2, 3 ... (finding which column is shown), or server fingerprints
// (@@version, VERSION(), USER(), DATABASE() ...). A UNION adding a real row, such as
// UNION ALL SELECT 0, 'none', passes. Followed within the main pass rather than by
// lookahead, so that nested UNIONs cost nothing extra; a UNION inside the list of another
// abandons the outer list, which then holds a subquery and is no probe anyway.
void Scanner::on_union_token(const Token& t) noexcept {
    UnionList& u = union_;
    const Word w = word_of(t);
    if (u.state == UnionList::State::awaiting_select) {
        if (w == Word::kAll || w == Word::kDistinct || t.is(TokenKind::left_paren)) return;
        if (w != Word::kSelect) {
            u.state = UnionList::State::idle;
            return;
        }
        u.state = UnionList::State::in_list;
        u.depth = depth_;
        u.items = 0;
        u.all_null = true;
        u.sequence = true;
        u.item_tokens = 0;
        u.in_alias = false;
        u.after_select = true;
        return;
    }
    if (u.state != UnionList::State::in_list) return;
    if (u.after_select && (w == Word::kAll || w == Word::kDistinct)) return;
    u.after_select = false;
    if (t.is(TokenKind::system_variable) || w == Word::kCurrentUser ||
        (t.is(TokenKind::left_paren) && (word_of(history_[0]) == Word::kFingerprintFunction ||
                                         word_of(history_[0]) == Word::kUser))) {
        hit(result_.union_probe, span(u.start, t), "UNION SELECT of server fingerprints");
    }
    if (depth_ == u.depth) {
        if (t.is(TokenKind::comma)) {
            finish_union_item();
            return;
        }
        const bool ends = t.is(TokenKind::right_paren) || t.is(TokenKind::semicolon) ||
                          w == Word::kFrom || w == Word::kInto || w == Word::kWhere ||
                          w == Word::kUnion || w == Word::kOrder || w == Word::kGroup ||
                          w == Word::kHaving || w == Word::kLimit || w == Word::kFor ||
                          w == Word::kWindow || w == Word::kLock;
        if (ends) {
            finish_union_list();
            return;
        }
        if (w == Word::kAs) {
            u.in_alias = true;
            return;
        }
    }
    if (!u.in_alias) {
        ++u.item_tokens;
        u.single = t;
    }
    u.last = t;
}

void Scanner::finish_union_item() noexcept {
    UnionList& u = union_;
    ++u.items;
    const bool single = u.item_tokens == 1;
    u.all_null = u.all_null && single && word_of(u.single) == Word::kNull;
    u.sequence = u.sequence && single && u.single.is(TokenKind::number) &&
                 to_number(u.single.text) == static_cast<double>(u.items);
    u.item_tokens = 0;
    u.in_alias = false;
}

void Scanner::finish_union_list() noexcept {
    UnionList& u = union_;
    if (u.state != UnionList::State::in_list) {
        u.state = UnionList::State::idle;
        return;
    }
    u.state = UnionList::State::idle;
    if (u.item_tokens > 0 || u.in_alias) finish_union_item();
    if (u.items >= 1 && u.all_null) {
        hit(result_.union_probe, span(u.start, u.last),
            "UNION SELECT of NULLs probes the column count");
    } else if (u.items >= 2 && u.sequence) {
        hit(result_.union_probe, span(u.start, u.last),
            "UNION SELECT 1, 2, ... probes the shown columns");
    }
}

// CHAR(97,100,109,...) spells a string without quotes. Two printable codes in one call, or
// two calls with printable codes in conditions, count; CHAR(13,10) and CHAR(0) do not.
void Scanner::check_char_call(const Token& name) noexcept {
    if (result_.encoded_payload.found) return;
    Probe p(lexer_);
    int printable = 0;
    for (int i = 0; i < 1024 && p.cur.is(TokenKind::number); ++i) {
        const double code = to_number(p.cur.text);
        if (code >= 32 && code <= 126) ++printable;
        p.advance();
        if (!p.cur.is(TokenKind::comma)) break;
        p.advance();
    }
    if (printable > 0) ++printable_char_calls_;
    if (printable >= 2 || printable_char_calls_ >= 2) {
        hit(result_.encoded_payload, span(name, p.cur), "CHAR() codes spell text in a condition");
    }
}

void Scanner::check_unhex_call(const Token& name) noexcept {
    Probe p(lexer_);
    if (p.cur.is(TokenKind::string) && hex_spells_text(string_content(p.cur.text))) {
        hit(result_.encoded_payload, span(name, p.cur), "UNHEX() spells text in a condition");
    }
}

// SET sql_mode / character_set_client / NAMES / CHARACTER SET: the value must be plain
// literals and names none of which is a lexing mode or an unsafe charset; anything computed
// from data (user variables, subqueries, numbers as bit masks) cannot be checked, so it is
// refused.
void Scanner::check_setting(const Token& target, bool charset, bool after_value_marker) noexcept {
    if (result_.unsafe_session_setting.found) return;
    Probe p(lexer_);
    if (!after_value_marker) {
        if (!p.cur.is_symbol("=") && !p.cur.is_symbol(":=")) return;
        p.advance();
    }
    const std::string_view variable = charset ? "character_set_client" : "sql_mode";
    const char* reason = nullptr;
    int depth = 0;
    for (int guard = 0; guard < 4096 && reason == nullptr; ++guard, p.advance()) {
        const Token& t = p.cur;
        if (t.is(TokenKind::end) || t.is(TokenKind::semicolon)) break;
        if (depth == 0 && (t.is(TokenKind::comma) || word_of(t) == Word::kFor)) break;
        switch (t.kind) {
            case TokenKind::left_paren:
                ++depth;
                break;
            case TokenKind::right_paren:
                if (depth == 0) return;
                --depth;
                break;
            case TokenKind::string:
            case TokenKind::identifier:
            case TokenKind::quoted_identifier: {
                const std::string_view text =
                    t.is(TokenKind::string) ? string_content(t.text) : unquoted(t);
                if (word_of(t) == Word::kSelect) {
                    reason = "a setting computed by a subquery";
                } else if (charset) {
                    if (names_unsafe_charset(text)) {
                        reason = "a client character set whose multibyte characters hide quotes";
                    }
                } else {
                    for (const std::string_view mode : kLexingModes) {
                        if (contains_word(text, mode)) {
                            reason = "an sql_mode that changes how statements are read";
                        }
                    }
                }
                break;
            }
            case TokenKind::system_variable:
                if (!iequals(system_variable_name(t.text), variable)) {
                    reason = "a setting copied from another variable";
                }
                break;
            case TokenKind::symbol:
            case TokenKind::comma:
            case TokenKind::dot:
                break;
            default:  // user variables, placeholders, numbers (bit masks, charset ids) ...
                reason = "a setting whose value cannot be checked";
                break;
        }
    }
    if (reason != nullptr) hit(result_.unsafe_session_setting, span(target, p.prev), reason);
}

}  // namespace

bool is_system_schema(std::string_view name) noexcept {
    return iequals(name, "mysql") || iequals(name, "information_schema") ||
           iequals(name, "performance_schema") || iequals(name, "sys");
}

bool schema_allowed(const UserPolicy& policy, std::string_view schema) noexcept {
    for (const std::string& allowed : policy.allowed_schemas) {
        if (allowed == schema) return true;
        if (allowed == "*" && !is_system_schema(schema)) return true;
    }
    return false;
}

ScanResult scan(std::string_view sql, sql::LexerOptions lexer, const UserPolicy& policy) noexcept {
    return Scanner(sql, lexer, policy).run();
}

}  // namespace sqlgate::policy::detail
