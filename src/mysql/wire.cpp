#include "mysql/wire.hpp"

namespace sqlgate::mysql {

bool ByteReader::need(std::size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
        ok_ = false;
        return false;
    }
    return true;
}

std::uint64_t ByteReader::fixed(std::size_t width) {
    if (!need(width)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
        v |= std::uint64_t{data_[pos_ + i]} << (8 * i);
    pos_ += width;
    return v;
}

std::uint64_t ByteReader::lenenc() {
    const std::uint8_t first = u8();
    switch (first) {
        case 0xfc:
            return fixed(2);
        case 0xfd:
            return fixed(3);
        case 0xfe:
            return fixed(8);
        case 0xfb:  // NULL marker: only meaningful in rows, see lenenc_string_or_null
        case 0xff:
            ok_ = false;
            return 0;
        default:
            return first;
    }
}

std::optional<std::string_view> ByteReader::lenenc_string_or_null() {
    if (peek() == std::uint8_t{0xfb}) {
        ++pos_;
        return std::nullopt;
    }
    return lenenc_string();
}

std::string_view ByteReader::lenenc_string() {
    const std::uint64_t n = lenenc();
    if (!ok_ || n > data_.size() - pos_) {
        ok_ = false;
        return {};
    }
    return take(static_cast<std::size_t>(n));
}

std::string_view ByteReader::null_terminated() {
    if (!ok_) return {};
    for (std::size_t i = pos_; i < data_.size(); ++i) {
        if (data_[i] == 0) {
            std::string_view s = as_chars(data_.subspan(pos_, i - pos_));
            pos_ = i + 1;
            return s;
        }
    }
    ok_ = false;
    return {};
}

std::string_view ByteReader::take(std::size_t n) {
    if (!need(n)) return {};
    std::string_view s = as_chars(data_.subspan(pos_, n));
    pos_ += n;
    return s;
}

std::string_view ByteReader::rest() {
    return take(remaining());
}

void store_u32(std::uint8_t* at, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
        at[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void ByteWriter::fixed(std::uint64_t value, std::size_t width) {
    for (std::size_t i = 0; i < width; ++i)
        out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void ByteWriter::lenenc(std::uint64_t value) {
    if (value < 0xfb) {
        u8(static_cast<std::uint8_t>(value));
    } else if (value <= 0xffff) {
        u8(0xfc);
        fixed(value, 2);
    } else if (value <= 0xffffff) {
        u8(0xfd);
        fixed(value, 3);
    } else {
        u8(0xfe);
        fixed(value, 8);
    }
}

void ByteWriter::lenenc_string(std::string_view s) {
    lenenc(s.size());
    raw(s);
}

void ByteWriter::null_terminated(std::string_view s) {
    raw(s);
    u8(0);
}

}  // namespace sqlgate::mysql
