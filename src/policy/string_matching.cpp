#include "policy/string_matching.hpp"

#include <algorithm>
#include <cstddef>

#include "sql/lexer.hpp"

namespace sqlgate::policy::detail {

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

namespace {

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

}  // namespace

bool sounds_alike(std::string_view a, std::string_view b) noexcept {
    Soundex x(a);
    Soundex y(b);
    for (;;) {
        const char c = x.next();
        if (c != y.next()) return false;
        if (c == '\0') return true;
    }
}

}  // namespace sqlgate::policy::detail
