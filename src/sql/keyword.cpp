#include "sql/keyword.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

#include "sql/lexer.hpp"

namespace sqlgate::sql {
namespace {

struct Entry {
    std::string_view spelling;
    Keyword keyword = Keyword::kNone;
    bool primary_only_function = false;
};

// Index i holds the keyword whose enum value is i + 1 (kNone has no entry).
constexpr std::array kEntries = {
#define SQLGATE_SQL_KEYWORD_ENTRY(id, spelling, primary) Entry{spelling, Keyword::id, primary},
    SQLGATE_SQL_KEYWORDS(SQLGATE_SQL_KEYWORD_ENTRY)
#undef SQLGATE_SQL_KEYWORD_ENTRY
};

constexpr auto kSorted = [] {
    auto sorted = kEntries;
    std::sort(sorted.begin(), sorted.end(),
              [](const Entry& a, const Entry& b) { return a.spelling < b.spelling; });
    return sorted;
}();

constexpr bool unique_and_upper_case() {
    for (std::size_t i = 0; i < kSorted.size(); ++i) {
        if (i > 0 && kSorted[i - 1].spelling == kSorted[i].spelling) return false;
        for (const char c : kSorted[i].spelling) {
            if (c != ascii_upper(c)) return false;
        }
    }
    return true;
}
static_assert(unique_and_upper_case(), "keyword spellings must be unique and upper case");

constexpr std::size_t kLongest = [] {
    std::size_t longest = 0;
    for (const Entry& e : kEntries)
        longest = std::max(longest, e.spelling.size());
    return longest;
}();

const Entry* entry_of(Keyword keyword) noexcept {
    const auto index = static_cast<std::size_t>(keyword);
    return index == 0 || index > kEntries.size() ? nullptr : &kEntries[index - 1];
}

}  // namespace

Keyword keyword_of(std::string_view word) noexcept {
    if (word.empty() || word.size() > kLongest) return Keyword::kNone;
    // Upper-casing into a stack buffer keeps the search a plain byte comparison.
    std::array<char, kLongest> buffer{};
    std::transform(word.begin(), word.end(), buffer.begin(), ascii_upper);
    const std::string_view upper(buffer.data(), word.size());
    const auto* it =
        std::lower_bound(kSorted.begin(), kSorted.end(), upper,
                         [](const Entry& e, std::string_view key) { return e.spelling < key; });
    return it != kSorted.end() && it->spelling == upper ? it->keyword : Keyword::kNone;
}

std::string_view keyword_text(Keyword keyword) noexcept {
    const Entry* e = entry_of(keyword);
    return e == nullptr ? std::string_view{} : e->spelling;
}

bool is_primary_only_function(Keyword keyword) noexcept {
    const Entry* e = entry_of(keyword);
    return e != nullptr && e->primary_only_function;
}

}  // namespace sqlgate::sql
