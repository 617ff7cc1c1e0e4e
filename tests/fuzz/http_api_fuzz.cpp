// Fuzzes the HTTP API without sockets, as http_api.cpp drives it: Beast's parser over raw
// request bytes, check_header, read_query_body, and the JSON answers built from what was read.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "gatekeeper/api_exchange.hpp"
#include "mysql/column_type.hpp"

namespace {

using sqlgate::fuzz::require;
using namespace sqlgate::gatekeeper;

constexpr std::size_t kMaxHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxBodyBytes = 4 * 1024;  // small, so that the 413 paths are reached

// The token the seeds carry: "Authorization: Bearer fuzz-token".
const TokenStore& tokens() {
    static const TokenStore store(
        {{"app", sha256_hex("fuzz-token")}, {"reporting", sha256_hex("second-token")}});
    return store;
}

// Every answer the API sends is JSON, whatever bytes went into it.
void check_answer(const ApiAnswer& answer) {
    require(nlohmann::json::accept(answer.body), "an answer's body is not JSON");
}

// Feeds `bytes` to the parser until it stops: false on a syntax error or an input that ends
// before the part asked for (the server would answer 400, or wait).
bool feed(http::request_parser<http::string_body>& parser, std::string_view& bytes,
          bool whole_message) {
    for (;;) {
        if (whole_message ? parser.is_done() : parser.is_header_done()) return true;
        boost::system::error_code ec;
        const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        bytes.remove_prefix(used);
        if (ec == http::error::need_more) ec = {};
        if (ec || used == 0) return false;
    }
}

// What a runner could answer for `query`: the failures in turn, and rows whose values are its
// text under a column type picked from it (so the typed JSON reads arbitrary server text).
ApiOutcome outcome_for(const ApiQuery& query) {
    const std::uint64_t pick = std::hash<std::string>{}(query.sql);
    ApiOutcome outcome;
    if (pick % 4 == 3) {
        ApiResultSet rows;
        rows.has_result_set = (pick & 0x100) != 0;
        rows.columns = {query.sql, "route"};
        const std::uint8_t type = query.sql.empty() ? 0 : static_cast<std::uint8_t>(query.sql[0]);
        rows.column_types = {
            {.type = type,
             .charset = (pick & 0x200) != 0 ? sqlgate::mysql::kBinaryCollation : std::uint16_t{45},
             .flags = static_cast<std::uint16_t>(pick >> 48)}};
        rows.rows = {{query.sql, std::nullopt}, {query.sql.substr(1), query.sql}};
        rows.affected_rows = pick;
        outcome.result = std::move(rows);
        return outcome;
    }
    constexpr double kRetries[] = {0,
                                   0.5,
                                   2.25,
                                   1e300,
                                   -1,
                                   std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity()};
    outcome.error.kind = static_cast<ApiFailure>(pick % 7);
    outcome.error.rule = query.sql.substr(0, 16);
    outcome.error.message = query.sql;
    outcome.error.sql_state = query.sql.substr(0, 5);
    outcome.error.mysql_code = static_cast<std::uint16_t>(pick >> 16);
    outcome.error.retry_after_s = kRetries[(pick >> 8) % std::size(kRetries)];
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser.body_limit(boost::none);  // as the server: set once the header has been checked
    parser.eager(false);             // stop after the header, as async_read_header does
    if (!feed(parser, bytes, false)) return 0;

    std::optional<std::uint64_t> content_length;
    if (parser.content_length()) content_length = *parser.content_length();
    const HeaderVerdict verdict =
        check_header(parser.get(), content_length, tokens(), kMaxBodyBytes);
    if (verdict.reject) {
        check_answer(*verdict.reject);
        return 0;
    }
    if (verdict.user.empty()) {  // the GET endpoints, which read no statement
        if (verdict.endpoint == Endpoint::health) {
            check_answer(answer_health(true));
            check_answer(answer_health(false));
        }
        return 0;
    }
    parser.body_limit(kMaxBodyBytes);
    parser.eager(true);
    if (!feed(parser, bytes, true)) return 0;

    ApiQuery query;
    query.user = verdict.user;
    if (const auto bad_body = read_query_body(verdict.endpoint, parser.get().body(), query)) {
        check_answer(*bad_body);
        return 0;
    }
    require(!query.sql.empty(), "a query read without its statement");
    check_answer(answer_outcome(outcome_for(query)));
    return 0;
}
