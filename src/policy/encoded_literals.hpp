// Decoding of the literals injections spell text with: hex and bit literals (0x61646d696e,
// b'0110...') and base64 strings. Pure functions over a literal's text; never allocate.
#pragma once

#include <cstddef>
#include <string_view>

namespace sqlgate::policy::detail {

// The digits of 0x1F, X'1F', 0b101 or B'101'.
std::string_view literal_digits(std::string_view literal) noexcept;

// Bits per digit: 4 for hex literals, 1 for bit literals.
int literal_radix_bits(std::string_view literal) noexcept;

// Calls f(byte) for each byte that `digits` (of `bits` bits each) denote, left-padded with
// zero bits to whole bytes as the server pads them; false if a digit is out of range.
template <typename F>
bool for_each_byte(std::string_view digits, int bits, F&& f) noexcept {
    const std::size_t per_byte = bits == 4 ? 2 : 8;
    std::size_t need = digits.size() % per_byte;
    if (need == 0) need = per_byte;
    unsigned value = 0;
    std::size_t have = 0;
    for (const char c : digits) {
        const char lower = static_cast<char>(c | 0x20);
        unsigned d = 0;
        if (c >= '0' && c <= '9') {
            d = static_cast<unsigned>(c - '0');
        } else if (bits == 4 && lower >= 'a' && lower <= 'f') {
            d = static_cast<unsigned>(lower - 'a' + 10);
        } else {
            return false;
        }
        if ((d >> bits) != 0) return false;
        value = (value << bits) | d;
        if (++have == need) {
            f(value);
            value = 0;
            have = 0;
            need = per_byte;
        }
    }
    return true;
}

constexpr bool is_printable(unsigned byte) noexcept {
    return byte >= 0x20 && byte <= 0x7e;
}

// Whether hex or bit digits spell at least four printable ASCII bytes: a string written in
// digits to avoid quotes. Binary keys (UUIDs, hashes) and bit masks almost never do.
bool digits_spell_text(std::string_view digits, int bits) noexcept;

// digits_spell_text for a whole hex or bit literal token.
bool literal_spells_text(std::string_view literal) noexcept;

// The number a hex or bit literal stands for in arithmetic.
double literal_number(std::string_view literal) noexcept;

// Whether base64 text decodes to at least four bytes, all printable ASCII.
bool base64_spells_text(std::string_view text) noexcept;

}  // namespace sqlgate::policy::detail
