#include "proxy/failover.hpp"

#include <gtest/gtest.h>

#include "proxy/gtid_position.hpp"

namespace sqlgate::proxy {
namespace {

GtidPosition gtid(std::string_view text) {
    const auto p = GtidPosition::parse(text);
    EXPECT_TRUE(p) << text;
    return p.value_or(GtidPosition{});
}

TEST(GtidPosition, ParsesListsAndRefusesWhatIsNotOne) {
    EXPECT_EQ(gtid("0-1-104").to_string(), "0-1-104");
    EXPECT_EQ(gtid(" 1-3-7, 0-1-104\n").to_string(), "0-1-104,1-3-7");
    EXPECT_TRUE(gtid("").empty());
    for (const char* bad : {"0-1", "x-1-2", "0-1-2-3", "0-1-2,0-2-3", "0--2", "0-1-", "-1-2",
                            "0-1-99999999999999999999999"}) {
        EXPECT_FALSE(GtidPosition::parse(bad)) << bad;
    }
}

TEST(GtidPosition, CoversComparesSequenceNumbersPerDomain) {
    EXPECT_TRUE(gtid("0-2-10").covers(gtid("0-1-9")));
    EXPECT_TRUE(gtid("0-2-10").covers(gtid("0-1-10")));
    EXPECT_FALSE(gtid("0-2-10").covers(gtid("0-1-11")));
    EXPECT_FALSE(gtid("0-2-10").covers(gtid("0-1-5,1-1-1")));  // a domain it never saw
    EXPECT_TRUE(gtid("0-2-10,1-1-1").covers(gtid("0-1-5")));
    EXPECT_TRUE(gtid("0-1-1").covers(gtid("")));
    EXPECT_EQ(gtid("0-2-10,1-1-5").total(), 15u);
}

TEST(GtidPosition, TransactionsBehindCountsWhatTheOtherHasMorePerDomain) {
    EXPECT_EQ(gtid("0-1-7").transactions_behind(gtid("0-1-10")), 3u);
    EXPECT_EQ(gtid("0-1-10").transactions_behind(gtid("0-1-7")), 0u);  // ahead: not behind
    EXPECT_EQ(gtid("0-1-7,1-2-4").transactions_behind(gtid("0-1-9,1-2-5")), 3u);
    EXPECT_EQ(gtid("0-1-7").transactions_behind(gtid("0-1-7,2-3-4")), 4u);  // a domain unseen
    EXPECT_EQ(gtid("0-1-7,5-1-100").transactions_behind(gtid("0-1-7")), 0u);
    EXPECT_EQ(gtid("").transactions_behind(gtid("")), 0u);
}

TEST(ChoosePromotion, TheMostAdvancedReplicaThenPriorityThenOrder) {
    std::vector<PromotionCandidate> c = {
        {1, 0, gtid("0-1-10")}, {2, 0, gtid("0-1-12")}, {3, 5, gtid("0-1-11")}};
    EXPECT_EQ(choose_promotion(c), 2u);
    c[1].received = gtid("0-1-11");
    EXPECT_EQ(choose_promotion(c), 3u);  // 2 and 3 equal: 3 has the higher priority
    c[2].priority = 0;
    EXPECT_EQ(choose_promotion(c), 2u);  // equal in all: the first listed
    EXPECT_EQ(choose_promotion({}), std::nullopt);
    // Diverged domains, neither covering the other: the one with more transactions.
    const std::vector<PromotionCandidate> split = {{1, 9, gtid("0-1-10,1-1-1")},
                                                   {2, 0, gtid("0-1-9,1-1-5")}};
    EXPECT_EQ(choose_promotion(split), 2u);
}

TEST(RejoinRefusal, AFormerPrimaryRejoinsOnlyWithAHistoryThePrimaryHas) {
    // Everything it wrote reached the replica that was promoted, which wrote more since.
    EXPECT_EQ(rejoin_refusal(gtid("0-1-100"), gtid("0-2-130")), std::nullopt);
    EXPECT_EQ(rejoin_refusal(gtid("0-1-100"), gtid("0-1-100")), std::nullopt);
    EXPECT_EQ(rejoin_refusal(gtid(""), gtid("0-2-1")), std::nullopt);
    // Writes it took that never left it.
    const auto lost = rejoin_refusal(gtid("0-1-101"), gtid("0-1-100"));
    ASSERT_TRUE(lost);
    EXPECT_NE(lost->find("0-1-101"), std::string::npos) << *lost;
    // The same number written by both: two histories.
    const auto split = rejoin_refusal(gtid("0-1-101"), gtid("0-2-101"));
    ASSERT_TRUE(split);
    EXPECT_NE(split->find("differs"), std::string::npos) << *split;
    EXPECT_TRUE(rejoin_refusal(gtid("0-1-5,3-1-1"), gtid("0-2-9")));
}

}  // namespace
}  // namespace sqlgate::proxy
