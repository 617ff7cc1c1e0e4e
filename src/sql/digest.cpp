#include "sql/digest.hpp"

#include <algorithm>
#include <array>

#include "sql/keyword.hpp"

namespace sqlgate::sql {
namespace {

constexpr std::uint64_t kFnv1a64Prime = 1099511628211ull;

// Keywords are upper-cased: the classifier's words, which cover the statement verbs that are
// not reserved (BEGIN, COMMIT, TRUNCATE...), and MariaDB's reserved words, which can never be
// bare names. A classifier word used as a name (a column called `data`) is upper-cased too;
// the digest still groups such statements alike.
bool is_keyword(std::string_view word) noexcept {
    const KeywordTrait traits = traits_of(keyword_of(word));
    return has_all(traits, KeywordTrait::routing) || has_all(traits, KeywordTrait::reserved);
}

// Keywords that stand for a value: an operator after one of them is binary, not a sign.
bool is_value_keyword(std::string_view word) noexcept {
    return iequals(word, "NULL") || iequals(word, "TRUE") || iequals(word, "FALSE");
}

// Only complete literals count as list items: an error token runs to the end of input.
bool is_literal(TokenKind kind) noexcept {
    return kind == TokenKind::string || kind == TokenKind::number ||
           kind == TokenKind::hex_literal || kind == TokenKind::bit_literal ||
           kind == TokenKind::placeholder;
}

bool is_sign(const Token& t) noexcept {
    return t.is_symbol("-") || t.is_symbol("+");
}

// How many items a list of literals (`1, -2, 'x')`) holds, its `(` just read; 0 when the
// parentheses hold anything else. Consumes the list from `lexer`.
std::size_t literal_list(Lexer& lexer) noexcept {
    for (std::size_t items = 1;; ++items) {
        Token t = lexer.next_code();
        if (is_sign(t)) t = lexer.next_code();
        if (!is_literal(t.kind)) return 0;
        t = lexer.next_code();
        if (t.is(TokenKind::right_paren)) return items;
        if (!t.is(TokenKind::comma)) return 0;
    }
}

// What a piece of normalized text is, for spacing and for telling a sign from a minus.
enum class Piece : std::uint8_t {
    none,     // nothing written yet
    operand,  // a name, variable, literal or value keyword
    keyword,  // any other keyword
    op,       // an operator
    open,     // (
    close,    // )
    list,     // a collapsed list (...)
    comma,
    dot,
    semicolon,
};

// Cuts a text longer than `limit` (at least 3) to end in "...", at a character boundary.
void cut_text(StatementDigest& d, std::size_t limit) {
    if (d.text.size() <= limit) return;
    std::size_t cut = limit - 3;
    // Back off to the start of a UTF-8 character so the text stays valid.
    while (cut > 0 && (static_cast<unsigned char>(d.text[cut]) & 0xC0) == 0x80)
        --cut;
    d.text.resize(cut);
    d.text += "...";
    d.truncated = true;
}

class Writer {
  public:
    explicit Writer(std::size_t limit) : limit_(std::max<std::size_t>(limit, 3)) {}

    Piece previous() const noexcept { return previous_; }
    std::string_view previous_text() const noexcept { return previous_text_; }

    // Trailing semicolons are dropped, so `SELECT 1` and `SELECT 1;` share a digest.
    void defer_semicolon() noexcept { ++pending_semicolons_; }

    void put(Piece piece, std::string_view text, bool upper = false) {
        for (; pending_semicolons_ > 0; --pending_semicolons_)
            emit(Piece::semicolon, ";", false);
        emit(piece, text, upper);
    }

    StatementDigest finish() && {
        StatementDigest d{.text = std::move(text_), .hash = hash_};
        cut_text(d, limit_);
        return d;
    }

  private:
    void emit(Piece piece, std::string_view text, bool upper) {
        const bool tight = previous_ == Piece::none || previous_ == Piece::open ||
                           previous_ == Piece::dot || piece == Piece::close ||
                           piece == Piece::comma || piece == Piece::dot ||
                           piece == Piece::semicolon;
        if (!tight) append(" ");
        if (upper) {
            for (const char c : text) {
                const char u = ascii_upper(c);
                append(std::string_view(&u, 1));
            }
        } else {
            append(text);
        }
        previous_ = piece;
        previous_text_ = text;
    }

    // The text keeps one byte past the limit, enough for finish() to see it must cut; the
    // hash goes on over everything.
    void append(std::string_view s) {
        hash_ = fnv1a64(s, hash_);
        if (text_.size() <= limit_) text_.append(s.substr(0, limit_ + 1 - text_.size()));
    }

    std::size_t limit_;
    std::string text_;
    std::uint64_t hash_ = kFnv1a64Offset;
    Piece previous_ = Piece::none;
    std::string_view previous_text_;
    std::size_t pending_semicolons_ = 0;
};

// After IN or VALUES even a single literal is a list, so `IN (1)` groups with `IN (1, 2)`.
bool opens_value_list(const Writer& out) noexcept {
    return out.previous() == Piece::keyword &&
           (iequals(out.previous_text(), "IN") || iequals(out.previous_text(), "VALUES") ||
            iequals(out.previous_text(), "VALUE"));
}

// Reads the rows that follow a collapsed list (`, (3, 4), (5, 6)`), so multi-row inserts
// group whatever their row count.
void skip_more_rows(Lexer& lexer) noexcept {
    for (;;) {
        Lexer probe = lexer;
        if (!probe.next_code().is(TokenKind::comma) ||
            !probe.next_code().is(TokenKind::left_paren) || literal_list(probe) == 0) {
            return;
        }
        lexer = probe;
    }
}

}  // namespace

std::string StatementDigest::hash_hex() const {
    return hex64(hash);
}

StatementDigest abridged(const StatementDigest& whole, std::size_t max_text) {
    const std::size_t limit = std::max<std::size_t>(max_text, 3);
    if (whole.text.size() <= limit) return whole;
    // Copies only what stays: the whole text of a large statement may be megabytes.
    StatementDigest d{.text = whole.text.substr(0, limit + 1), .hash = whole.hash};
    cut_text(d, limit);
    return d;
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash) noexcept {
    for (const char c : bytes)
        hash = (hash ^ static_cast<unsigned char>(c)) * kFnv1a64Prime;
    return hash;
}

std::string hex64(std::uint64_t value) {
    std::string out(16, '0');
    for (std::size_t i = out.size(); i-- > 0; value >>= 4)
        out[i] = "0123456789abcdef"[value & 0xF];
    return out;
}

StatementDigest digest(std::string_view sql, LexerOptions options, std::size_t max_text) {
    Lexer lexer(sql, options);
    Writer out(max_text);
    for (Token t = lexer.next(); !t.is(TokenKind::end); t = lexer.next()) {
        switch (t.kind) {
            case TokenKind::comment:
                break;
            case TokenKind::semicolon:
                out.defer_semicolon();
                break;
            case TokenKind::identifier: {
                // After a dot a word is always a name (t.order), whatever it spells.
                const bool keyword = out.previous() != Piece::dot && is_keyword(t.text);
                const bool value = keyword && is_value_keyword(t.text);
                out.put(keyword && !value ? Piece::keyword : Piece::operand, t.text, keyword);
                break;
            }
            case TokenKind::quoted_identifier:
            case TokenKind::user_variable:
            case TokenKind::system_variable:
                out.put(Piece::operand, t.text);
                break;
            case TokenKind::symbol: {
                // A sign before a number is part of the literal: `a = -1` digests as `a = ?`.
                const Piece before = out.previous();
                if (is_sign(t) && before != Piece::operand && before != Piece::close &&
                    before != Piece::list) {
                    Lexer probe = lexer;
                    if (probe.next_code().is(TokenKind::number)) {
                        lexer = probe;
                        out.put(Piece::operand, "?");
                        break;
                    }
                }
                out.put(Piece::op, t.text);
                break;
            }
            case TokenKind::left_paren: {
                Lexer probe = lexer;
                const std::size_t items = literal_list(probe);
                if (items >= 2 || (items == 1 && opens_value_list(out))) {
                    lexer = probe;
                    skip_more_rows(lexer);
                    out.put(Piece::list, "(...)");
                } else {
                    out.put(Piece::open, "(");
                }
                break;
            }
            case TokenKind::right_paren:
                out.put(Piece::close, ")");
                break;
            case TokenKind::comma:
                out.put(Piece::comma, ",");
                break;
            case TokenKind::dot:
                out.put(Piece::dot, ".");
                break;
            default:
                // Literals, and error tokens and stray bytes too: as `?` an unterminated
                // string or a control character cannot garble the line the digest lands on.
                out.put(Piece::operand, "?");
                break;
        }
    }
    return std::move(out).finish();
}

}  // namespace sqlgate::sql
