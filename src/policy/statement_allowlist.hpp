// The learned statement allowlist: for each user, the statement shapes (unabridged
// sql::digest texts) the application was seen to send, and the plain-text file form of it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace sqlgate::policy {

class StatementAllowlist {
  public:
    bool contains(std::string_view user, std::string_view shape) const noexcept;
    // False when the user had the shape already.
    bool add(std::string_view user, std::string_view shape);
    // Entries over all users, and of one user.
    std::size_t size() const noexcept { return size_; }
    std::size_t size(std::string_view user) const noexcept;
    // The file form of the entries of `user` (of every user when empty): the header, then one
    // allowlist_line per entry, sorted by user and shape, so two exports diff cleanly.
    std::string to_text(std::string_view user = {}) const;
    // Adds every entry of `other` (of `user` only, when not empty); returns how many were new.
    std::size_t merge(const StatementAllowlist& other, std::string_view user = {});

  private:
    // Heterogeneous lookup: a string_view finds a std::string without a copy.
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Shapes = std::unordered_set<std::string, Hash, std::equal_to<>>;
    std::unordered_map<std::string, Shapes, Hash, std::equal_to<>> users_;
    std::size_t size_ = 0;
};

// One line of the file form, newline included: user, the shape's digest (sql::fnv1a64 as 16
// hex digits, as audit lines print it) and the shape, separated by tabs; a backslash, tab,
// CR or LF inside the user or the shape (a quoted name may hold them) written as \\ \t \r \n,
// and a user's leading '#' (which would make the line a comment) as \#.
std::string allowlist_line(std::string_view user, std::string_view shape);

struct ParsedAllowlist {
    StatementAllowlist list;
    std::string error;  // "line N: problem" for the first bad line; empty when all parsed
};

// Reads the file form. Blank lines and lines starting with '#' are skipped. The digest column
// must be the shape's own: a shape edited by hand without it is refused, not half-trusted.
ParsedAllowlist parse_allowlist(std::string_view text);

}  // namespace sqlgate::policy
