#include "sql/lexer.hpp"

#include <array>

namespace sqlgate::sql {
namespace {

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

constexpr bool is_hex_digit(char c) noexcept {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

constexpr bool is_bit_digit(char c) noexcept {
    return c == '0' || c == '1';
}

// Longest first, so that a prefix never hides a longer operator.
constexpr std::array<std::string_view, 12> kMultiCharSymbols = {
    "<=>", "->>", "<<", ">>", "<=", ">=", "<>", "!=", ":=", "&&", "||", "->",
};
constexpr std::string_view kSingleCharSymbols = "=<>!~+-*/%^&|:{}[]";

}  // namespace

Token Lexer::next() noexcept {
    for (;;) {
        skip_whitespace();
        if (pos_ >= input_.size()) {
            if (executable_depth_ > 0) flags_.unterminated = true;
            executable_depth_ = 0;
            return Token{TokenKind::end, input_.substr(input_.size())};
        }
        const char c = input_[pos_];
        // The delimiters of an executable comment are not tokens: only its content is code.
        if ((c == '*' && leave_executable_comment()) || (c == '/' && enter_executable_comment())) {
            continue;
        }
        Token token;
        if (c == '#' ||
            (c == '-' && at(pos_ + 1) == '-' &&
             // MariaDB needs whitespace (or a control byte) after "--": 1--1 is 1-(-1).
             (pos_ + 2 >= input_.size() || static_cast<unsigned char>(at(pos_ + 2)) <= ' '))) {
            token = lex_line_comment();
        } else if (c == '/' && at(pos_ + 1) == '*') {
            token = lex_block_comment();
        } else if (c == '\'') {
            token = lex_quoted(pos_, pos_, c, TokenKind::string);
        } else if (c == '"') {
            token =
                lex_quoted(pos_, pos_, c,
                           options_.ansi_quotes ? TokenKind::quoted_identifier : TokenKind::string);
        } else if (c == '`') {
            token = lex_quoted(pos_, pos_, c, TokenKind::quoted_identifier);
        } else if (is_digit(c)) {
            token = lex_number();
        } else if (c == '.') {
            token = lex_dot();
        } else if (at(pos_ + 1) == '\'' && (c == 'x' || c == 'X')) {
            token = lex_prefixed_literal(TokenKind::hex_literal);
        } else if (at(pos_ + 1) == '\'' && (c == 'b' || c == 'B')) {
            token = lex_prefixed_literal(TokenKind::bit_literal);
        } else if (at(pos_ + 1) == '\'' && (c == 'n' || c == 'N')) {
            token = lex_prefixed_literal(TokenKind::string);
        } else if (is_identifier_char(c)) {
            token = lex_word();
        } else if (c == '@') {
            token = lex_variable();
        } else {
            token = lex_symbol();
        }
        if (token.kind != TokenKind::comment) {
            last_kind_ = token.kind;
            last_end_ = pos_;
        }
        return token;
    }
}

// Loops below scan with a local index: a member index would be stored on every byte.
void Lexer::skip_whitespace() noexcept {
    std::size_t i = pos_;
    while (i < input_.size() && is_space(input_[i]))
        ++i;
    pos_ = i;
}

Token Lexer::make(TokenKind kind, std::size_t start) noexcept {
    return Token{kind, input_.substr(start, pos_ - start)};
}

Token Lexer::unterminated(std::size_t start) noexcept {
    pos_ = input_.size();
    flags_.unterminated = true;
    return Token{TokenKind::error, input_.substr(start)};
}

bool Lexer::enter_executable_comment() noexcept {
    if (at(pos_) != '/' || at(pos_ + 1) != '*') return false;
    std::size_t body = pos_ + 2;
    if (at(body) == '!') {
        body += 1;
    } else if (at(body) == 'M' && at(body + 1) == '!') {
        body += 2;
    } else {
        return false;
    }
    // A version gate is 5 digits (MySQL 5.x style) or 6 (MariaDB 10+). The version itself
    // is not compared with anything: whether the content runs depends on the backend, so
    // the caller picks a reading with versioned_comments_as_code.
    std::size_t digits = 0;
    while (digits < 6 && is_digit(at(body + digits))) {
        ++digits;
    }
    const bool versioned = digits >= 5;
    flags_.has_comment = true;
    flags_.has_executable_comment = true;
    flags_.has_versioned_comment = flags_.has_versioned_comment || versioned;
    if (versioned && !options_.versioned_comments_as_code) return false;
    pos_ = body + (versioned ? digits : 0);
    ++executable_depth_;
    return true;
}

bool Lexer::leave_executable_comment() noexcept {
    if (executable_depth_ == 0 || at(pos_) != '*' || at(pos_ + 1) != '/') return false;
    pos_ += 2;
    --executable_depth_;
    return true;
}

Token Lexer::lex_line_comment() noexcept {
    const std::size_t start = pos_;
    const std::size_t newline = input_.find('\n', pos_);
    pos_ = newline == std::string_view::npos ? input_.size() : newline;
    flags_.has_comment = true;
    return make(TokenKind::comment, start);
}

Token Lexer::lex_block_comment() noexcept {
    const std::size_t start = pos_;
    flags_.has_comment = true;
    const std::size_t close = input_.find("*/", pos_ + 2);
    if (close == std::string_view::npos) return unterminated(start);
    pos_ = close + 2;
    return make(TokenKind::comment, start);
}

Token Lexer::lex_quoted(std::size_t start, std::size_t quote_pos, char quote,
                        TokenKind kind) noexcept {
    // Quoted names never take backslash escapes; strings do unless NO_BACKSLASH_ESCAPES.
    const bool escapes =
        options_.backslash_escapes && quote != '`' && kind != TokenKind::quoted_identifier;
    std::size_t i = quote_pos + 1;
    while (i < input_.size()) {
        const char c = input_[i];
        if (c == '\\' && escapes) {
            i += 2;
        } else if (c != quote) {
            ++i;
        } else if (at(i + 1) == quote) {
            i += 2;  // a doubled quote stands for itself
        } else {
            pos_ = i + 1;
            return make(kind, start);
        }
    }
    return unterminated(start);
}

Token Lexer::lex_prefixed_literal(TokenKind kind) noexcept {
    if (kind == TokenKind::string) return lex_quoted(pos_, pos_ + 1, '\'', kind);  // N'...'
    const std::size_t start = pos_;
    const std::size_t close = input_.find('\'', pos_ + 2);
    if (close == std::string_view::npos) return unterminated(start);
    pos_ = close + 1;
    return make(kind, start);
}

Token Lexer::lex_number() noexcept {
    const std::size_t start = pos_;
    const auto radix_literal = [&](char marker, bool (*digit)(char) noexcept) -> bool {
        if (at(start) != '0' || (at(start + 1) != marker && at(start + 1) != ascii_upper(marker)) ||
            !digit(at(start + 2))) {
            return false;
        }
        std::size_t i = start + 2;
        while (digit(at(i)))
            ++i;
        if (is_identifier_char(at(i))) return false;  // 0x1g is an identifier
        pos_ = i;
        return true;
    };
    if (radix_literal('x', is_hex_digit)) {
        return make(TokenKind::hex_literal, start);
    }
    if (radix_literal('b', is_bit_digit)) {
        return make(TokenKind::bit_literal, start);
    }

    std::size_t i = start;
    while (is_digit(at(i)))
        ++i;
    bool fraction = false;
    if (at(i) == '.') {
        fraction = true;
        ++i;
        while (is_digit(at(i)))
            ++i;
    }
    if (at(i) == 'e' || at(i) == 'E') {
        std::size_t j = i + 1;
        if (at(j) == '+' || at(j) == '-') ++j;
        if (is_digit(at(j))) {
            while (is_digit(at(j)))
                ++j;
            i = j;
        }
    }
    // MySQL names may start with digits (a table called 2fa_codes), so digits running
    // into letters form an identifier unless a decimal point already made this a number.
    if (!fraction && is_identifier_char(at(i))) return lex_word();
    pos_ = i;
    return make(TokenKind::number, start);
}

Token Lexer::lex_dot() noexcept {
    // Right after a name (t.5, `t`.5) the dot qualifies it; after a space (SELECT .5) it
    // starts a decimal.
    const bool after_name = last_end_ == pos_ && (last_kind_ == TokenKind::identifier ||
                                                  last_kind_ == TokenKind::quoted_identifier);
    if (!after_name && is_digit(at(pos_ + 1))) return lex_number();
    const std::size_t start = pos_++;
    return make(TokenKind::dot, start);
}

Token Lexer::lex_word() noexcept {
    const std::size_t start = pos_;
    std::size_t i = pos_;
    while (i < input_.size() && is_identifier_char(input_[i]))
        ++i;
    pos_ = i;
    return make(TokenKind::identifier, start);
}

Token Lexer::lex_variable() noexcept {
    const std::size_t start = pos_;
    const bool system = at(pos_ + 1) == '@';
    const char first = at(pos_ + 1);
    if (!system && (first == '\'' || first == '"' || first == '`')) {
        return lex_quoted(start, start + 1, first, TokenKind::user_variable);
    }
    std::size_t i = start + (system ? 2 : 1);
    const std::size_t name_start = i;
    while (is_identifier_char(at(i)) || at(i) == '.')
        ++i;
    pos_ = i;
    if (i == name_start) return make(TokenKind::unknown, start);
    return make(system ? TokenKind::system_variable : TokenKind::user_variable, start);
}

Token Lexer::lex_symbol() noexcept {
    const std::size_t start = pos_;
    const char c = input_[pos_];
    const TokenKind punctuation = c == '('   ? TokenKind::left_paren
                                  : c == ')' ? TokenKind::right_paren
                                  : c == ',' ? TokenKind::comma
                                  : c == ';' ? TokenKind::semicolon
                                  : c == '?' ? TokenKind::placeholder
                                             : TokenKind::end;
    if (punctuation != TokenKind::end) {
        ++pos_;
        return make(punctuation, start);
    }
    const std::string_view rest = input_.substr(pos_);
    // Every multi-character operator continues with one of these; most symbols stop here.
    const bool may_continue =
        std::string_view("=<>&|-").find(at(pos_ + 1)) != std::string_view::npos;
    for (const std::string_view symbol : kMultiCharSymbols) {
        if (!may_continue) break;
        if (rest.starts_with(symbol)) {
            pos_ += symbol.size();
            return make(TokenKind::symbol, start);
        }
    }
    ++pos_;
    const bool known = kSingleCharSymbols.find(c) != std::string_view::npos;
    return make(known ? TokenKind::symbol : TokenKind::unknown, start);
}

std::string identifier_value(std::string_view text) {
    if (text.empty() || (text.front() != '`' && text.front() != '"')) return std::string(text);
    const char quote = text.front();
    std::string_view inner = text.substr(1);
    if (!inner.empty() && inner.back() == quote) inner.remove_suffix(1);
    std::string value;
    value.reserve(inner.size());
    for (std::size_t i = 0; i < inner.size(); ++i) {
        value.push_back(inner[i]);
        if (inner[i] == quote && i + 1 < inner.size() && inner[i + 1] == quote) ++i;
    }
    return value;
}

}  // namespace sqlgate::sql
