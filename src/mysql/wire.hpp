// Primitive encodings of the MySQL protocol: fixed-width little-endian integers,
// length-encoded integers and strings, NUL-terminated strings. Reading never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::mysql {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline std::string_view as_chars(ByteView b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Reads fields from a payload. The first read past the end marks the reader failed and
// every later read returns zero/empty, so a parser reads all its fields and checks once.
class ByteReader {
  public:
    explicit ByteReader(ByteView data) : data_(data) {}

    std::uint64_t fixed(std::size_t width);  // little-endian, width 1..8
    std::uint8_t u8() { return static_cast<std::uint8_t>(fixed(1)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(fixed(2)); }
    std::uint32_t u24() { return static_cast<std::uint32_t>(fixed(3)); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
    std::uint64_t lenenc();
    // A length-encoded string; nullopt for the NULL marker (0xfb) of text rows.
    std::optional<std::string_view> lenenc_string_or_null();
    std::string_view lenenc_string();
    std::string_view null_terminated();
    std::string_view take(std::size_t n);
    std::string_view rest();
    void skip(std::size_t n) { take(n); }

    bool ok() const { return ok_; }
    bool at_end() const { return pos_ == data_.size(); }
    std::size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
    std::optional<std::uint8_t> peek() const {
        if (!ok_ || pos_ >= data_.size()) return std::nullopt;
        return data_[pos_];
    }

  private:
    bool need(std::size_t n);

    ByteView data_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

// Overwrites the 4 bytes at `at` with `v`, little-endian as the protocol stores integers.
void store_u32(std::uint8_t* at, std::uint32_t v) noexcept;

// Appends fields to a byte buffer owned by the caller (so buffers can be reused).
class ByteWriter {
  public:
    explicit ByteWriter(Bytes& out) : out_(out) {}

    void fixed(std::uint64_t value, std::size_t width);
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) { fixed(v, 2); }
    void u24(std::uint32_t v) { fixed(v, 3); }
    void u32(std::uint32_t v) { fixed(v, 4); }
    void lenenc(std::uint64_t value);
    void lenenc_string(std::string_view s);
    void null_terminated(std::string_view s);
    void raw(std::string_view s) { raw(as_bytes(s)); }
    void raw(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }

  private:
    Bytes& out_;
};

}  // namespace sqlgate::mysql
