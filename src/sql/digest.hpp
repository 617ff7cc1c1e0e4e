// Statement digests for audit logs: the statement with literals, comments and spacing
// normalized away, and a 64-bit FNV-1a hash of that text that groups statements of one shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sql/lexer.hpp"

namespace sqlgate::sql {

// Audit lines must stay bounded whatever the client sends.
inline constexpr std::size_t kDigestTextLimit = 1024;
// For a digest whose text must be whole: the statement allowlist compares shapes entire.
inline constexpr std::size_t kWholeDigestText = std::size_t(-1) / 2;

struct StatementDigest {
    // Keywords upper-cased, other names as written, literals as `?`, literal lists as `(...)`,
    // one space between tokens. At most the limit asked for, ending in "..." when cut.
    std::string text;
    // Of the whole normalized text, also when `text` was cut, so long statements that differ
    // only past the cut still hash apart.
    std::uint64_t hash = 0;
    bool truncated = false;

    std::string hash_hex() const;
};

// Never fails: unterminated strings, comments and stray bytes become `?`. A `max_text`
// below 3 counts as 3, the room "..." needs.
StatementDigest digest(std::string_view sql, LexerOptions options = {},
                       std::size_t max_text = kDigestTextLimit);

// `whole` (made with kWholeDigestText) as digest() would have made it with `max_text`, so one
// pass over the statement serves both the allowlist and the audit line.
StatementDigest abridged(const StatementDigest& whole, std::size_t max_text = kDigestTextLimit);

inline constexpr std::uint64_t kFnv1a64Offset = 14695981039346656037ull;

// FNV-1a 64; pass the result of a previous call as `hash` to continue over more bytes.
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t hash = kFnv1a64Offset) noexcept;

// 16 lowercase hex digits, zero-padded.
std::string hex64(std::uint64_t value);

}  // namespace sqlgate::sql
