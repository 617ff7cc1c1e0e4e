#include "policy/error_probe.hpp"

namespace sqlgate::policy::detail {

void ErrorProbe::on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (t.is(TokenKind::semicolon)) {
        xml_call_depth_ = -1;
        return;
    }
    if (!in_xml_call(at)) return;
    if (t.is(TokenKind::system_variable)) {
        note(found_, span(xml_call_, t), "an XML function made to fail on a server variable");
    } else if (w == Keyword::kSelect || w == Keyword::kCurrentUser) {
        note(found_, span(xml_call_, t), "an XML function made to fail on a subquery's result");
    }
}

void ErrorProbe::on_call(const ScanCursor& at, const Token& name, const Token& paren,
                         Keyword function) noexcept {
    if (in_xml_call(at) && is_fingerprint_function(function)) {
        note(found_, span(xml_call_, paren),
             "an XML function made to fail on a server fingerprint");
    }
    switch (function) {
        case Keyword::kExtractValue:
        case Keyword::kUpdateXml:
            // An invalid XPath built from a subquery makes the error message carry its
            // result: EXTRACTVALUE(1, CONCAT(0x7e, (SELECT ...))).
            if (xml_call_depth_ < 0) {
                xml_call_depth_ = at.depth;
                xml_call_ = name;
            }
            break;
        case Keyword::kExp: {
            // EXP(~(SELECT ...)): a DOUBLE overflow whose error message quotes the subquery.
            const Probe p(at.lexer);
            if (p.cur.is_symbol("~")) {
                note(found_, span(name, p.cur), "EXP(~...) overflows on purpose");
            }
            break;
        }
        case Keyword::kFloor:
            check_floor_call(at, name);
            break;
        default:
            break;
    }
}

void ErrorProbe::on_right_paren(int depth_after) noexcept {
    if (xml_call_depth_ >= 0 && depth_after <= xml_call_depth_) xml_call_depth_ = -1;
}

// FLOOR(RAND(0)*2) in a GROUP BY key: a seeded duplicate-key error ("Duplicate entry
// '<secret>1' for key") that carries whatever the key was concatenated with.
void ErrorProbe::check_floor_call(const ScanCursor& at, const Token& name) noexcept {
    Probe p(at.lexer);
    if (p.word() != Keyword::kRand) return;
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return;
    p.advance();
    if (!p.cur.is(TokenKind::number)) return;
    p.advance();
    if (!p.cur.is(TokenKind::right_paren)) return;
    p.advance();
    if (!p.cur.is_symbol("*")) return;
    p.advance();
    if (!p.cur.is(TokenKind::number) || to_number(p.cur.text) != 2) return;
    p.advance();
    if (p.cur.is(TokenKind::right_paren)) {
        note(found_, span(name, p.cur), "FLOOR(RAND(0)*2) forces a duplicate key");
    }
}

}  // namespace sqlgate::policy::detail
