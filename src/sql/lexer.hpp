// MySQL/MariaDB SQL lexer: splits a statement into tokens without allocating.
// Tokens are views into the input; executable comments (/*! */, /*M! */) are lexed as code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sqlgate::sql {

enum class TokenKind : std::uint8_t {
    end,                // no more input; text is empty
    identifier,         // bare word, keywords included (`SELECT`, `t1`, `1abc`)
    quoted_identifier,  // `name`, text includes the backticks
    string,             // '...', "..." or N'...', text includes the quotes
    number,             // 12, 1.5, .5, 1e-3
    hex_literal,        // 0x1F or X'1F'
    bit_literal,        // 0b101 or B'101'
    placeholder,        // ? of a prepared statement
    user_variable,      // @name, @'name', @`name`
    system_variable,    // @@name, @@session.name, @@global.name
    symbol,             // operators: = <=> := -> + ...
    left_paren,
    right_paren,
    comma,
    dot,
    semicolon,
    comment,  // -- ..., # ..., /* ... */, /*+ hint */; executable ones only if not code
    error,    // unterminated string, identifier or comment; runs to the end of input
    unknown,  // a byte that starts no token (a stray backslash, a control character)
};

struct Token {
    TokenKind kind = TokenKind::end;
    std::string_view text;

    bool is(TokenKind k) const noexcept { return kind == k; }
    bool is_symbol(std::string_view s) const noexcept {
        return kind == TokenKind::symbol && text == s;
    }
};

// What the lexer noticed beyond the tokens themselves; cheap facts for a firewall.
struct LexerFlags {
    bool has_comment = false;             // any comment, executable ones included
    bool has_executable_comment = false;  // /*! ... */ or /*M! ... */
    bool has_versioned_comment = false;   // /*!50100 ... */: code only on servers that new
    bool unterminated = false;            // a string, identifier or comment never closed
};

// The sql_mode settings that change how text splits into tokens.
struct LexerOptions {
    bool backslash_escapes = true;  // false under NO_BACKSLASH_ESCAPES
    bool ansi_quotes = false;       // under ANSI_QUOTES "..." is an identifier
    // The content of /*!50100 ... */ runs only on servers of that version or later. By
    // default it is lexed as code; false lexes it as one comment token, the other reading.
    bool versioned_comments_as_code = true;
};

class Lexer {
  public:
    explicit Lexer(std::string_view input, LexerOptions options = {}) noexcept
        : input_(input), options_(options) {}

    // The next token, comments included. Returns `end` forever once input is exhausted.
    Token next() noexcept;

    // The next token that is not a comment: the one way every reader steps over comments.
    // `on_comment` sees each comment stepped over (route hints, comment heuristics).
    template <typename OnComment>
    Token next_code(OnComment&& on_comment) noexcept {
        for (;;) {
            const Token t = next();
            if (t.kind != TokenKind::comment) return t;
            on_comment(t);
        }
    }
    Token next_code() noexcept {
        return next_code([](const Token&) noexcept {});
    }

    const LexerFlags& flags() const noexcept { return flags_; }
    std::size_t offset() const noexcept { return pos_; }
    std::string_view input() const noexcept { return input_; }

  private:
    Token lex_line_comment() noexcept;
    Token lex_block_comment() noexcept;
    Token lex_quoted(std::size_t start, std::size_t quote_pos, char quote, TokenKind kind) noexcept;
    Token lex_number() noexcept;
    Token lex_word() noexcept;
    Token lex_prefixed_literal(TokenKind kind) noexcept;
    Token lex_variable() noexcept;
    Token lex_symbol() noexcept;
    Token lex_dot() noexcept;
    bool enter_executable_comment() noexcept;
    bool leave_executable_comment() noexcept;
    void skip_whitespace() noexcept;
    Token make(TokenKind kind, std::size_t start) noexcept;
    Token unterminated(std::size_t start) noexcept;
    char at(std::size_t i) const noexcept { return i < input_.size() ? input_[i] : '\0'; }

    std::string_view input_;
    LexerOptions options_;
    std::size_t pos_ = 0;
    int executable_depth_ = 0;              // open /*! ... */ whose content is being lexed as code
    TokenKind last_kind_ = TokenKind::end;  // of the last token that was not a comment
    std::size_t last_end_ = 0;              // and where it ended
    LexerFlags flags_;
};

// The name a quoted or bare identifier token denotes: quotes removed, doubled quotes undone.
// Allocates, so it is meant for rare paths (USE, logging), not per-token work.
std::string identifier_value(std::string_view token_text);

// A bare or quoted identifier: something that can name a schema, table or column.
constexpr bool is_name(const Token& t) noexcept {
    return t.kind == TokenKind::identifier || t.kind == TokenKind::quoted_identifier;
}

// A quoted identifier's text without its quotes (doubled quotes stay doubled); any other
// token's text as it is. Never allocates, unlike identifier_value.
constexpr std::string_view unquoted(const Token& t) noexcept {
    if (t.kind != TokenKind::quoted_identifier || t.text.size() < 2) return t.text;
    return t.text.substr(1, t.text.size() - 2);
}

// Character classes shared by the lexer and the classifier.
constexpr bool is_identifier_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
           u == '$' || u >= 0x80;  // bytes of multibyte UTF-8 names
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr char ascii_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
    }
    return true;
}

}  // namespace sqlgate::sql
