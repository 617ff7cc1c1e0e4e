#include "mysql/auth.hpp"

#include <gtest/gtest.h>

namespace sqlgate::mysql {
namespace {

TEST(Auth, HashMatchesMariaDbPasswordFunction) {
    // SELECT PASSWORD('password') on MariaDB.
    EXPECT_EQ(native_password_hash("password"), "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
}

TEST(Auth, TokenVerifiesAgainstStoredHash) {
    const std::string scramble = make_scramble();
    ASSERT_EQ(scramble.size(), kScrambleSize);
    const auto stored = parse_native_password_hash(native_password_hash("s3cret"));
    ASSERT_TRUE(stored);
    EXPECT_TRUE(
        verify_native_password(native_password_token("s3cret", scramble), scramble, *stored));
    EXPECT_FALSE(
        verify_native_password(native_password_token("s3cres", scramble), scramble, *stored));
    EXPECT_FALSE(verify_native_password("", scramble, *stored));
    EXPECT_FALSE(verify_native_password(native_password_token("s3cret", make_scramble()), scramble,
                                        *stored));
}

TEST(Auth, EmptyPasswordSendsEmptyToken) {
    EXPECT_EQ(native_password_token("", "x"), "");
}

TEST(Auth, ScrambleHasNoNul) {
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(make_scramble().find('\0'), std::string::npos);
    }
}

TEST(Auth, MalformedHashesRejected) {
    EXPECT_FALSE(parse_native_password_hash(""));
    EXPECT_FALSE(parse_native_password_hash("2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"));
    EXPECT_FALSE(parse_native_password_hash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1G"));
    EXPECT_FALSE(parse_native_password_hash("*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E1"));
    EXPECT_TRUE(parse_native_password_hash("*2470c0c06dee42fd1618bb99005adca2ec9d1e19"));
}

}  // namespace
}  // namespace sqlgate::mysql
