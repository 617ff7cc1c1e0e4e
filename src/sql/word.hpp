// A code token of the classifier's pass with its keyword looked up once: the routing
// keyword (kNone for others) and the traits of any word of the keyword table.
#pragma once

#include "sql/keyword.hpp"
#include "sql/lexer.hpp"

namespace sqlgate::sql {

struct Word {
    Token token;
    Keyword keyword = Keyword::kNone;          // routing words only
    KeywordTrait traits = KeywordTrait::none;  // of any word of the table

    bool is(Keyword k) const noexcept { return keyword == k; }
    bool is(TokenKind k) const noexcept { return token.kind == k; }
    bool has(KeywordTrait t) const noexcept { return has_all(traits, t); }
};

inline Word make_word(const Token& token) noexcept {
    // Quoted names are never keywords: `for update` is a column, not a locking clause.
    if (token.kind != TokenKind::identifier) return Word{token};
    const Keyword keyword = keyword_of(token.text);
    const KeywordTrait traits = traits_of(keyword);
    return Word{token, has_all(traits, KeywordTrait::routing) ? keyword : Keyword::kNone, traits};
}

}  // namespace sqlgate::sql
