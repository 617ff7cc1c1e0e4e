#include "obs/json_string.hpp"

#include <gtest/gtest.h>

namespace sqlgate::obs {
namespace {

TEST(JsonString, QuotesEscapesAndReplacesWhatIsNotUtf8) {
    EXPECT_EQ(json_string("plain"), "\"plain\"");
    EXPECT_EQ(json_string("a\"b\\c\nd\te"), "\"a\\\"b\\\\c\\nd\\te\"");
    EXPECT_EQ(json_string(std::string("\x01\x7f", 2)), "\"\\u0001\\u007f\"");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");             // valid UTF-8 kept
    EXPECT_EQ(json_string("bad\xff"), "\"bad\\ufffd\"");                  // not UTF-8: U+FFFD
    EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate
}

}  // namespace
}  // namespace sqlgate::obs
