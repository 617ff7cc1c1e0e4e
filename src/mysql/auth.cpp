#include "mysql/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace sqlgate::mysql {
namespace {

Sha1Digest sha1(std::string_view a, std::string_view b = {}) {
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                      &EVP_MD_CTX_free);
    Sha1Digest d{};
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), d.data(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL SHA1 failed");
    }
    return d;
}

std::string_view view(const Sha1Digest& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string make_scramble() {
    std::array<unsigned char, kScrambleSize> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    }
    std::string s(kScrambleSize, ' ');
    for (std::size_t i = 0; i < kScrambleSize; ++i)
        s[i] = static_cast<char>(33 + random[i] % 94);
    return s;
}

std::string native_password_token(std::string_view password, std::string_view scramble) {
    if (password.empty()) return {};
    const Sha1Digest stage1 = sha1(password);
    const Sha1Digest stage2 = sha1(view(stage1));
    const Sha1Digest mask = sha1(scramble.substr(0, kScrambleSize), view(stage2));
    std::string token(stage1.size(), '\0');
    for (std::size_t i = 0; i < stage1.size(); ++i) {
        token[i] = static_cast<char>(stage1[i] ^ mask[i]);
    }
    return token;
}

std::string native_password_hash(std::string_view password) {
    static constexpr char digits[] = "0123456789ABCDEF";
    const Sha1Digest stage2 = sha1(view(sha1(password)));
    std::string out = "*";
    for (std::uint8_t b : stage2) {
        out += digits[b >> 4];
        out += digits[b & 0x0f];
    }
    return out;
}

std::optional<Sha1Digest> parse_native_password_hash(std::string_view text) {
    Sha1Digest d{};
    if (text.empty() || text[0] != '*' || !decode_hex(text.substr(1), d)) return std::nullopt;
    return d;
}

bool decode_hex(std::string_view hex, std::span<std::uint8_t> out) {
    if (hex.size() != 2 * out.size()) return false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

bool verify_native_password(std::string_view token, std::string_view scramble,
                            const Sha1Digest& stored_hash) {
    if (token.size() != kScrambleSize || scramble.size() < kScrambleSize) return false;
    // token XOR SHA1(scramble + stored) recovers SHA1(password) when the password is right.
    const Sha1Digest mask = sha1(scramble.substr(0, kScrambleSize), view(stored_hash));
    Sha1Digest stage1{};
    for (std::size_t i = 0; i < stage1.size(); ++i) {
        stage1[i] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(token[i]) ^ mask[i]);
    }
    const Sha1Digest candidate = sha1(view(stage1));
    return CRYPTO_memcmp(candidate.data(), stored_hash.data(), candidate.size()) == 0;
}

}  // namespace sqlgate::mysql
