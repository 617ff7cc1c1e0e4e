// The statement allowlist a front enforces and, for users in learn mode, extends: read from
// its file at start-up and on reload, each newly learned shape appended to the file at once.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/front_config.hpp"
#include "front/append_only_file.hpp"
#include "policy/statement_allowlist.hpp"

namespace sqlgate::front {

// A user learning from traffic that is not the application's (a scanner, a mistake) must not
// grow the list, and the file, without end.
inline constexpr std::size_t kMaxShapesPerUser = 10'000;

class LearnedAllowlist {
  public:
    enum class Learned { known, added, full };

    // Reads `file` and notes each user's firewall mode. A missing file is an empty list unless
    // a user detects or protects (a learning user's first shape creates it). Throws
    // std::runtime_error naming the file and the line (start-up and reload report it and
    // change nothing).
    LearnedAllowlist(std::filesystem::path file, const std::vector<config::FrontUser>& users);

    // The user's mode as the configuration in force says, so that a reload switching a user
    // from learn to protect applies to the sessions its pools keep open, not only to new ones
    // (which would leave a pooled application unprotected for hours). A user the reload
    // removed keeps the mode it logged in with.
    policy::FirewallMode mode_of(const config::FrontUser& user) const noexcept;

    bool contains(std::string_view user, std::string_view shape) const noexcept {
        return list_.contains(user, shape);
    }
    // Adds the shape and appends its line to the file (a line that cannot be written is
    // logged; the shape is still learned for this run).
    Learned learn(std::string_view user, std::string_view shape);
    const policy::StatementAllowlist& list() const noexcept { return list_; }
    const std::filesystem::path& file() const noexcept { return file_; }

  private:
    std::filesystem::path file_;
    std::unordered_map<std::string, policy::FirewallMode> modes_;
    policy::StatementAllowlist list_;
    std::optional<AppendOnlyFile> writer_;           // opened with the first learned shape
    std::set<std::string, std::less<>> full_users_;  // warned once each
};

// Reads an allowlist file; throws std::runtime_error "FILE: line N: problem".
policy::StatementAllowlist read_allowlist_file(const std::filesystem::path& file);

}  // namespace sqlgate::front
