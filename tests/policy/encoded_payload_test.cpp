// The encoded-payload family: text spelled without quotes where a condition compares it.
#include "policy/encoded_payload.hpp"

#include <gtest/gtest.h>

#include "policy/encoded_literals.hpp"
#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool encoded(std::string_view sql) {
    return scan(sql).encoded_payload.found;
}

TEST(EncodedLiterals, DecodesHexBitAndBase64) {
    EXPECT_TRUE(detail::literal_spells_text("0x61646d696e"));
    EXPECT_TRUE(detail::literal_spells_text("X'61646D696E'"));
    EXPECT_FALSE(detail::literal_spells_text("0x00ff10ab"));
    EXPECT_FALSE(detail::literal_spells_text("0x616263"));  // three bytes are not text yet
    EXPECT_TRUE(detail::literal_spells_text("b'01100001011000100110001101100100'"));
    EXPECT_EQ(detail::literal_number("0x0101"), 257.0);
    EXPECT_TRUE(detail::base64_spells_text("YWRtaW4="));
    EXPECT_FALSE(detail::base64_spells_text("AAEC"));
    EXPECT_FALSE(detail::base64_spells_text("not base64!"));
}

TEST(EncodedPayload, FindsSpelledTextInConditions) {
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = 0x61646d696e"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = CHAR(97, 100, 109)"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = CONCAT(CHAR(97), CHAR(100))"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = UNHEX('61646d696e')"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = UNHEX(CONCAT('6164', '6d696e'))"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = FROM_BASE64('YWRtaW4=')"));
    EXPECT_TRUE(encoded("SELECT * FROM u WHERE name = CONV(10, 10, 36)"));
}

TEST(EncodedPayload, AcceptsBinaryDataAndCallsOutsideConditions) {
    EXPECT_FALSE(encoded("SELECT * FROM u WHERE id = 0x00ff10ab"));
    EXPECT_FALSE(encoded("SELECT * FROM u WHERE line = CHAR(13, 10)"));
    EXPECT_FALSE(encoded("SELECT * FROM u WHERE id = UNHEX(REPLACE(?, '-', ''))"));
    EXPECT_FALSE(encoded("SELECT * FROM u WHERE n = CONV(a, 16, 10)"));
    EXPECT_FALSE(encoded("SELECT 0x61646d696e, CHAR(97, 100, 109)"));
    EXPECT_FALSE(encoded("INSERT INTO u VALUES (UNHEX('61646d696e'))"));
}

}  // namespace
}  // namespace sqlgate::policy
