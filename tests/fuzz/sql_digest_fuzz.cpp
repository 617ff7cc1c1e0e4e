// Fuzzes statement digests: bounded text, a hash of the whole normalized text, and abridged()
// agreeing with a digest made at that limit (the allowlist and the audit log share one pass).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "sql/digest.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using namespace sqlgate::sql;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    const LexerOptions options = sqlgate::fuzz::lexer_options(choice);
    // Small limits cut often; the audit log's own limit is the one that matters in service.
    const std::size_t limit = (choice & 0x80) != 0 ? kDigestTextLimit : in.byte();
    const std::string_view sql = in.rest_text();

    const StatementDigest whole = digest(sql, options, kWholeDigestText);
    require(!whole.truncated, "a whole digest was cut");
    require(whole.hash == fnv1a64(whole.text), "the hash is not of the normalized text");
    require(whole.hash_hex() == hex64(whole.hash) && whole.hash_hex().size() == 16,
            "hash_hex is not 16 hex digits of the hash");

    const StatementDigest cut = digest(sql, options, limit);
    const std::size_t room = limit < 3 ? 3 : limit;
    require(cut.text.size() <= room, "a digest's text exceeds its limit");
    require(cut.hash == whole.hash, "cutting the text changed the hash");
    require(cut.truncated == (cut.text != whole.text), "truncated says otherwise than the text");
    if (cut.truncated) require(cut.text.ends_with("..."), "a cut digest does not end in ...");

    const StatementDigest short_form = abridged(whole, limit);
    require(short_form.text == cut.text && short_form.hash == cut.hash &&
                short_form.truncated == cut.truncated,
            "abridged() differs from a digest made at that limit");
    return 0;
}
