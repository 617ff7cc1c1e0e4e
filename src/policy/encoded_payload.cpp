#include "policy/encoded_payload.hpp"

#include <cmath>
#include <cstdint>

#include "policy/encoded_literals.hpp"

namespace sqlgate::policy::detail {

void EncodedPayload::on_literal(const ScanCursor& at, const Token& t) noexcept {
    if (at.in_condition() && literal_spells_text(t.text)) {
        note(found_, t.text,
             t.is(TokenKind::hex_literal) ? "a hex literal spells text in a condition"
                                          : "a bit literal spells text in a condition");
    }
}

void EncodedPayload::on_call(const ScanCursor& at, const Token& name, Keyword function) noexcept {
    // Text spelled from codes, digits or base64 stands in for a quoted literal; it matters
    // where a literal would be compared.
    if (!at.in_condition()) return;
    switch (function) {
        case Keyword::kChar:
            check_char_call(at, name);
            break;
        case Keyword::kUnhex:
            check_unhex_call(at, name);
            break;
        case Keyword::kFromBase64:
            check_base64_call(at, name);
            break;
        case Keyword::kConv:
            check_conv_call(at, name);
            break;
        default:
            break;
    }
}

// CHAR(97,100,109,...) or CHAR(0x61, 0x64, ...) spells a string without quotes. Two
// printable bytes in one call, or two calls with printable bytes in conditions, count;
// CHAR(13,10) and CHAR(0) do not. A code above 255 stands for several bytes.
void EncodedPayload::check_char_call(const ScanCursor& at, const Token& name) noexcept {
    if (found_.found) return;
    Probe p(at.lexer);
    int printable = 0;
    const auto count = [&printable](unsigned byte) { printable += is_printable(byte) ? 1 : 0; };
    for (int i = 0; i < 1024; ++i) {
        if (p.cur.is(TokenKind::number)) {
            const double code = to_number(p.cur.text);
            if (code >= 0 && code < 4294967296.0) {
                auto value = static_cast<std::uint32_t>(code);
                for (int shift = 24; shift >= 0; shift -= 8) {
                    const unsigned byte = (value >> shift) & 0xffu;
                    if (byte != 0 || shift == 0) count(byte);
                }
            }
        } else if (p.cur.is(TokenKind::hex_literal) || p.cur.is(TokenKind::bit_literal)) {
            for_each_byte(literal_digits(p.cur.text), literal_radix_bits(p.cur.text), count);
        } else {
            break;
        }
        p.advance();
        if (!p.cur.is(TokenKind::comma)) break;
        p.advance();
    }
    if (printable > 0) ++printable_char_calls_;
    if (printable >= 2 || printable_char_calls_ >= 2) {
        note(found_, span(name, p.cur), "CHAR() codes spell text in a condition");
    }
}

// UNHEX('61646d696e'), or UNHEX(CONCAT('6164', '6d696e')) assembling the digits from
// constants, which no application does. UNHEX(REPLACE(?, '-', '')) for UUIDs is left alone.
void EncodedPayload::check_unhex_call(const ScanCursor& at, const Token& name) noexcept {
    Probe p(at.lexer);
    if (p.cur.is(TokenKind::string)) {
        if (digits_spell_text(string_content(p.cur.text), 4)) {
            note(found_, span(name, p.cur), "UNHEX() spells text in a condition");
        }
        return;
    }
    if (p.word() != Keyword::kConcat) return;
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return;
    p.advance();
    for (int i = 0; i < 256; ++i) {
        const TokenKind k = p.cur.kind;
        if (k != TokenKind::string && k != TokenKind::number && k != TokenKind::hex_literal) return;
        p.advance();
        if (p.cur.is(TokenKind::right_paren)) {
            note(found_, span(name, p.cur), "UNHEX() of constants pieced together in a condition");
            return;
        }
        if (!p.cur.is(TokenKind::comma)) return;
        p.advance();
    }
}

void EncodedPayload::check_base64_call(const ScanCursor& at, const Token& name) noexcept {
    const Probe p(at.lexer);
    if (p.cur.is(TokenKind::string) && base64_spells_text(string_content(p.cur.text))) {
        note(found_, span(name, p.cur), "FROM_BASE64() spells text in a condition");
    }
}

// CONV(n, from, to) of constants into a base above 10 spells letters: CONV(10, 10, 36)
// is 'A'. With a column or parameter it is arithmetic, and left alone.
void EncodedPayload::check_conv_call(const ScanCursor& at, const Token& name) noexcept {
    Probe p(at.lexer);
    double to_base = 0;
    for (int arg = 0; arg < 3; ++arg) {
        bool negative = false;
        if (p.cur.is_symbol("-")) {
            negative = true;
            p.advance();
        }
        const bool literal =
            p.cur.is(TokenKind::number) || (arg == 0 && !negative && p.cur.is(TokenKind::string));
        if (!literal) return;
        to_base = negative ? -to_number(p.cur.text) : to_number(p.cur.text);
        p.advance();
        if (!p.cur.is(arg < 2 ? TokenKind::comma : TokenKind::right_paren)) return;
        p.advance();
    }
    if (std::fabs(to_base) > 10) {
        note(found_, span(name, p.prev), "CONV() spells text in a condition");
    }
}

}  // namespace sqlgate::policy::detail
