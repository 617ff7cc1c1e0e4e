// Fuzzes ByteReader, the primitive decoder under every message parser: a script of reads
// (taken from the input's head) over the rest of the input, and ByteWriter's encodings read back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_support.hpp"
#include "mysql/wire.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using sqlgate::fuzz::within;
using namespace sqlgate::mysql;

constexpr std::size_t kMaxReads = 32;

// A length-encoded integer written by ByteWriter reads back as itself.
void check_lenenc_round_trip(std::uint64_t value) {
    Bytes encoded;
    ByteWriter(encoded).lenenc(value);
    ByteReader r(encoded);
    require(r.lenenc() == value && r.ok() && r.at_end(), "lenenc does not read back");
}

void check_string_round_trip(std::string_view text) {
    Bytes encoded;
    ByteWriter w(encoded);
    w.lenenc_string(text);
    w.null_terminated(text.substr(0, text.find('\0')));
    ByteReader r(encoded);
    require(r.lenenc_string() == text, "lenenc_string does not read back");
    require(r.null_terminated() == text.substr(0, text.find('\0')),
            "null_terminated does not read back");
    require(r.ok() && r.at_end(), "the written strings do not read back whole");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::size_t reads = in.byte() % (kMaxReads + 1);
    const auto script = in.take(reads);
    const ByteView payload = in.rest();
    const std::string_view whole = as_chars(payload);

    ByteReader r(payload);
    for (const std::uint8_t step : script) {
        const std::size_t before = r.remaining();
        const bool was_ok = r.ok();
        std::string_view got;
        std::optional<std::uint64_t> number;
        switch (step % 12) {
            case 0:
                number = r.fixed(1 + (step >> 4) % 8);
                break;
            case 1:
                number = r.u8();
                break;
            case 2:
                number = r.u16();
                break;
            case 3:
                number = r.u24();
                break;
            case 4:
                number = r.u32();
                break;
            case 5:
                number = r.lenenc();
                break;
            case 6:
                if (const auto value = r.lenenc_string_or_null()) got = *value;
                break;
            case 7:
                got = r.lenenc_string();
                break;
            case 8:
                got = r.null_terminated();
                break;
            case 9:
                got = r.take(step >> 4);
                break;
            case 10:
                r.skip(step >> 4);
                break;
            default:
                got = r.rest();
                break;
        }
        require(within(got, whole), "a read returned bytes outside the payload");
        require(r.remaining() <= before, "a read moved the reader backwards");
        require(got.size() <= before, "a read returned more than was left");
        if (!r.ok()) {
            require(r.remaining() == 0 && got.empty(), "a failed reader still returns data");
            require(!number || *number == 0, "a failed read returned a nonzero number");
            require(!r.peek(), "a failed reader still peeks");
        }
        if (!was_ok) require(!r.ok(), "a failed reader recovered");
        if (r.ok() && step % 12 == 5 && number) check_lenenc_round_trip(*number);
    }
    check_string_round_trip(whole.substr(0, 300));
    return 0;
}
