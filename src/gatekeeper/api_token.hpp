// Bearer tokens of the HTTP API: stored only as SHA-256 digests, and checked in constant time
// so that neither the stored list nor the time a check takes gives a token away.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/sha256.hpp"

namespace sqlgate::gatekeeper {

struct ApiToken {
    std::string user;
    std::string sha256_hex;  // of the token's text; 64 hex digits, either case
};

// What an operator stores for a new token: the lower-case hex SHA-256 of its text.
using config::sha256_hex;

class TokenStore {
  public:
    // Throws std::invalid_argument when a digest is not 64 hex digits (start-up only).
    explicit TokenStore(const std::vector<ApiToken>& tokens);

    // The user a presented token belongs to. Every stored digest is compared, whichever
    // matches, so the time taken does not tell how close a guess came.
    std::optional<std::string> authenticate(std::string_view token) const;

    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::string user;
        std::array<unsigned char, 32> digest;
    };
    std::vector<Entry> entries_;
};

}  // namespace sqlgate::gatekeeper
