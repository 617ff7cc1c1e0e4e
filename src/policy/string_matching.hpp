// How the server compares constant strings under its default collations: ordering with case
// folding and PAD SPACE, LIKE patterns and SOUNDS LIKE. Pure functions; never allocate.
#pragma once

#include <string_view>

namespace sqlgate::policy::detail {

inline std::string_view trim_trailing_spaces(std::string_view s) noexcept {
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// Three-way comparison of strings: `fold` compares case-insensitively, `pad` ignores
// trailing spaces (PAD SPACE), as the default collations do.
int compare_text(std::string_view a, std::string_view b, bool fold, bool pad) noexcept;

// LIKE with % and _, case-insensitive as the default collations compare.
bool like_match(std::string_view value, std::string_view pattern) noexcept;

// SOUNDS LIKE: whether MySQL's SOUNDEX of both texts is the same.
bool sounds_alike(std::string_view a, std::string_view b) noexcept;

}  // namespace sqlgate::policy::detail
