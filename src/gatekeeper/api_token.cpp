#include "gatekeeper/api_token.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

namespace sqlgate::gatekeeper {
namespace {

using Digest = config::Sha256Digest;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Digest parse_digest(const ApiToken& token) {
    Digest digest{};
    const std::string& hex = token.sha256_hex;
    bool ok = hex.size() == 2 * digest.size();
    for (std::size_t i = 0; ok && i < digest.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        ok = high >= 0 && low >= 0;
        digest[i] = static_cast<unsigned char>(high * 16 + low);
    }
    if (!ok) {
        throw std::invalid_argument("API token of user '" + token.user +
                                    "': sha256 must be 64 hex digits");
    }
    return digest;
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
        const bool equal =
            CRYPTO_memcmp(entry.digest.data(), presented.data(), presented.size()) == 0;
        if (equal && match == nullptr) match = &entry;
    }
    if (match == nullptr) return std::nullopt;
    return match->user;
}

}  // namespace sqlgate::gatekeeper
