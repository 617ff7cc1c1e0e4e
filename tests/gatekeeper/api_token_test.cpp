// Token hashing and lookup: known SHA-256 vectors, hashed storage, and refusals.
#include "gatekeeper/api_token.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace sqlgate::gatekeeper {
namespace {

TEST(Sha256Hex, MatchesKnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Hex, HashesEmbeddedNulBytes) {
    using namespace std::string_literals;
    EXPECT_NE(sha256_hex("a\0b"s), sha256_hex("a"));
}

TEST(TokenStore, FindsTheUserOfEachToken) {
    const TokenStore store(
        {{"alice", sha256_hex("alice-token")}, {"bob", sha256_hex("bob-token")}});
    EXPECT_EQ(store.authenticate("alice-token"), "alice");
    EXPECT_EQ(store.authenticate("bob-token"), "bob");
}

TEST(TokenStore, RefusesWrongEmptyAndNearTokens) {
    const TokenStore store({{"alice", sha256_hex("alice-token")}});
    EXPECT_EQ(store.authenticate("alice-tokem"), std::nullopt);
    EXPECT_EQ(store.authenticate("alice-token "), std::nullopt);
    EXPECT_EQ(store.authenticate("alice-toke"), std::nullopt);
    EXPECT_EQ(store.authenticate(""), std::nullopt);
    // The stored digest itself is not a token: only its preimage is.
    EXPECT_EQ(store.authenticate(sha256_hex("alice-token")), std::nullopt);
}

TEST(TokenStore, AcceptsUpperCaseDigests) {
    std::string digest = sha256_hex("carol-token");
    std::transform(digest.begin(), digest.end(), digest.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const TokenStore store({{"carol", digest}});
    EXPECT_EQ(store.authenticate("carol-token"), "carol");
}

TEST(TokenStore, RefusesMalformedDigestsAtConstruction) {
    const std::string good = sha256_hex("x");
    EXPECT_THROW(TokenStore(std::vector<ApiToken>{{"short", good.substr(1)}}),
                 std::invalid_argument);
    EXPECT_THROW(TokenStore(std::vector<ApiToken>{{"long", good + "0"}}), std::invalid_argument);
    EXPECT_THROW(TokenStore(std::vector<ApiToken>{{"nothex", "g" + good.substr(1)}}),
                 std::invalid_argument);
    EXPECT_THROW(TokenStore(std::vector<ApiToken>{{"plain", "alice-token"}}),
                 std::invalid_argument);
}

TEST(TokenStore, EmptyStoreAuthenticatesNobody) {
    const TokenStore store({});
    EXPECT_EQ(store.size(), 0u);
    EXPECT_EQ(store.authenticate("anything"), std::nullopt);
}

}  // namespace
}  // namespace sqlgate::gatekeeper
