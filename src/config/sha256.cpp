#include "config/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "mysql/auth.hpp"

namespace sqlgate::config {

Sha256Digest sha256(std::string_view text) {
    Sha256Digest digest{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
        digest.fill(0);
    }
    return digest;
}

std::string sha256_hex(std::string_view text) {
    static constexpr std::string_view kHexDigits = "0123456789abcdef";
    const Sha256Digest digest = sha256(text);
    std::string hex;
    hex.reserve(2 * digest.size());
    for (const unsigned char byte : digest) {
        hex += kHexDigits[byte >> 4];
        hex += kHexDigits[byte & 0x0f];
    }
    return hex;
}

std::optional<Sha256Digest> parse_sha256_hex(std::string_view hex) {
    Sha256Digest digest{};
    if (!mysql::decode_hex(hex, digest)) return std::nullopt;
    return digest;
}

bool digests_equal(const Sha256Digest& a, const Sha256Digest& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sqlgate::config
