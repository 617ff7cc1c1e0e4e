#include "sql/keyword.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "sql/lexer.hpp"

namespace sqlgate::sql {
namespace {

struct Entry {
    std::string_view spelling;
    Keyword keyword = Keyword::kNone;
    KeywordTrait traits = KeywordTrait::none;
};

using enum KeywordTrait;

// Index i holds the keyword whose enum value is i + 1 (kNone has no entry).
constexpr std::array kEntries = {
#define SQLGATE_SQL_KEYWORD_ENTRY(id, spelling, traits) Entry{spelling, Keyword::id, traits},
    SQLGATE_SQL_KEYWORDS(SQLGATE_SQL_KEYWORD_ENTRY)
#undef SQLGATE_SQL_KEYWORD_ENTRY
};

constexpr bool unique_and_upper_case() {
    for (std::size_t i = 0; i < kEntries.size(); ++i) {
        for (std::size_t j = i + 1; j < kEntries.size(); ++j) {
            if (kEntries[i].spelling == kEntries[j].spelling) return false;
        }
        for (const char c : kEntries[i].spelling) {
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

// Lookup runs for every bare word of every statement, so it is an open-addressing hash
// table built at compile time: one FNV-1a pass (fused with upper-casing) and usually a
// single comparison, instead of a binary search's many.
constexpr std::uint32_t kFnvOffset = 2166136261u;
constexpr std::uint32_t kFnvPrime = 16777619u;
constexpr std::size_t kSlotCount = 2048;  // a power of two, under half full
static_assert(kEntries.size() * 2 < kSlotCount);

constexpr std::uint32_t hash_step(std::uint32_t hash, char upper) noexcept {
    return (hash ^ static_cast<unsigned char>(upper)) * kFnvPrime;
}

constexpr std::uint32_t hash_of(std::string_view upper) noexcept {
    std::uint32_t hash = kFnvOffset;
    for (const char c : upper)
        hash = hash_step(hash, c);
    return hash;
}

// Each slot holds an index into kEntries plus one; zero marks an empty slot.
constexpr auto kSlots = [] {
    std::array<std::uint16_t, kSlotCount> slots{};
    for (std::size_t i = 0; i < kEntries.size(); ++i) {
        std::size_t slot = hash_of(kEntries[i].spelling) & (kSlotCount - 1);
        while (slots[slot] != 0)
            slot = (slot + 1) & (kSlotCount - 1);
        slots[slot] = static_cast<std::uint16_t>(i + 1);
    }
    return slots;
}();
static_assert(kEntries.size() < 65535, "slot indexes are 16 bits");

const Entry* entry_of(Keyword keyword) noexcept {
    const auto index = static_cast<std::size_t>(keyword);
    return index == 0 || index > kEntries.size() ? nullptr : &kEntries[index - 1];
}

}  // namespace

Keyword keyword_of(std::string_view word) noexcept {
    if (word.empty() || word.size() > kLongest) return Keyword::kNone;
    std::array<char, kLongest> upper;
    std::uint32_t hash = kFnvOffset;
    for (std::size_t i = 0; i < word.size(); ++i) {
        upper[i] = ascii_upper(word[i]);
        hash = hash_step(hash, upper[i]);
    }
    const std::string_view key(upper.data(), word.size());
    for (std::size_t slot = hash & (kSlotCount - 1); kSlots[slot] != 0;
         slot = (slot + 1) & (kSlotCount - 1)) {
        const Entry& e = kEntries[kSlots[slot] - 1];
        if (e.spelling == key) return e.keyword;
    }
    return Keyword::kNone;
}

std::string_view keyword_text(Keyword keyword) noexcept {
    const Entry* e = entry_of(keyword);
    return e == nullptr ? std::string_view{} : e->spelling;
}

Keyword keyword_in(std::string_view word, KeywordTrait trait) noexcept {
    const Keyword keyword = keyword_of(word);
    return has_all(traits_of(keyword), trait) ? keyword : Keyword::kNone;
}

KeywordTrait traits_of(Keyword keyword) noexcept {
    const Entry* e = entry_of(keyword);
    return e == nullptr ? KeywordTrait::none : e->traits;
}

bool is_primary_only_function(Keyword keyword) noexcept {
    return keyword != Keyword::kNone && has_all(traits_of(keyword), KeywordTrait::primary_only);
}

}  // namespace sqlgate::sql
