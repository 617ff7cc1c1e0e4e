#include "sql/classifier.hpp"

// find_route_hint, declared with describe() in classifier.hpp: the classifier calls it on
// every comment it steps over.
namespace sqlgate::sql {
namespace {

constexpr bool is_hint_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == ':' || c == '.' || c == '-';
}

}  // namespace

std::string_view find_route_hint(std::string_view comment) noexcept {
    constexpr std::string_view kKey = "sqlgate:route";
    const auto skip_blanks = [&](std::size_t i) {
        while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t'))
            ++i;
        return i;
    };
    for (std::size_t i = 0; i + kKey.size() <= comment.size(); ++i) {
        if (!iequals(comment.substr(i, kKey.size()), kKey)) continue;
        std::size_t j = skip_blanks(i + kKey.size());
        if (j >= comment.size() || comment[j] != '=') continue;
        j = skip_blanks(j + 1);
        const std::size_t start = j;
        while (j < comment.size() && is_hint_name_char(comment[j]))
            ++j;
        if (j > start) return comment.substr(start, j - start);
    }
    return {};
}

}  // namespace sqlgate::sql
