#include "policy/union_probe.hpp"

#include <charconv>

namespace sqlgate::policy::detail {
namespace {

constexpr long kOrderByProbeLimit = 32;  // positional ORDER BY beyond this is a probe

}  // namespace

void UnionProbe::on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (list_.state != UnionList::State::idle) on_list_token(at, t, w);
    const bool top = at.depth == 0;
    switch (t.kind) {
        case TokenKind::semicolon:
            if (top) in_select_list_ = in_order_list_ = false;
            break;
        case TokenKind::comma:
            if (top && in_select_list_) ++select_items_;
            break;
        case TokenKind::number:
            on_number(at, t);
            break;
        case TokenKind::symbol:
            if (t.text == "*" && top && in_select_list_ &&
                (word_of(at.history[0]) == Keyword::kSelect || at.history[0].is(TokenKind::comma) ||
                 at.history[0].is(TokenKind::dot))) {
                select_star_ = true;
            }
            break;
        case TokenKind::identifier:
            on_word(at, t, w);
            break;
        default:
            break;
    }
}

void UnionProbe::on_word(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    const bool top = at.depth == 0;
    if (w == Keyword::kSelect && top) {
        in_select_list_ = true;
        select_list_known_ = true;
        select_star_ = false;
        select_items_ = 1;
    } else if (starts_clause(w)) {
        if (top) in_order_list_ = in_select_list_ = false;
        if (w == Keyword::kUnion) {
            in_select_list_ = false;
            list_.state = UnionList::State::awaiting_select;
            list_.start = t;
        }
    } else if (w == Keyword::kBy && top) {
        const Keyword clause = word_of(at.history[0]);
        in_order_list_ = clause == Keyword::kOrder || clause == Keyword::kGroup;
    }
}

// ORDER BY n / GROUP BY n with n past the select list: the column-count probe that
// precedes a UNION injection (ORDER BY 1, 2, 3 ... until the server errs).
void UnionProbe::on_number(const ScanCursor& at, const Token& t) noexcept {
    if (at.depth != 0 || !in_order_list_) return;
    if (word_of(at.history[0]) != Keyword::kBy && !at.history[0].is(TokenKind::comma)) return;
    Lexer rest = at.lexer;
    const Token after = rest.next_code();
    const Keyword w = word_of(after);
    const bool alone = after.is(TokenKind::end) || after.is(TokenKind::semicolon) ||
                       after.is(TokenKind::comma) || w == Keyword::kAsc || w == Keyword::kDesc ||
                       w == Keyword::kLimit;
    if (!alone) return;
    long position = 0;
    const auto [ptr, ec] =
        std::from_chars(t.text.data(), t.text.data() + t.text.size(), position, 10);
    if (ec != std::errc{} || ptr != t.text.data() + t.text.size()) return;
    const bool counted = select_list_known_ && !select_star_;
    if ((counted && position > select_items_) || position > kOrderByProbeLimit) {
        note(found_, t.text, "ORDER BY a column position past the select list");
    }
}

// UNION [ALL|DISTINCT] SELECT whose list asks what an attacker asks: all NULL (finding the
// column count), 1, 2, 3 ... (finding which column is shown), or server fingerprints
// (@@version, VERSION(), USER(), DATABASE() ...). A UNION adding a real row, such as
// UNION ALL SELECT 0, 'none', passes. Followed within the main pass rather than by
// lookahead, so that nested UNIONs cost nothing extra; a UNION inside the list of another
// abandons the outer list, which then holds a subquery and is no probe anyway.
void UnionProbe::on_list_token(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    UnionList& u = list_;
    if (u.state == UnionList::State::awaiting_select) {
        if (w == Keyword::kAll || w == Keyword::kDistinct || t.is(TokenKind::left_paren)) return;
        if (w != Keyword::kSelect) {
            u.state = UnionList::State::idle;
            return;
        }
        u.state = UnionList::State::in_list;
        u.depth = at.depth;
        u.items = 0;
        u.all_null = true;
        u.sequence = true;
        u.item_tokens = 0;
        u.in_alias = false;
        u.after_select = true;
        return;
    }
    if (u.state != UnionList::State::in_list) return;
    if (u.after_select && (w == Keyword::kAll || w == Keyword::kDistinct)) return;
    u.after_select = false;
    if (t.is(TokenKind::system_variable) || w == Keyword::kCurrentUser ||
        (t.is(TokenKind::left_paren) && is_fingerprint_function(word_of(at.history[0])))) {
        note(found_, span(u.start, t), "UNION SELECT of server fingerprints");
    }
    if (at.depth == u.depth) {
        if (t.is(TokenKind::comma)) {
            finish_item();
            return;
        }
        const bool ends = t.is(TokenKind::right_paren) || t.is(TokenKind::semicolon) ||
                          w == Keyword::kFrom || w == Keyword::kInto || w == Keyword::kWhere ||
                          w == Keyword::kUnion || w == Keyword::kOrder || w == Keyword::kGroup ||
                          w == Keyword::kHaving || w == Keyword::kLimit || w == Keyword::kFor ||
                          w == Keyword::kWindow || w == Keyword::kLock;
        if (ends) {
            finish();
            return;
        }
        if (w == Keyword::kAs) {
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

void UnionProbe::finish_item() noexcept {
    UnionList& u = list_;
    ++u.items;
    const bool single = u.item_tokens == 1;
    u.all_null = u.all_null && single && word_of(u.single) == Keyword::kNull;
    u.sequence = u.sequence && single && u.single.is(TokenKind::number) &&
                 to_number(u.single.text) == static_cast<double>(u.items);
    u.item_tokens = 0;
    u.in_alias = false;
}

void UnionProbe::finish() noexcept {
    UnionList& u = list_;
    if (u.state != UnionList::State::in_list) {
        u.state = UnionList::State::idle;
        return;
    }
    u.state = UnionList::State::idle;
    if (u.item_tokens > 0 || u.in_alias) finish_item();
    if (u.items >= 1 && u.all_null) {
        note(found_, span(u.start, u.last), "UNION SELECT of NULLs probes the column count");
    } else if (u.items >= 2 && u.sequence) {
        note(found_, span(u.start, u.last), "UNION SELECT 1, 2, ... probes the shown columns");
    }
}

}  // namespace sqlgate::policy::detail
