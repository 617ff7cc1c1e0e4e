// mysql_native_password, both sides: the client's scrambled token and the server's check
// against a stored SHA1(SHA1(password)) — the "*HEX" form MariaDB's PASSWORD() prints.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sqlgate::mysql {

constexpr std::string_view kNativePasswordPlugin = "mysql_native_password";
constexpr std::size_t kScrambleSize = 20;

using Sha1Digest = std::array<std::uint8_t, 20>;

// A fresh 20-byte scramble of printable characters (no NUL: the wire form ends in one).
std::string make_scramble();

// What a client sends: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); empty for
// an empty password.
std::string native_password_token(std::string_view password, std::string_view scramble);

// "*" followed by 40 upper-case hex digits of SHA1(SHA1(password)).
std::string native_password_hash(std::string_view password);
std::optional<Sha1Digest> parse_native_password_hash(std::string_view text);

// Decodes `hex` (either case) into exactly out.size() bytes; false when it is not that many
// hex digit pairs. (Password hashes here; token digests in the configs.)
bool decode_hex(std::string_view hex, std::span<std::uint8_t> out);

// The server's check of a client token; constant time in the token's contents.
bool verify_native_password(std::string_view token, std::string_view scramble,
                            const Sha1Digest& stored_hash);

}  // namespace sqlgate::mysql
