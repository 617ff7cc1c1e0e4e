#include "policy/statement_allowlist.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "sql/digest.hpp"

namespace sqlgate::policy {
namespace {

constexpr std::string_view kHeader =
    "# sqlgate statement allowlist: <user> TAB <digest> TAB <statement shape>, one per line.\n"
    "# A shape is the statement with literals as ?, lists as (...) and comments dropped; users\n"
    "# whose firewall is \"protect\" may run only the shapes listed here for them. Delete a\n"
    "# line to forbid its shape; reload the role (SIGHUP) to apply an edit.\n";

void append_escaped(std::string& out, std::string_view text) {
    for (const char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
}

// False on a backslash that starts no escape append_escaped writes.
bool unescape(std::string_view text, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (++i == text.size()) return false;
        switch (text[i]) {
            case '\\':
                out += '\\';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'n':
                out += '\n';
                break;
            case '#':
                out += '#';
                break;
            default:
                return false;
        }
    }
    return true;
}

}  // namespace

bool StatementAllowlist::contains(std::string_view user, std::string_view shape) const noexcept {
    const auto it = users_.find(user);
    return it != users_.end() && it->second.find(shape) != it->second.end();
}

bool StatementAllowlist::add(std::string_view user, std::string_view shape) {
    auto it = users_.find(user);
    if (it == users_.end()) it = users_.emplace(std::string(user), Shapes{}).first;
    const bool added = it->second.emplace(shape).second;
    if (added) ++size_;
    return added;
}

std::size_t StatementAllowlist::size(std::string_view user) const noexcept {
    const auto it = users_.find(user);
    return it == users_.end() ? 0 : it->second.size();
}

std::string StatementAllowlist::to_text(std::string_view user) const {
    std::vector<std::pair<std::string_view, std::string_view>> entries;
    for (const auto& [name, shapes] : users_) {
        if (!user.empty() && name != user) continue;
        for (const std::string& shape : shapes)
            entries.emplace_back(name, shape);
    }
    std::sort(entries.begin(), entries.end());
    std::string out(kHeader);
    for (const auto& [name, shape] : entries)
        out += allowlist_line(name, shape);
    return out;
}

std::size_t StatementAllowlist::merge(const StatementAllowlist& other, std::string_view user) {
    std::size_t added = 0;
    for (const auto& [name, shapes] : other.users_) {
        if (!user.empty() && name != user) continue;
        for (const std::string& shape : shapes)
            added += add(name, shape) ? 1 : 0;
    }
    return added;
}

std::string allowlist_line(std::string_view user, std::string_view shape) {
    std::string line;
    line.reserve(user.size() + shape.size() + 20);
    // A line starting with '#' is a comment: such a user would vanish from the file.
    if (user.starts_with('#')) {
        line += "\\#";
        user.remove_prefix(1);
    }
    append_escaped(line, user);
    line += '\t';
    line += sql::hex64(sql::fnv1a64(shape));
    line += '\t';
    append_escaped(line, shape);
    line += '\n';
    return line;
}

ParsedAllowlist parse_allowlist(std::string_view text) {
    ParsedAllowlist parsed;
    std::size_t number = 0;
    std::string user;
    std::string shape;
    auto fail = [&](std::string_view problem) {
        parsed.error = "line " + std::to_string(number) + ": " + std::string(problem);
        return std::move(parsed);
    };
    while (!text.empty()) {
        ++number;
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t tab1 = line.find('\t');
        const std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
        if (tab2 == std::string_view::npos) {
            return fail("expected <user> TAB <digest> TAB <statement shape>");
        }
        if (!unescape(line.substr(0, tab1), user) || user.empty()) {
            return fail("the user is empty or holds a stray backslash");
        }
        if (!unescape(line.substr(tab2 + 1), shape) || shape.empty()) {
            return fail("the statement shape is empty or holds a stray backslash");
        }
        const std::string_view digest = line.substr(tab1 + 1, tab2 - tab1 - 1);
        const std::string expected = sql::hex64(sql::fnv1a64(shape));
        if (digest != expected) {
            return fail("digest " + std::string(digest) + " is not the shape's (" + expected +
                        "): was the shape edited? Copy both from an audit line or an export");
        }
        parsed.list.add(user, shape);
    }
    return parsed;
}

}  // namespace sqlgate::policy
