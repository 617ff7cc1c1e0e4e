// `sqlgate firewall import`: statement shapes from allowlist files (an export, a colleague's
// review) and from audit logs (what users ran) merged into an allowlist file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "policy/statement_allowlist.hpp"

namespace sqlgate::front {

struct ImportTally {
    std::size_t added = 0;        // shapes the list did not have
    std::size_t refused = 0;      // audit lines of refused statements: never imported
    std::size_t abridged = 0;     // audit lines whose statement was cut to the line's limit
    std::size_t other_users = 0;  // entries of users the import was not asked for
};

// Adds what `text` holds to `into`: the allowlist file form, or an audit log (JSON lines), of
// which only allowed statements count, and only those the line holds whole (a cut one is no
// shape: its digest, of the whole statement, differs from its text's). `user` empty: every
// user. Returns "line N: problem" for the first line it cannot read, else "".
std::string import_allowlist_entries(std::string_view text, std::string_view user,
                                     policy::StatementAllowlist& into, ImportTally& tally);

// Writes the file form of `list` to `file` through a temporary file renamed over it (mode
// 0600), so a running role reloading meanwhile never reads half a file. Throws on failure.
void write_allowlist_file(const std::filesystem::path& file,
                          const policy::StatementAllowlist& list);

struct FirewallImport {
    std::filesystem::path into;                  // read if it exists, then written
    std::vector<std::filesystem::path> sources;  // allowlist files or audit logs
    std::string user;                            // empty: every user
};

// The whole command: 0 when written, 1 (with the reason on `err`) when a file cannot be read
// or written, or a line cannot be parsed (then `into` is left as it was).
int run_firewall_import(const FirewallImport& import, std::ostream& out, std::ostream& err);

}  // namespace sqlgate::front
