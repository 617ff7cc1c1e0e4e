// Fuzzes the allowlist's file form: whatever parse_allowlist accepts exports (to_text) and
// reads back as the same list, and any user and shape written as a line reads back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "policy/statement_allowlist.hpp"

namespace {

using sqlgate::fuzz::require;
using namespace sqlgate::policy;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const ParsedAllowlist parsed = parse_allowlist(text);
    if (parsed.error.empty()) {
        const std::string exported = parsed.list.to_text();
        const ParsedAllowlist again = parse_allowlist(exported);
        require(again.error.empty(), "an exported allowlist does not parse");
        require(again.list.size() == parsed.list.size() && again.list.to_text() == exported,
                "an exported allowlist does not read back as the same list");
    } else {
        require(parsed.error.starts_with("line "), "an error without its line number");
    }

    // The first line as a user and the rest as a shape, as the front learns them.
    const std::size_t newline = text.find('\n');
    if (newline == std::string_view::npos) return 0;
    const std::string_view user = text.substr(0, newline);
    const std::string_view shape = text.substr(newline + 1);
    if (user.empty() || shape.empty()) return 0;
    const ParsedAllowlist line = parse_allowlist(allowlist_line(user, shape));
    require(line.error.empty() && line.list.size() == 1 && line.list.contains(user, shape),
            "a learned shape does not read back from its line");
    return 0;
}
