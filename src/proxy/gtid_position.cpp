#include "proxy/gtid_position.hpp"

#include <charconv>

namespace sqlgate::proxy {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& into) {
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, into);
    return !text.empty() && ec == std::errc{} && ptr == end;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<GtidPosition> GtidPosition::parse(std::string_view text) {
    GtidPosition position;
    text = trimmed(text);
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view gtid = trimmed(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::size_t first = gtid.find('-');
        const std::size_t second =
            first == std::string_view::npos ? first : gtid.find('-', first + 1);
        if (second == std::string_view::npos) return std::nullopt;
        std::uint32_t domain = 0;
        Last last;
        if (!parse_number(gtid.substr(0, first), domain) ||
            !parse_number(gtid.substr(first + 1, second - first - 1), last.server_id) ||
            !parse_number(gtid.substr(second + 1), last.sequence) ||
            !position.last_.emplace(domain, last).second) {
            return std::nullopt;
        }
    }
    return position;
}

bool GtidPosition::covers(const GtidPosition& other) const {
    for (const auto& [domain, theirs] : other.last_) {
        const auto mine = last_.find(domain);
        if (mine == last_.end() || mine->second.sequence < theirs.sequence) return false;
    }
    return true;
}

std::uint64_t GtidPosition::transactions_behind(const GtidPosition& ahead) const {
    std::uint64_t behind = 0;
    for (const auto& [domain, theirs] : ahead.last_) {
        const auto mine = last_.find(domain);
        const std::uint64_t have = mine == last_.end() ? 0 : mine->second.sequence;
        if (have < theirs.sequence) behind += theirs.sequence - have;
    }
    return behind;
}

std::uint64_t GtidPosition::total() const {
    std::uint64_t sum = 0;
    for (const auto& [domain, last] : last_)
        sum += last.sequence;
    return sum;
}

std::string GtidPosition::to_string() const {
    std::string out;
    for (const auto& [domain, last] : last_) {
        if (!out.empty()) out += ',';
        out += std::to_string(domain) + '-' + std::to_string(last.server_id) + '-' +
               std::to_string(last.sequence);
    }
    return out;
}

}  // namespace sqlgate::proxy
