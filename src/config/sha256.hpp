// SHA-256 of a text: the digest a configuration stores for an API token, and the digest of
// the configuration file itself that each role's status reports.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace sqlgate::config {

using Sha256Digest = std::array<unsigned char, 32>;

// All zero only when OpenSSL runs out of memory: a digest no text has, so it matches nothing.
Sha256Digest sha256(std::string_view text);
// Lower-case hex, as sha256sum prints it.
std::string sha256_hex(std::string_view text);

}  // namespace sqlgate::config
