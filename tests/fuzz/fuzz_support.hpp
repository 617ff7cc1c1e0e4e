// What the fuzz targets share: typed choices read off the front of libFuzzer's input, and a
// loud failure when an invariant of the code under test breaks (libFuzzer keeps that input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>

#include "sql/lexer.hpp"

namespace sqlgate::fuzz {

// The input as a sequence of choices followed by the data they apply to. Reading past the
// end yields zeros, so a short input still makes every choice (and mutations stay cheap).
class FuzzInput {
  public:
    FuzzInput(const std::uint8_t* data, std::size_t size) : bytes_(data, size) {}

    std::uint8_t byte() {
        if (bytes_.empty()) return 0;
        const std::uint8_t b = bytes_.front();
        bytes_ = bytes_.subspan(1);
        return b;
    }
    std::uint16_t u16() { return static_cast<std::uint16_t>(byte() | byte() << 8); }
    std::uint32_t u24() { return std::uint32_t{u16()} | std::uint32_t{byte()} << 16; }
    std::uint32_t u32() { return std::uint32_t{u16()} | std::uint32_t{u16()} << 16; }

    // Up to `n` bytes (fewer at the end of the input).
    std::span<const std::uint8_t> take(std::size_t n) {
        const auto part = bytes_.first(n < bytes_.size() ? n : bytes_.size());
        bytes_ = bytes_.subspan(part.size());
        return part;
    }
    std::span<const std::uint8_t> rest() { return take(bytes_.size()); }
    std::string_view rest_text() {
        const auto r = rest();
        return {reinterpret_cast<const char*>(r.data()), r.size()};
    }
    bool empty() const { return bytes_.empty(); }
    std::size_t size() const { return bytes_.size(); }

  private:
    std::span<const std::uint8_t> bytes_;
};

// One MySQL packet of a stream: the length its header declares, its sequence id, and the
// payload bytes that arrived (fewer than the length when the input ends first).
struct StreamPacket {
    std::uint32_t length = 0;
    std::uint8_t sequence = 0;
    std::span<const std::uint8_t> payload;
};

// The next packet of the stream `in` holds; none once less than a header is left.
inline std::optional<StreamPacket> next_packet(FuzzInput& in) {
    if (in.size() < 4) return std::nullopt;
    StreamPacket packet;
    packet.length = in.u24();
    packet.sequence = in.byte();
    packet.payload = in.take(packet.length);
    return packet;
}

// The sql_mode readings of a statement, from the low bits of a choice byte; a seed starting
// with a space (0x20) reads as the defaults.
inline sql::LexerOptions lexer_options(std::uint8_t choice) {
    sql::LexerOptions options;
    options.backslash_escapes = (choice & 1) == 0;
    options.ansi_quotes = (choice & 2) != 0;
    options.versioned_comments_as_code = (choice & 4) == 0;
    return options;
}

// A broken invariant is a finding like a sanitizer report: abort so libFuzzer saves the input.
[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline void require(bool holds, const char* what) {
    if (!holds) fail(what);
}

// Whether `part` lies inside `whole`: views a parser returns must point into its input.
inline bool within(std::string_view part, std::string_view whole) {
    if (part.empty()) return true;
    const auto begin = reinterpret_cast<std::uintptr_t>(whole.data());
    const auto at = reinterpret_cast<std::uintptr_t>(part.data());
    return at >= begin && at + part.size() <= begin + whole.size();
}

}  // namespace sqlgate::fuzz
