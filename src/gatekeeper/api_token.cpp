#include "gatekeeper/api_token.hpp"

#include <stdexcept>

namespace sqlgate::gatekeeper {
namespace {

using Digest = config::Sha256Digest;

Digest parse_digest(const ApiToken& token) {
    const auto digest = config::parse_sha256_hex(token.sha256_hex);
    if (!digest) {
        throw std::invalid_argument("API token of user '" + token.user +
                                    "': sha256 must be 64 hex digits");
    }
    return *digest;
}

}  // namespace

TokenStore::TokenStore(const std::vector<ApiToken>& tokens) {
    entries_.reserve(tokens.size());
    for (const ApiToken& token : tokens) {
        entries_.push_back({token.user, parse_digest(token)});
    }
}

std::optional<std::string> TokenStore::authenticate(std::string_view token) const {
    if (token.empty()) return std::nullopt;
    const Digest presented = config::sha256(token);
    const Entry* match = nullptr;
    for (const Entry& entry : entries_) {
        const bool equal = config::digests_equal(entry.digest, presented);
        if (equal && match == nullptr) match = &entry;
    }
    if (match == nullptr) return std::nullopt;
    return match->user;
}

}  // namespace sqlgate::gatekeeper
