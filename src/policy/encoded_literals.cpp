#include "policy/encoded_literals.hpp"

#include <cstddef>
#include <cstdint>

namespace sqlgate::policy::detail {

std::string_view literal_digits(std::string_view literal) noexcept {
    if (literal.size() >= 2 && literal[0] == '0') return literal.substr(2);  // 0x1F, 0b101
    if (literal.size() >= 3) return literal.substr(2, literal.size() - 3);   // X'1F', B'101'
    return {};
}

int literal_radix_bits(std::string_view literal) noexcept {
    const char marker = literal.size() >= 2 && literal[0] == '0' ? literal[1] : literal[0];
    return (marker == 'b' || marker == 'B') ? 1 : 4;
}

bool digits_spell_text(std::string_view digits, int bits) noexcept {
    std::size_t bytes = 0;
    bool printable = true;
    const bool valid = for_each_byte(digits, bits, [&](unsigned b) {
        printable = printable && is_printable(b);
        ++bytes;
    });
    return valid && printable && bytes >= 4;
}

bool literal_spells_text(std::string_view literal) noexcept {
    return digits_spell_text(literal_digits(literal), literal_radix_bits(literal));
}

double literal_number(std::string_view literal) noexcept {
    double value = 0;
    for_each_byte(literal_digits(literal), literal_radix_bits(literal),
                  [&](unsigned b) { value = value * 256 + b; });
    return value;
}

bool base64_spells_text(std::string_view text) noexcept {
    std::uint32_t bits = 0;
    int pending = 0;
    std::size_t bytes = 0;
    for (const char c : text) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z') {
            v = static_cast<std::uint32_t>(c - 'A');
        } else if (c >= 'a' && c <= 'z') {
            v = static_cast<std::uint32_t>(c - 'a' + 26);
        } else if (c >= '0' && c <= '9') {
            v = static_cast<std::uint32_t>(c - '0' + 52);
        } else if (c == '+' || c == '/') {
            v = c == '+' ? 62 : 63;
        } else if (c == '=') {
            break;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        } else {
            return false;
        }
        bits = ((bits << 6) | v) & 0xffffffu;
        pending += 6;
        if (pending >= 8) {
            pending -= 8;
            if (!is_printable((bits >> pending) & 0xffu)) return false;
            ++bytes;
        }
    }
    return bytes >= 4;
}

}  // namespace sqlgate::policy::detail
