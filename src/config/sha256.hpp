// SHA-256 of a text: the digest a configuration stores for a token (HTTP API, admin
// listener) and its check, and the digest of the configuration file each role reports.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sqlgate::config {

using Sha256Digest = std::array<std::uint8_t, 32>;

// All zero only when OpenSSL runs out of memory: a digest no text has, so it matches nothing.
Sha256Digest sha256(std::string_view text);
// Lower-case hex, as sha256sum prints it.
std::string sha256_hex(std::string_view text);
// A digest written as 64 hex digits (either case); nullopt for anything else.
std::optional<Sha256Digest> parse_sha256_hex(std::string_view hex);
// Compared in constant time: how long the check of a presented token takes does not tell
// how close it came.
bool digests_equal(const Sha256Digest& a, const Sha256Digest& b);

}  // namespace sqlgate::config
