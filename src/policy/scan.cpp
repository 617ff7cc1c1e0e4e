#include "policy/scan.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
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
    kRegexp,
    kSounds,
    kIs,
    kBetween,
    kIn,
    kExists,
    kBinary,
    kCollate,
    kDiv,
    kMod,
    kWhere,
    kOn,
    kHaving,
    kSelect,
    kFrom,
    kDual,
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
    kConcat,
    kConv,
    kFromBase64,
    kExtractValue,
    kUpdateXml,
    kExp,
    kFloor,
    kRand,
    kNames,
    kCharacter,
    kCharset,
    kDefault,
    kSession,
    kLocal,
    kGlobal,
    kPersist,
    kStatement,
    kShow,
    kColumns,
    kIndex,
    kCreate,
    kAlter,
    kDrop,
    kRename,
    kReplace,
    kDatabase,
    kIf,
    kComment,
    kUser,
    kRole,
    kServer,
    kCurrentUser,
    kFingerprintFunction,  // VERSION(), CONNECTION_ID() ...: see is_fingerprint_function
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
    WordEntry{"REGEXP", Word::kRegexp},
    WordEntry{"RLIKE", Word::kRegexp},
    WordEntry{"SOUNDS", Word::kSounds},
    WordEntry{"IS", Word::kIs},
    WordEntry{"BETWEEN", Word::kBetween},
    WordEntry{"IN", Word::kIn},
    WordEntry{"EXISTS", Word::kExists},
    WordEntry{"BINARY", Word::kBinary},
    WordEntry{"COLLATE", Word::kCollate},
    WordEntry{"DIV", Word::kDiv},
    WordEntry{"MOD", Word::kMod},
    WordEntry{"WHERE", Word::kWhere},
    WordEntry{"ON", Word::kOn},
    WordEntry{"HAVING", Word::kHaving},
    WordEntry{"SELECT", Word::kSelect},
    WordEntry{"FROM", Word::kFrom},
    WordEntry{"DUAL", Word::kDual},
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
    WordEntry{"CONCAT", Word::kConcat},
    WordEntry{"CONV", Word::kConv},
    WordEntry{"FROM_BASE64", Word::kFromBase64},
    WordEntry{"EXTRACTVALUE", Word::kExtractValue},
    WordEntry{"UPDATEXML", Word::kUpdateXml},
    WordEntry{"EXP", Word::kExp},
    WordEntry{"FLOOR", Word::kFloor},
    WordEntry{"RAND", Word::kRand},
    WordEntry{"NAMES", Word::kNames},
    WordEntry{"CHARACTER", Word::kCharacter},
    WordEntry{"CHARSET", Word::kCharset},
    WordEntry{"DEFAULT", Word::kDefault},
    WordEntry{"SESSION", Word::kSession},
    WordEntry{"LOCAL", Word::kLocal},
    WordEntry{"GLOBAL", Word::kGlobal},
    WordEntry{"PERSIST", Word::kPersist},
    WordEntry{"PERSIST_ONLY", Word::kPersist},
    WordEntry{"STATEMENT", Word::kStatement},
    WordEntry{"SHOW", Word::kShow},
    WordEntry{"COLUMNS", Word::kColumns},
    WordEntry{"FIELDS", Word::kColumns},
    WordEntry{"INDEX", Word::kIndex},
    WordEntry{"INDEXES", Word::kIndex},
    WordEntry{"KEYS", Word::kIndex},
    WordEntry{"CREATE", Word::kCreate},
    WordEntry{"ALTER", Word::kAlter},
    WordEntry{"DROP", Word::kDrop},
    WordEntry{"RENAME", Word::kRename},
    WordEntry{"REPLACE", Word::kReplace},
    WordEntry{"DATABASE", Word::kDatabase},
    WordEntry{"SCHEMA", Word::kDatabase},
    WordEntry{"IF", Word::kIf},
    WordEntry{"COMMENT", Word::kComment},
    WordEntry{"USER", Word::kUser},
    WordEntry{"ROLE", Word::kRole},
    WordEntry{"SERVER", Word::kServer},
    WordEntry{"CURRENT_USER", Word::kCurrentUser},
    WordEntry{"VERSION", Word::kFingerprintFunction},
    WordEntry{"SYSTEM_USER", Word::kFingerprintFunction},
    WordEntry{"SESSION_USER", Word::kFingerprintFunction},
    WordEntry{"CONNECTION_ID", Word::kFingerprintFunction},
};

// Every identifier of every statement is looked up, so the table is hashed at compile time
// (FNV-1a over the upper-cased word, open addressing) rather than scanned.
constexpr std::size_t kLongestWord = 14;
constexpr std::size_t kWordSlots = 512;  // a power of two, under a third full
static_assert(kWords.size() * 3 < kWordSlots);
static_assert(kWords.size() < 255, "slots hold an index + 1 in a byte");

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

// Functions whose result identifies the server or the account: what probes ask for.
bool is_fingerprint_function(Word w) noexcept {
    return w == Word::kFingerprintFunction || w == Word::kUser || w == Word::kDatabase;
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

bool ends_with_ci(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() &&
           iequals(text.substr(text.size() - suffix.size()), suffix);
}

Token next_code(Lexer& lexer) noexcept {
    for (;;) {
        const Token t = lexer.next();
        if (t.kind != TokenKind::comment) return t;
    }
}

// Lookahead on a copy of the main lexer: the main pass never backtracks, and the copies
// run only at the rare tokens that start a pattern (OR, CHAR(, SET sql_mode ...). Each
// probe reads a bounded number of tokens, so that nested patterns (OR (1 OR (1 OR ...)
// cannot make the scan quadratic; a probe that runs out proves nothing.
constexpr int kProbeBudget = 1024;

struct Probe {
    explicit Probe(const Lexer& from) noexcept : lexer(from) { cur = next_code(lexer); }
    // Starts at `current`, the token `from` returned last.
    Probe(const Lexer& from, const Token& current) noexcept : lexer(from), cur(current) {}

    void advance() noexcept {
        prev = cur;
        if (budget == 0) {
            exhausted = true;
            cur = Token{TokenKind::end, std::string_view(prev.text.data() + prev.text.size(), 0)};
            return;
        }
        --budget;
        cur = next_code(lexer);
    }
    Word word() const noexcept { return word_of(cur); }
    Token peek() const noexcept {
        Lexer copy = lexer;
        return next_code(copy);
    }

    Lexer lexer;
    Token cur;
    Token prev;
    int budget = kProbeBudget;
    bool exhausted = false;
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

// --- hex, bit and base64 literals ------------------------------------------------------

// The digits of 0x1F, X'1F', 0b101 or B'101'.
std::string_view literal_digits(std::string_view literal) noexcept {
    if (literal.size() >= 2 && literal[0] == '0') return literal.substr(2);  // 0x1F, 0b101
    if (literal.size() >= 3) return literal.substr(2, literal.size() - 3);   // X'1F', B'101'
    return {};
}

// Bits per digit: 4 for hex literals, 1 for bit literals.
int literal_radix_bits(std::string_view literal) noexcept {
    const char marker = literal.size() >= 2 && literal[0] == '0' ? literal[1] : literal[0];
    return (marker == 'b' || marker == 'B') ? 1 : 4;
}

// Calls f(byte) for each byte that `digits` (of `bits` bits each) denote, left-padded with
// zero bits to whole bytes as the server pads them; false if a digit is out of range.
template <typename F>
bool for_each_byte(std::string_view digits, int bits, F&& f) noexcept {
    const std::size_t per_byte = bits == 4 ? 2 : 8;
    std::size_t need = digits.size() % per_byte;
    if (need == 0) need = per_byte;
    unsigned value = 0;
    std::size_t have = 0;
    for (const char c : digits) {
        const char lower = static_cast<char>(c | 0x20);
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (bits == 4 && lower >= 'a' && lower <= 'f') {
            d = static_cast<unsigned>(lower - 'a' + 10);
        } else {
            return false;
        }
        if ((d >> bits) != 0) return false;
        value = (value << bits) | d;
        if (++have == need) {
            f(value);
            value = 0;
            have = 0;
            need = per_byte;
        }
    }
    return true;
}

bool is_printable(unsigned byte) noexcept {
    return byte >= 0x20 && byte <= 0x7e;
}

// Whether hex or bit digits spell at least four printable ASCII bytes: a string written in
// digits to avoid quotes. Binary keys (UUIDs, hashes) and bit masks almost never do.
bool digits_spell_text(std::string_view digits, int bits) noexcept {
    std::size_t bytes = 0;
    bool printable = true;
    const bool valid = for_each_byte(digits, bits, [&](unsigned b) {
        printable = printable && is_printable(b);
        ++bytes;
    });
    return valid && printable && bytes >= 4;
}

bool literal_spells_text(std::string_view literal) noexcept {
    return digits_spell_text(literal_digits(literal), literal_radix_bits(literal));
}

// The number a hex or bit literal stands for in arithmetic.
double literal_number(std::string_view literal) noexcept {
    double value = 0;
    for_each_byte(literal_digits(literal), literal_radix_bits(literal),
                  [&](unsigned b) { value = value * 256 + b; });
    return value;
}

// Whether base64 text decodes to at least four bytes, all printable ASCII.
bool base64_spells_text(std::string_view text) noexcept {
    std::uint32_t bits = 0;
    int pending = 0;
    std::size_t bytes = 0;
    for (const char c : text) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z') {
            v = static_cast<std::uint32_t>(c - 'A');
        } else if (c >= 'a' && c <= 'z') {
            v = static_cast<std::uint32_t>(c - 'a' + 26);
        } else if (c >= '0' && c <= '9') {
            v = static_cast<std::uint32_t>(c - '0' + 52);
        } else if (c == '+' || c == '/') {
            v = c == '+' ? 62 : 63;
        } else if (c == '=') {
            break;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        } else {
            return false;
        }
        bits = ((bits << 6) | v) & 0xffffffu;
        pending += 6;
        if (pending >= 8) {
            pending -= 8;
            if (!is_printable((bits >> pending) & 0xffu)) return false;
            ++bytes;
        }
    }
    return bytes >= 4;
}

// --- constant conditions ---------------------------------------------------------------

std::string_view trim_trailing_spaces(std::string_view s) noexcept {
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// Three-way comparison of strings: `fold` compares case-insensitively, `pad` ignores
// trailing spaces (PAD SPACE), as the default collations do.
int compare_text(std::string_view a, std::string_view b, bool fold, bool pad) noexcept {
    if (pad) {
        a = trim_trailing_spaces(a);
        b = trim_trailing_spaces(b);
    }
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(fold ? sql::ascii_upper(a[i]) : a[i]);
        const auto y = static_cast<unsigned char>(fold ? sql::ascii_upper(b[i]) : b[i]);
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

// MySQL's SOUNDEX, a character at a time: the first letter, then the codes of the later
// letters that differ from the last code written (vowels are skipped without resetting it),
// padded with '0' to four characters; '\0' at the end.
class Soundex {
  public:
    explicit Soundex(std::string_view text) noexcept : text_(text) {}

    char next() noexcept {
        static constexpr std::string_view kCodes = "01230120022455012623010202";
        while (i_ < text_.size()) {
            const char c = sql::ascii_upper(text_[i_++]);
            if (c < 'A' || c > 'Z') continue;
            const char code = kCodes[static_cast<std::size_t>(c - 'A')];
            if (written_ == 0) {
                last_ = code;
                ++written_;
                return c;
            }
            if (code != '0' && code != last_) {
                last_ = code;
                ++written_;
                return code;
            }
        }
        if (written_ > 0 && written_ < 4) {
            ++written_;
            return '0';
        }
        return '\0';
    }

  private:
    std::string_view text_;
    std::size_t i_ = 0;
    std::size_t written_ = 0;
    char last_ = '\0';
};

bool sounds_alike(std::string_view a, std::string_view b) noexcept {
    Soundex x(a);
    Soundex y(b);
    for (;;) {
        const char c = x.next();
        if (c != y.next()) return false;
        if (c == '\0') return true;
    }
}

// A value the tautology check can reason about: a constant, or a plain (possibly qualified)
// name whose one known property is that it equals itself.
struct Operand {
    enum class Kind : std::uint8_t { none, number, string, bytes, null, name };
    // How strings compare: the default collations fold case and pad; _bin and _cs collations
    // do not fold; BINARY, _binary'' and hex or bit literals compare raw bytes.
    enum class Match : std::uint8_t { folded, exact, raw };
    Kind kind = Kind::none;
    Match match = Match::folded;
    double number = 0;
    // String content, the literal of `bytes` (0x61, b'1'), the name; for a number its
    // literal, empty when computed.
    std::string_view text;
};

using OK = Operand::Kind;

Operand number_operand(double value, std::string_view text = {}) noexcept {
    Operand o;
    o.kind = OK::number;
    o.number = value;
    o.text = text;
    return o;
}

Operand null_operand() noexcept {
    Operand o;
    o.kind = OK::null;
    return o;
}

bool is_constant(const Operand& o) noexcept {
    return o.kind == OK::number || o.kind == OK::string || o.kind == OK::bytes ||
           o.kind == OK::null;
}

std::optional<double> numeric(const Operand& o) noexcept {
    switch (o.kind) {
        case OK::number:
            return o.number;
        case OK::string:
            return to_number(o.text);
        case OK::bytes:
            return literal_number(o.text);
        default:
            return std::nullopt;
    }
}

std::optional<bool> truthy(const Operand& o) noexcept {
    if (o.kind == OK::null) return false;
    const std::optional<double> n = numeric(o);
    if (!n) return std::nullopt;
    return *n != 0;
}

// A condition's value as an operand: 1, 0, NULL (`null`), or none when not constant.
Operand truth_operand(std::optional<bool> value) noexcept {
    if (!value) return {};
    return number_operand(*value ? 1 : 0);
}

// The bytes of a string or hex/bit operand, into `out`; nullopt if they do not fit.
std::optional<std::size_t> operand_bytes(const Operand& o,
                                         std::array<unsigned char, 256>& out) noexcept {
    if (o.kind == OK::string) {
        if (o.text.size() > out.size()) return std::nullopt;
        std::copy(o.text.begin(), o.text.end(), out.begin());
        return o.text.size();
    }
    std::size_t n = 0;
    bool fits = true;
    const bool valid =
        for_each_byte(literal_digits(o.text), literal_radix_bits(o.text), [&](unsigned b) {
            if (n == out.size()) {
                fits = false;
            } else {
                out[n++] = static_cast<unsigned char>(b);
            }
        });
    if (!valid || !fits) return std::nullopt;
    return n;
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
    if (a.kind == OK::none || b.kind == OK::none) return std::nullopt;
    if (a.kind == OK::name || b.kind == OK::name) {
        // x = x is true for every non-NULL x: the `OR x=x` spelling of OR 1=1.
        const bool same = a.kind == OK::name && b.kind == OK::name && iequals(a.text, b.text);
        if (same && (op == "=" || op == "<=>" || op == ">=" || op == "<=")) return true;
        return std::nullopt;
    }
    if (a.kind == OK::null || b.kind == OK::null) {
        if (op == "<=>") return a.kind == b.kind;
        return std::nullopt;
    }
    if (a.kind == OK::number || b.kind == OK::number) {
        const double x = *numeric(a);
        const double y = *numeric(b);
        return apply_order(x < y ? -1 : (x > y ? 1 : 0), op);
    }
    if (a.kind == OK::bytes || b.kind == OK::bytes) {
        std::array<unsigned char, 256> x;
        std::array<unsigned char, 256> y;
        const auto nx = operand_bytes(a, x);
        const auto ny = operand_bytes(b, y);
        if (!nx || !ny) return std::nullopt;
        const std::string_view sx(reinterpret_cast<const char*>(x.data()), *nx);
        const std::string_view sy(reinterpret_cast<const char*>(y.data()), *ny);
        return apply_order(compare_text(sx, sy, false, false), op);
    }
    const Operand::Match match = std::max(a.match, b.match);
    return apply_order(
        compare_text(a.text, b.text, match == Operand::Match::folded, match != Operand::Match::raw),
        op);
}

// `a REGEXP b` for constants. Patterns without metacharacters are searched for, case-
// insensitively as the default collations do; other constant patterns count as true, since
// only an injection compares two constants by a regular expression.
std::optional<bool> regexp_match(const Operand& a, const Operand& b) noexcept {
    const bool texts = (a.kind == OK::number || a.kind == OK::string) &&
                       (b.kind == OK::number || b.kind == OK::string) && !a.text.empty() &&
                       !b.text.empty();
    if (!texts) {
        const bool constants =
            is_constant(a) && is_constant(b) && a.kind != OK::null && b.kind != OK::null;
        return constants ? std::optional<bool>(true) : std::nullopt;
    }
    for (const char c : b.text) {
        if (!sql::is_identifier_char(c) && c != ' ') return true;
    }
    if (b.text.size() > a.text.size()) return false;
    for (std::size_t i = 0; i + b.text.size() <= a.text.size(); ++i) {
        if (iequals(a.text.substr(i, b.text.size()), b.text)) return true;
    }
    return false;
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

// A small evaluator for the constant expressions injections use in place of 1=1 (2-1=1,
// ~0, 'a' = BINARY 'a', EXISTS(SELECT 1) ...). Each reader starts at p.cur and leaves p.cur
// after what it read; `depth` bounds the recursion of parentheses and unary operators.
constexpr int kMaxNesting = 16;

Operand read_or(Probe& p, int depth) noexcept;
Operand read_sum(Probe& p, int depth) noexcept;

// EXISTS (SELECT <constants> [FROM DUAL]): a subquery that always has a row.
Operand read_exists(Probe& p, int depth) noexcept {
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return {};
    p.advance();
    if (p.word() != Word::kSelect) return {};
    p.advance();
    for (int i = 0; i < 64; ++i) {
        if (!is_constant(read_sum(p, depth + 1))) return {};
        if (!p.cur.is(TokenKind::comma)) break;
        p.advance();
    }
    if (p.word() == Word::kFrom) {
        p.advance();
        if (p.word() != Word::kDual) return {};
        p.advance();
    }
    if (!p.cur.is(TokenKind::right_paren)) return {};
    p.advance();
    return number_operand(1);
}

Operand read_primary(Probe& p, int depth) noexcept {
    const Token first = p.cur;
    Operand o;
    switch (first.kind) {
        case TokenKind::number:
            p.advance();
            return number_operand(to_number(first.text), first.text);
        case TokenKind::string:
            o.kind = OK::string;
            o.text = string_content(first.text);
            p.advance();
            return o;
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
            o.kind = OK::bytes;
            o.match = Operand::Match::raw;
            o.text = first.text;
            p.advance();
            return o;
        case TokenKind::left_paren:
            if (depth >= kMaxNesting) return {};
            p.advance();
            o = read_or(p, depth + 1);
            if (!p.cur.is(TokenKind::right_paren)) return {};
            p.advance();
            return o;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier:
            break;
        default:
            return {};
    }
    const Word w = word_of(first);
    if (w == Word::kNull) {
        p.advance();
        return null_operand();
    }
    if (w == Word::kTrue || w == Word::kFalse) {
        p.advance();
        return w == Word::kTrue ? number_operand(1, "1") : number_operand(0, "0");
    }
    if (w == Word::kExists) return read_exists(p, depth);
    if (w != Word::none) return {};  // a keyword: not something this check understands
    // _utf8mb4'x', _binary'x': a character set introducer before a string.
    if (first.is(TokenKind::identifier) && first.text.starts_with('_')) {
        const Token next = p.peek();
        if (next.is(TokenKind::string)) {
            p.advance();
            p.advance();
            o.kind = OK::string;
            o.text = string_content(next.text);
            if (iequals(first.text, "_binary")) o.match = Operand::Match::raw;
            return o;
        }
    }
    p.advance();
    while (p.cur.is(TokenKind::dot)) {
        p.advance();
        if (!is_name(p.cur)) return {};
        p.advance();
    }
    o.kind = OK::name;
    o.text = span(first, p.prev);
    return o;
}

std::uint64_t to_unsigned(double x) noexcept {
    if (!(x > -9.2e18)) return 0x8000000000000000u;
    if (x >= 18446744073709551615.0) return std::numeric_limits<std::uint64_t>::max();
    if (x < 0) return static_cast<std::uint64_t>(static_cast<std::int64_t>(std::llround(x)));
    return static_cast<std::uint64_t>(std::round(x));
}

Operand read_unary(Probe& p, int depth) noexcept {
    if (depth >= kMaxNesting) return {};
    const Token t = p.cur;
    if (t.is_symbol("-") || t.is_symbol("+") || t.is_symbol("~") || t.is_symbol("!")) {
        p.advance();
        const Operand o = read_unary(p, depth + 1);
        if (t.text == "+" || o.kind == OK::none || o.kind == OK::null) return o;
        if (o.kind == OK::name) return {};
        const double x = *numeric(o);
        if (t.text == "-") return number_operand(-x);
        if (t.text == "!") return number_operand(x == 0 ? 1 : 0);
        return number_operand(static_cast<double>(~to_unsigned(x)));
    }
    if (p.word() == Word::kBinary) {
        p.advance();
        Operand o = read_unary(p, depth + 1);
        if (o.kind != OK::name) o.match = Operand::Match::raw;
        return o;
    }
    Operand o = read_primary(p, depth);
    if (p.word() == Word::kCollate) {
        p.advance();
        if (!is_name(p.cur) && !p.cur.is(TokenKind::string)) return {};
        const std::string_view collation =
            p.cur.is(TokenKind::string) ? string_content(p.cur.text) : unquoted(p.cur);
        if (iequals(collation, "binary")) {
            o.match = Operand::Match::raw;
        } else if (ends_with_ci(collation, "_bin") || ends_with_ci(collation, "_cs")) {
            o.match = std::max(o.match, Operand::Match::exact);
        }
        p.advance();
    }
    return o;
}

// a op b for + - * / DIV MOD %: NULL on division by zero, as the server answers.
Operand arithmetic(const Operand& a, std::string_view op, const Operand& b) noexcept {
    if (a.kind == OK::none || a.kind == OK::name || b.kind == OK::none || b.kind == OK::name) {
        return {};
    }
    if (a.kind == OK::null || b.kind == OK::null) return null_operand();
    const double x = *numeric(a);
    const double y = *numeric(b);
    if (op == "+") return number_operand(x + y);
    if (op == "-") return number_operand(x - y);
    if (op == "*") return number_operand(x * y);
    if (y == 0) return null_operand();
    if (op == "/") return number_operand(x / y);
    if (iequals(op, "DIV")) return number_operand(std::trunc(x / y));
    return number_operand(std::fmod(x, y));  // MOD, %
}

Operand read_product(Probe& p, int depth) noexcept {
    Operand a = read_unary(p, depth);
    for (;;) {
        const Token op = p.cur;
        const Word w = word_of(op);
        if (!op.is_symbol("*") && !op.is_symbol("/") && !op.is_symbol("%") && w != Word::kDiv &&
            w != Word::kMod) {
            return a;
        }
        p.advance();
        a = arithmetic(a, op.text, read_unary(p, depth));
        if (a.kind == OK::none) return a;
    }
}

Operand read_sum(Probe& p, int depth) noexcept {
    Operand a = read_product(p, depth);
    for (;;) {
        const Token op = p.cur;
        if (!op.is_symbol("+") && !op.is_symbol("-")) return a;
        p.advance();
        a = arithmetic(a, op.text, read_product(p, depth));
        if (a.kind == OK::none) return a;
    }
}

// NOT x: NULL stays NULL; whatever is not constant stays unknown.
Operand logical_not(const Operand& o) noexcept {
    if (o.kind == OK::null) return o;
    const std::optional<bool> t = truthy(o);
    return t ? number_operand(*t ? 0 : 1) : Operand{};
}

// A comparison, or a lone operand: a [NOT] LIKE | REGEXP | IN | BETWEEN b, a = b = c,
// a IS [NOT] NULL, a SOUNDS LIKE b, NOT ..., EXISTS (...).
Operand read_comparison(Probe& p, int depth) noexcept {
    if (depth >= kMaxNesting) return {};
    if (p.word() == Word::kNot) {
        p.advance();
        return logical_not(read_comparison(p, depth + 1));
    }
    Operand a = read_sum(p, depth);
    for (int i = 0; i < 16 && a.kind != OK::none; ++i) {
        bool negate = false;
        if (p.word() == Word::kNot) {
            negate = true;
            p.advance();
        }
        std::optional<bool> value;
        const Word w = p.word();
        if (is_comparison(p.cur) && !negate) {
            const std::string_view op = p.cur.text;
            p.advance();
            value = compare(a, op, read_sum(p, depth));
        } else if (w == Word::kLike) {
            p.advance();
            const Operand b = read_sum(p, depth);
            const bool texts = (a.kind == OK::number || a.kind == OK::string) &&
                               (b.kind == OK::number || b.kind == OK::string) && !a.text.empty() &&
                               !b.text.empty();
            if (texts) value = like_match(a.text, b.text);
            if (a.kind == OK::name && b.kind == OK::name) value = compare(a, "=", b);
        } else if (w == Word::kRegexp) {
            p.advance();
            value = regexp_match(a, read_sum(p, depth));
        } else if (w == Word::kSounds && !negate) {
            p.advance();
            if (p.word() != Word::kLike) return {};
            p.advance();
            const Operand b = read_sum(p, depth);
            if ((a.kind == OK::string || a.kind == OK::number) &&
                (b.kind == OK::string || b.kind == OK::number)) {
                value = sounds_alike(a.text, b.text);
            }
        } else if (w == Word::kIs && !negate) {
            p.advance();
            bool is_not = false;
            if (p.word() == Word::kNot) {
                is_not = true;
                p.advance();
            }
            const Word what = p.word();
            p.advance();
            if (is_constant(a)) {
                const bool null = a.kind == OK::null;
                if (what == Word::kNull || what == Word::kUnknown) value = null;
                if (what == Word::kTrue) value = *truthy(a);
                if (what == Word::kFalse) value = !null && !*truthy(a);
                if (value && is_not) value = !*value;
            }
        } else if (w == Word::kBetween) {
            p.advance();
            const Operand low = read_sum(p, depth);
            if (p.word() != Word::kAnd) return {};
            p.advance();
            const Operand high = read_sum(p, depth);
            const auto lo = compare(a, ">=", low);
            const auto hi = compare(a, "<=", high);
            if (lo && hi) value = *lo && *hi;
        } else if (w == Word::kIn) {
            p.advance();
            if (!p.cur.is(TokenKind::left_paren)) return {};
            p.advance();
            bool any = false;
            for (int item = 0; item < 64 && !p.cur.is(TokenKind::right_paren); ++item) {
                const auto eq = compare(a, "=", read_sum(p, depth));
                if (!eq) return {};
                any = any || *eq;
                if (p.cur.is(TokenKind::comma)) p.advance();
                if (p.cur.is(TokenKind::end)) return {};
            }
            if (!p.cur.is(TokenKind::right_paren)) return {};
            p.advance();
            value = any;
        } else {
            return negate ? Operand{} : a;
        }
        if (value && negate) value = !*value;
        a = truth_operand(value);
    }
    return a;
}

// Three-valued AND / OR / XOR over constants; unknown when an operand is not constant,
// unless the other one decides (1=1 OR x).
enum class Truth : std::uint8_t { no, yes, null, unknown };

Truth truth_of(const Operand& o) noexcept {
    if (o.kind == OK::null) return Truth::null;
    const std::optional<bool> t = truthy(o);
    if (!t) return Truth::unknown;
    return *t ? Truth::yes : Truth::no;
}

Operand operand_of(Truth t) noexcept {
    switch (t) {
        case Truth::no:
            return number_operand(0);
        case Truth::yes:
            return number_operand(1);
        case Truth::null:
            return null_operand();
        case Truth::unknown:
            break;
    }
    return {};
}

Truth logical(Truth a, Word op, Truth b) noexcept {
    const Truth decides = op == Word::kAnd ? Truth::no : Truth::yes;
    if (op != Word::kXor && (a == decides || b == decides)) return decides;
    if (a == Truth::unknown || b == Truth::unknown) return Truth::unknown;
    if (a == Truth::null || b == Truth::null) return Truth::null;
    if (op == Word::kXor) return a != b ? Truth::yes : Truth::no;
    return op == Word::kAnd ? Truth::yes : Truth::no;
}

Operand read_and(Probe& p, int depth) noexcept {
    Operand a = read_comparison(p, depth);
    while (p.word() == Word::kAnd || p.cur.is_symbol("&&")) {
        p.advance();
        const Operand b = read_comparison(p, depth);
        a = operand_of(logical(truth_of(a), Word::kAnd, truth_of(b)));
    }
    return a;
}

Operand read_or(Probe& p, int depth) noexcept {
    Operand a = read_and(p, depth);
    for (;;) {
        const Word w = p.word();
        if (w != Word::kOr && w != Word::kXor && !p.cur.is_symbol("||")) return a;
        p.advance();
        const Operand b = read_and(p, depth);
        a = operand_of(logical(truth_of(a), w == Word::kXor ? Word::kXor : Word::kOr, truth_of(b)));
    }
}

// Whether a comment's text reads as the rest of a condition behind a little filler:
// `- AND customer_id = 2`, `x OR owner = 'bob'`. sqlmap and hand-written injections end
// with `-- -` or `#` plus a few random characters, and the application's own text after the
// injected value then continues the WHERE clause inside the comment. A connective among the
// first three tokens, then an operand and a comparison; prose ("and that is all") has none.
bool hides_condition(std::string_view body) noexcept {
    Lexer lexer(body);
    for (int i = 0; i < 3; ++i) {
        const Token t = next_code(lexer);
        if (t.is(TokenKind::end)) return false;
        const Word w = word_of(t);
        if (w != Word::kAnd && w != Word::kOr && w != Word::kXor && !t.is_symbol("&&") &&
            !t.is_symbol("||")) {
            continue;
        }
        Probe p(lexer);
        for (int j = 0; j < 8 && (p.cur.is(TokenKind::left_paren) || p.word() == Word::kNot); ++j)
            p.advance();
        if (read_sum(p, 0).kind == OK::none) return false;
        if (p.word() == Word::kNot) p.advance();
        const Word op = p.word();
        if (is_comparison(p.cur) || op == Word::kLike || op == Word::kRegexp ||
            op == Word::kBetween || op == Word::kSounds) {
            return true;
        }
        if (op == Word::kIn) return p.peek().is(TokenKind::left_paren);
        if (op != Word::kIs) return false;
        p.advance();
        if (p.word() == Word::kNot) p.advance();
        const Word what = p.word();
        return what == Word::kNull || what == Word::kTrue || what == Word::kFalse ||
               what == Word::kUnknown;
    }
    return false;
}

// --- session settings -------------------------------------------------------------------

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

// Ordered from best to worst, so that std::max of two verdicts is the worse one.
enum class Value : std::uint8_t { safe, unsafe, unreadable };

// A string of comma-separated mode names. Each must be letters, digits and underscores
// after trimming spaces: with an escape (`N\O_BACKSLASH_ESCAPES`) or any other byte the
// server could read a different name than the one compared here.
Value classify_sql_modes(std::string_view value) noexcept {
    Value result = Value::safe;
    for (;;) {
        const std::size_t comma = value.find(',');
        std::string_view mode = value.substr(0, comma);
        while (!mode.empty() && mode.front() == ' ')
            mode.remove_prefix(1);
        mode = trim_trailing_spaces(mode);
        for (const char c : mode) {
            if (!sql::is_identifier_char(c) || c == '$' || static_cast<unsigned char>(c) >= 0x80) {
                return Value::unreadable;
            }
        }
        if (!mode.empty() && sql::is_digit(mode.front())) return Value::unreadable;
        for (const std::string_view lexing : kLexingModes) {
            if (iequals(mode, lexing)) result = Value::unsafe;
        }
        if (comma == std::string_view::npos) return result;
        value.remove_prefix(comma + 1);
    }
}

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

// A character set or collation name (the character set is the part before the first `_`).
Value classify_charset_name(std::string_view name) noexcept {
    if (name.empty()) return Value::unreadable;
    for (const char c : name) {
        if (!sql::is_identifier_char(c) || c == '$' || static_cast<unsigned char>(c) >= 0x80) {
            return Value::unreadable;
        }
    }
    const std::string_view charset = name.substr(0, name.find('_'));
    for (const std::string_view safe : kSafeCharsets) {
        if (iequals(charset, safe)) return Value::safe;
    }
    return Value::unsafe;
}

// One character set value: DEFAULT, a name, a quoted name or a string.
Value classify_charset_token(const Token& t) noexcept {
    if (word_of(t) == Word::kDefault) return Value::safe;
    if (is_name(t)) return classify_charset_name(unquoted(t));
    if (t.is(TokenKind::string)) return classify_charset_name(string_content(t.text));
    return Value::unreadable;
}

// Whether an assignment's value ends at p.cur: the next assignment, the end of the SET, or
// the FOR of SET STATEMENT. Anything else continues the value (`'a' 'b'`, `'a' COLLATE x`).
bool ends_assignment(const Probe& p) noexcept {
    const Token& t = p.cur;
    return !p.exhausted && (t.is(TokenKind::end) || t.is(TokenKind::semicolon) ||
                            t.is(TokenKind::comma) || word_of(t) == Word::kFor);
}

// The words after which a DDL statement names an object, so that in `a.b` right after one
// of them `a` is a schema: CREATE VIEW a.v, DROP PROCEDURE a.p, DROP INDEX i ON a.t,
// RENAME TABLE t TO a.t, ALTER TABLE t RENAME [TO | AS] a.t, CREATE TABLE t LIKE a.t,
// DROP VIEW IF EXISTS x, a.v. The classifier's table list holds none of these.
bool precedes_ddl_object(const Token& t) noexcept {
    static constexpr std::array<std::string_view, 17> kWords = {
        "VIEW",  "TABLE",   "TABLES", "INDEX", "ON", "TRIGGER", "PROCEDURE", "FUNCTION", "SEQUENCE",
        "EVENT", "PACKAGE", "BODY",   "TO",    "AS", "LIKE",    "EXISTS",    "RENAME",
    };
    if (t.is(TokenKind::comma)) return true;
    if (!t.is(TokenKind::identifier)) return false;
    return std::any_of(kWords.begin(), kWords.end(),
                       [&t](std::string_view w) { return iequals(t.text, w); });
}

// Where the body of a CREATE starts (AS SELECT ..., FOR EACH ROW ..., DO ...): from there on
// `a.b` is a column of a table or alias, as in any statement.
bool starts_ddl_body(const Token& t, Word w) noexcept {
    return w == Word::kSelect || w == Word::kFor || w == Word::kSet || w == Word::kValues ||
           w == Word::kWhere || iequals(t.text, "DO") || iequals(t.text, "BEGIN") ||
           iequals(t.text, "RETURN") || iequals(t.text, "RETURNS") || iequals(t.text, "WITH");
}

// Words after which a compound statement's body (BEGIN NOT ATOMIC ... END, IF ... THEN,
// LOOP ...) starts a statement: a SET there changes the session as a SET of its own does.
bool opens_statement_list(const Token& t) noexcept {
    static constexpr std::array<std::string_view, 7> kWords = {
        "ATOMIC", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT",
    };
    return t.is(TokenKind::identifier) &&
           std::any_of(kWords.begin(), kWords.end(),
                       [&t](std::string_view w) { return iequals(t.text, w); });
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
    void on_right_paren() noexcept;
    void on_dot() noexcept;
    void on_number(const Token& t) noexcept;
    void on_show_name(const Token& t, Word w) noexcept;
    void on_database_name(const Token& t, Word w) noexcept;
    void check_tautology(const Token& op) noexcept;
    void on_union_token(const Token& t) noexcept;
    void finish_union_item() noexcept;
    void finish_union_list() noexcept;
    void check_spelled_text(Word function, const Token& name) noexcept;
    void check_char_call(const Token& name) noexcept;
    void check_unhex_call(const Token& name) noexcept;
    void check_base64_call(const Token& name) noexcept;
    void check_conv_call(const Token& name) noexcept;
    void check_floor_call(const Token& name) noexcept;
    void check_assignment(const Token& first) noexcept;
    void check_sql_mode_value(const Token& target, Probe& p) noexcept;
    void check_charset_value(const Token& target, Probe& p, bool names) noexcept;
    void schema_reference(const Token& name) noexcept;

    bool in_condition() const noexcept {
        return clause_[static_cast<std::size_t>(std::min(depth_, kTrackedDepth - 1))] ==
               Clause::condition;
    }
    void set_clause(Clause c) noexcept {
        clause_[static_cast<std::size_t>(std::min(depth_, kTrackedDepth - 1))] = c;
    }
    // Inside the arguments of EXTRACTVALUE() or UPDATEXML().
    bool in_xml_call() const noexcept { return xml_call_depth_ >= 0 && depth_ > xml_call_depth_; }
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
    bool in_set_ = false;            // a SET statement's assignment list, at depth 0
    bool set_statement_ = false;     // SET STATEMENT ... FOR <statement>
    bool set_item_next_ = false;     // the next token starts an assignment
    bool in_show_ = false;           // a SHOW statement
    bool show_names_table_ = false;  // SHOW COLUMNS / INDEX: the first FROM names a table
    bool show_filter_ = false;       // past the LIKE or WHERE of a SHOW
    int show_targets_ = 0;           // names after FROM / IN in a SHOW
    // Where a SHOW is in naming its table: about to, just did (a dot would make that name
    // the schema), or after such a dot.
    enum class ShowTable : std::uint8_t { none, next_name, have_name, after_dot };
    ShowTable show_table_ = ShowTable::none;
    bool database_name_next_ = false;  // CREATE / DROP / ALTER DATABASE: its name may come
    bool ddl_names_ = false;           // CREATE / DROP / ALTER / RENAME, before any body
    int account_check_ = 0;  // tokens left in which CREATE/DROP ... may name USER/ROLE/SERVER
    bool in_select_list_ = false;
    bool select_list_known_ = false;  // a depth-0 SELECT list was counted
    bool select_star_ = false;
    long select_items_ = 0;
    int printable_char_calls_ = 0;
    bool in_order_list_ = false;  // a depth-0 ORDER BY or GROUP BY list
    int xml_call_depth_ = -1;     // the depth outside an EXTRACTVALUE / UPDATEXML call
    Token xml_call_;
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
//      condition, cut off (`-- AND owner_id = 42`, not `-- and that is all`); or
//   4. it is a trailing line comment in a condition and its body is a few characters of
//      filler, then a connective and a comparison (`id = 101 -- - AND customer_id = 2`).
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
    if (lead.kind == TokenKind::right_paren || lead.is_symbol("=") || (connective && compares) ||
        (line && in_condition() && hides_condition(trimmed))) {
        hit(result_.comment_truncation, text, "a trailing comment hides the rest of a condition");
    }
}

void Scanner::on_code(const Token& t) noexcept {
    if (union_.state != UnionList::State::idle) on_union_token(t);
    const Word w = word_of(t);
    const bool first_of_statement = (statement_start_ && !t.is(TokenKind::left_paren)) ||
                                    (w == Word::kSet && opens_statement_list(history_[0]));
    if (first_of_statement) {
        statement_start_ = false;
        in_set_ = set_item_next_ = w == Word::kSet;
        set_statement_ = false;
        in_show_ = w == Word::kShow;
        show_names_table_ = show_filter_ = false;
        show_targets_ = 0;
        show_table_ = ShowTable::none;
        ddl_names_ =
            w == Word::kCreate || w == Word::kDrop || w == Word::kAlter || w == Word::kRename;
    } else if (set_item_next_) {
        set_item_next_ = false;
        if (w == Word::kStatement && word_of(history_[0]) == Word::kSet) {
            set_statement_ = set_item_next_ = true;
        } else {
            check_assignment(t);
        }
    }
    if (database_name_next_ && !is_name(t)) database_name_next_ = false;
    if (show_table_ == ShowTable::have_name && !t.is(TokenKind::dot)) {
        show_table_ = ShowTable::none;
    }
    if (account_check_ > 0) --account_check_;
    switch (t.kind) {
        case TokenKind::semicolon:
            if (depth_ == 0) {
                statement_start_ = true;
                in_set_ = set_item_next_ = in_show_ = in_select_list_ = in_order_list_ = false;
                ddl_names_ = false;
                clause_.fill(Clause::other);
            }
            xml_call_depth_ = -1;
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
            on_right_paren();
            break;
        case TokenKind::comma:
            if (depth_ == 0 && in_select_list_) ++select_items_;
            if (depth_ == 0 && in_set_) set_item_next_ = true;
            break;
        case TokenKind::dot:
            on_dot();
            break;
        case TokenKind::number:
            on_number(t);
            break;
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
            if (in_condition() && literal_spells_text(t.text)) {
                hit(result_.encoded_payload, t.text,
                    t.is(TokenKind::hex_literal) ? "a hex literal spells text in a condition"
                                                 : "a bit literal spells text in a condition");
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
            if (in_xml_call()) {
                hit(result_.error_probe, span(xml_call_, t),
                    "an XML function made to fail on a server variable");
            }
            break;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier: {
            if (in_show_ && is_system_schema(unquoted(t))) {
                const Word before = word_of(history_[0]);
                if (before == Word::kFrom || before == Word::kIn) {
                    hit(result_.system_schema, t.text, "SHOW names a system schema");
                }
            }
            if (database_name_next_) on_database_name(t, w);
            if (in_show_ && depth_ == 0) on_show_name(t, w);
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
            // CREATE / DROP / ALTER DATABASE, and SHOW CREATE DATABASE: the name follows.
            database_name_next_ = w == Word::kDatabase;
            account_check_ = 0;
        }
    }
    if (in_set_ && depth_ == 0 && w == Word::kFor) {
        // SET STATEMENT ... FOR <statement>: what follows is a statement of its own.
        in_set_ = set_item_next_ = false;
        if (set_statement_) statement_start_ = true;
    }
    if (ddl_names_ && depth_ == 0 && starts_ddl_body(t, w)) ddl_names_ = false;
    if (in_xml_call() && (w == Word::kSelect || w == Word::kCurrentUser)) {
        hit(result_.error_probe, span(xml_call_, t),
            "an XML function made to fail on a subquery's result");
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
    const Word w = word_of(name);
    if (in_xml_call() && is_fingerprint_function(w)) {
        hit(result_.error_probe, span(xml_call_, t),
            "an XML function made to fail on a server fingerprint");
    }
    switch (w) {
        case Word::kSleep:
        case Word::kBenchmark:
        case Word::kPgSleep:
            hit(result_.time_delay, span(name, t), "a delay function");
            break;
        case Word::kChar:
        case Word::kUnhex:
        case Word::kFromBase64:
        case Word::kConv:
            // Text spelled from codes, digits or base64 stands in for a quoted literal; it
            // matters where a literal would be compared.
            if (in_condition()) check_spelled_text(w, name);
            break;
        case Word::kExtractValue:
        case Word::kUpdateXml:
            // An invalid XPath built from a subquery makes the error message carry its
            // result: EXTRACTVALUE(1, CONCAT(0x7e, (SELECT ...))).
            if (xml_call_depth_ < 0) {
                xml_call_depth_ = depth_;
                xml_call_ = name;
            }
            break;
        case Word::kExp: {
            // EXP(~(SELECT ...)): a DOUBLE overflow whose error message quotes the subquery.
            const Probe p(lexer_);
            if (p.cur.is_symbol("~")) {
                hit(result_.error_probe, span(name, p.cur), "EXP(~...) overflows on purpose");
            }
            break;
        }
        case Word::kFloor:
            check_floor_call(name);
            break;
        default:
            break;
    }
}

void Scanner::on_right_paren() noexcept {
    if (depth_ > 0) --depth_;
    if (xml_call_depth_ >= 0 && depth_ <= xml_call_depth_) xml_call_depth_ = -1;
}

// mysql.user, `information_schema`.tables: a qualifier that can only be a schema. `sys` is
// left to three-part names and tables, because `sys` is also a plausible table alias. In a
// SHOW, before its LIKE or WHERE, any qualifier is a schema (SHOW CREATE TABLE db.t), and so
// is one right after an object keyword of a DDL statement (DROP VIEW db.v).
void Scanner::on_dot() noexcept {
    const Token& q = history_[0];
    if (!is_name(q)) return;
    if (history_[1].is(TokenKind::dot)) {
        // a.b.c: `a` is a schema
        if (is_name(history_[2]) && !history_[3].is(TokenKind::dot)) schema_reference(history_[2]);
        return;
    }
    if (in_show_ && depth_ == 0 && !show_filter_) {
        if (show_table_ == ShowTable::have_name) {
            result_.shown_table.schema = result_.shown_table.name;
            result_.shown_table.name = {};
            show_table_ = ShowTable::after_dot;
        }
        schema_reference(q);
        return;
    }
    if (ddl_names_ && depth_ == 0 && precedes_ddl_object(history_[1])) {
        schema_reference(q);
        return;
    }
    const std::string_view name = unquoted(q);
    if (iequals(name, "mysql") || iequals(name, "information_schema") ||
        iequals(name, "performance_schema")) {
        hit(result_.system_schema, q.text, "a system schema is named");
    }
}

// SHOW TABLES | TABLE STATUS | OPEN TABLES | TRIGGERS | EVENTS {FROM | IN} db, and
// SHOW COLUMNS | INDEX {FROM | IN} t {FROM | IN} db: the classifier collects no table for a
// SHOW, so its schema is checked here. The first FROM of SHOW COLUMNS / INDEX names a table
// (db.t, whose schema on_dot sees), as does SHOW CREATE TABLE | VIEW; that table is reported
// for the table allow-list, as DESCRIBE's is.
void Scanner::on_show_name(const Token& t, Word w) noexcept {
    if (show_filter_) return;
    switch (show_table_) {
        case ShowTable::next_name:
            result_.shown_table = sql::TableName{{}, unquoted(t)};
            show_table_ = ShowTable::have_name;
            return;
        case ShowTable::after_dot:
            result_.shown_table.name = unquoted(t);
            show_table_ = ShowTable::none;
            return;
        default:
            break;
    }
    if (w == Word::kLike || w == Word::kWhere) {
        show_filter_ = true;
        return;
    }
    if ((w == Word::kColumns || w == Word::kIndex) && show_targets_ == 0) {
        show_names_table_ = true;
        return;
    }
    const Word before = word_of(history_[0]);
    if (before == Word::kCreate && (iequals(t.text, "TABLE") || iequals(t.text, "VIEW"))) {
        show_table_ = ShowTable::next_name;
        return;
    }
    if (before != Word::kFrom && before != Word::kIn) return;
    if (show_names_table_ && show_targets_++ == 0) {
        result_.shown_table = sql::TableName{{}, unquoted(t)};
        show_table_ = ShowTable::have_name;
        return;
    }
    if (!result_.shown_table.name.empty() && result_.shown_table.schema.empty()) {
        result_.shown_table.schema = unquoted(t);
    }
    schema_reference(t);
}

// CREATE / DROP / ALTER [OR REPLACE] DATABASE | SCHEMA [IF [NOT] EXISTS] db, and SHOW
// CREATE DATABASE db: a schema named without a dot, which no table list holds.
void Scanner::on_database_name(const Token& t, Word w) noexcept {
    if (w == Word::kIf || w == Word::kNot || w == Word::kExists) return;
    database_name_next_ = false;
    // ALTER DATABASE [DEFAULT] CHARACTER SET ... without a name alters the current schema.
    if (w == Word::kDefault || w == Word::kCharacter || w == Word::kCharset ||
        w == Word::kCollate || w == Word::kComment) {
        return;
    }
    schema_reference(t);
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
// OR 2>1, OR x=x, OR 1 LIKE 1, OR 'a' IS NOT NULL, OR 1 IN (1), OR 2-1=1, OR ~0,
// OR 'a' = BINARY 'a', OR EXISTS(SELECT 1), with any parentheses, NOT and comments around.
// Only in conditions (WHERE, ON, HAVING), where it widens what a statement touches.
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
    const Operand value = read_comparison(p, 0);
    if (p.exhausted || value.kind == OK::null || !ends_predicate(p.cur)) return;
    const std::optional<bool> truth = truthy(value);
    if (truth && *truth != negate) {
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
        (t.is(TokenKind::left_paren) && is_fingerprint_function(word_of(history_[0])))) {
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

void Scanner::check_spelled_text(Word function, const Token& name) noexcept {
    switch (function) {
        case Word::kChar:
            check_char_call(name);
            break;
        case Word::kUnhex:
            check_unhex_call(name);
            break;
        case Word::kFromBase64:
            check_base64_call(name);
            break;
        default:
            check_conv_call(name);
            break;
    }
}

// CHAR(97,100,109,...) or CHAR(0x61, 0x64, ...) spells a string without quotes. Two
// printable bytes in one call, or two calls with printable bytes in conditions, count;
// CHAR(13,10) and CHAR(0) do not. A code above 255 stands for several bytes.
void Scanner::check_char_call(const Token& name) noexcept {
    if (result_.encoded_payload.found) return;
    Probe p(lexer_);
    int printable = 0;
    const auto count = [&printable](unsigned byte) { printable += is_printable(byte) ? 1 : 0; };
    for (int i = 0; i < 1024; ++i) {
        if (p.cur.is(TokenKind::number)) {
            const double code = to_number(p.cur.text);
            if (code >= 0 && code < 4294967296.0) {
                auto value = static_cast<std::uint32_t>(code);
                for (int shift = 24; shift >= 0; shift -= 8) {
                    const unsigned byte = (value >> shift) & 0xffu;
                    if (byte != 0 || shift == 0) count(byte);
                }
            }
        } else if (p.cur.is(TokenKind::hex_literal) || p.cur.is(TokenKind::bit_literal)) {
            for_each_byte(literal_digits(p.cur.text), literal_radix_bits(p.cur.text), count);
        } else {
            break;
        }
        p.advance();
        if (!p.cur.is(TokenKind::comma)) break;
        p.advance();
    }
    if (printable > 0) ++printable_char_calls_;
    if (printable >= 2 || printable_char_calls_ >= 2) {
        hit(result_.encoded_payload, span(name, p.cur), "CHAR() codes spell text in a condition");
    }
}

// UNHEX('61646d696e'), or UNHEX(CONCAT('6164', '6d696e')) assembling the digits from
// constants, which no application does. UNHEX(REPLACE(?, '-', '')) for UUIDs is left alone.
void Scanner::check_unhex_call(const Token& name) noexcept {
    Probe p(lexer_);
    if (p.cur.is(TokenKind::string)) {
        if (digits_spell_text(string_content(p.cur.text), 4)) {
            hit(result_.encoded_payload, span(name, p.cur), "UNHEX() spells text in a condition");
        }
        return;
    }
    if (p.word() != Word::kConcat) return;
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return;
    p.advance();
    for (int i = 0; i < 256; ++i) {
        const TokenKind k = p.cur.kind;
        if (k != TokenKind::string && k != TokenKind::number && k != TokenKind::hex_literal) return;
        p.advance();
        if (p.cur.is(TokenKind::right_paren)) {
            hit(result_.encoded_payload, span(name, p.cur),
                "UNHEX() of constants pieced together in a condition");
            return;
        }
        if (!p.cur.is(TokenKind::comma)) return;
        p.advance();
    }
}

void Scanner::check_base64_call(const Token& name) noexcept {
    const Probe p(lexer_);
    if (p.cur.is(TokenKind::string) && base64_spells_text(string_content(p.cur.text))) {
        hit(result_.encoded_payload, span(name, p.cur), "FROM_BASE64() spells text in a condition");
    }
}

// CONV(n, from, to) of constants into a base above 10 spells letters: CONV(10, 10, 36)
// is 'A'. With a column or parameter it is arithmetic, and left alone.
void Scanner::check_conv_call(const Token& name) noexcept {
    Probe p(lexer_);
    double to_base = 0;
    for (int arg = 0; arg < 3; ++arg) {
        bool negative = false;
        if (p.cur.is_symbol("-")) {
            negative = true;
            p.advance();
        }
        const bool literal =
            p.cur.is(TokenKind::number) || (arg == 0 && !negative && p.cur.is(TokenKind::string));
        if (!literal) return;
        to_base = negative ? -to_number(p.cur.text) : to_number(p.cur.text);
        p.advance();
        if (!p.cur.is(arg < 2 ? TokenKind::comma : TokenKind::right_paren)) return;
        p.advance();
    }
    if (std::fabs(to_base) > 10) {
        hit(result_.encoded_payload, span(name, p.prev), "CONV() spells text in a condition");
    }
}

// FLOOR(RAND(0)*2) in a GROUP BY key: a seeded duplicate-key error ("Duplicate entry
// '<secret>1' for key") that carries whatever the key was concatenated with.
void Scanner::check_floor_call(const Token& name) noexcept {
    Probe p(lexer_);
    if (p.word() != Word::kRand) return;
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return;
    p.advance();
    if (!p.cur.is(TokenKind::number)) return;
    p.advance();
    if (!p.cur.is(TokenKind::right_paren)) return;
    p.advance();
    if (!p.cur.is_symbol("*")) return;
    p.advance();
    if (!p.cur.is(TokenKind::number) || to_number(p.cur.text) != 2) return;
    p.advance();
    if (p.cur.is(TokenKind::right_paren)) {
        hit(result_.error_probe, span(name, p.cur), "FLOOR(RAND(0)*2) forces a duplicate key");
    }
}

// One assignment of a SET list, from its first token: [scope] variable = value,
// NAMES ..., CHARACTER SET ..., CHARSET .... The variable may be spelled sql_mode,
// @@sql_mode, @@SESSION.SQL_MODE, SESSION `sql_mode`, @@'sql_mode' ...: every name-like token
// before the `=` is looked at. Changes to the lexing settings are an allow-list: one literal
// the firewall can read, naming nothing that changes lexing. Anything computed (CONCAT,
// REPLACE, variables, subqueries, 'a' 'b', numbers as bit masks or ids) is refused.
void Scanner::check_assignment(const Token& first) noexcept {
    if (result_.unsafe_session_setting.found) return;
    Probe p(lexer_, first);
    for (Word w = p.word();
         w == Word::kSession || w == Word::kLocal || w == Word::kGlobal || w == Word::kPersist;
         w = p.word()) {
        p.advance();
    }
    const Word w = p.word();
    if (w == Word::kNames) {
        p.advance();
        check_charset_value(first, p, true);
        return;
    }
    if (w == Word::kCharset || w == Word::kCharacter) {
        p.advance();
        if (w == Word::kCharacter) {
            if (p.word() != Word::kSet) return;
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
        hit(result_.unsafe_session_setting, span(first, p.cur),
            "a setting whose value cannot be checked");
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
void Scanner::check_sql_mode_value(const Token& target, Probe& p) noexcept {
    const char* reason = "an sql_mode that is not one string literal of mode names";
    bool ok = false;
    const auto literal = [&p, &reason]() {
        if (!p.cur.is(TokenKind::string)) return false;
        const Value v = classify_sql_modes(string_content(p.cur.text));
        if (v == Value::unsafe) reason = "an sql_mode that changes how statements are read";
        if (v != Value::safe) return false;
        p.advance();
        return true;
    };
    if (p.word() == Word::kDefault) {
        p.advance();
        ok = ends_assignment(p);
    } else if (p.word() == Word::kConcat) {
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
    if (!ok) hit(result_.unsafe_session_setting, span(target, p.cur), reason);
}

// NAMES x [COLLATE y], CHARACTER SET x, character_set_client = x ...: one name, quoted
// name or string (or DEFAULT) of a character set or collation from kSafeCharsets.
void Scanner::check_charset_value(const Token& target, Probe& p, bool names) noexcept {
    Value v = classify_charset_token(p.cur);
    p.advance();
    if (names && p.word() == Word::kCollate) {
        p.advance();
        v = std::max(v, classify_charset_token(p.cur));
        p.advance();
    }
    if (!ends_assignment(p)) v = Value::unreadable;
    if (v == Value::safe) return;
    hit(result_.unsafe_session_setting, span(target, p.prev),
        v == Value::unsafe ? "a client character set whose multibyte characters may hide quotes"
                           : "a character set that is not one plain name");
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
