#include "policy/scan_context.hpp"

#include <charconv>

namespace sqlgate::policy::detail {

Keyword word_of(const Token& token) noexcept {
    if (token.kind != TokenKind::identifier) return Keyword::kNone;
    const Keyword k = sql::keyword_in(token.text, sql::KeywordTrait::firewall);
    switch (k) {
        case Keyword::kRlike:
            return Keyword::kRegexp;
        case Keyword::kDistinctrow:
            return Keyword::kDistinct;
        case Keyword::kPersistOnly:
            return Keyword::kPersist;
        case Keyword::kFields:
            return Keyword::kColumns;
        case Keyword::kIndexes:
        case Keyword::kKeys:
            return Keyword::kIndex;
        case Keyword::kSchema:
            return Keyword::kDatabase;
        default:
            return k;
    }
}

bool is_fingerprint_function(Keyword w) noexcept {
    switch (w) {
        case Keyword::kVersion:
        case Keyword::kSystemUser:
        case Keyword::kSessionUser:
        case Keyword::kConnectionId:
        case Keyword::kUser:
        case Keyword::kDatabase:
            return true;
        default:
            return false;
    }
}

std::string_view string_content(std::string_view text) noexcept {
    if (!text.empty() && (text.front() == 'N' || text.front() == 'n')) text.remove_prefix(1);
    if (text.size() < 2) return {};
    return text.substr(1, text.size() - 2);
}

std::string_view span(const Token& first, const Token& last) noexcept {
    const char* begin = first.text.data();
    const char* end = last.text.data() + last.text.size();
    if (end <= begin) return first.text;
    return std::string_view(begin,
                            std::min<std::size_t>(static_cast<std::size_t>(end - begin), 80));
}

double to_number(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

bool starts_clause(Keyword w) noexcept {
    switch (w) {
        case Keyword::kFrom:
        case Keyword::kInto:
        case Keyword::kOrder:
        case Keyword::kGroup:
        case Keyword::kLimit:
        case Keyword::kWindow:
        case Keyword::kUnion:
        case Keyword::kSet:
        case Keyword::kValues:
        case Keyword::kValue:
        case Keyword::kUpdate:
        case Keyword::kJoin:
        case Keyword::kUsing:
            return true;
        default:
            return false;
    }
}

void Probe::advance() noexcept {
    prev = cur;
    if (budget == 0) {
        exhausted = true;
        cur = Token{TokenKind::end, std::string_view(prev.text.data() + prev.text.size(), 0)};
        return;
    }
    --budget;
    cur = lexer.next_code();
}

}  // namespace sqlgate::policy::detail
