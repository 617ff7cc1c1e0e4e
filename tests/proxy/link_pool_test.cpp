#include "proxy/link_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace sqlgate::proxy {
namespace {

using namespace std::chrono_literals;
using mysql::Command;

class LinkPoolTest : public ::testing::Test {
  protected:
    std::unique_ptr<BackendLink> link(LinkIdentity identity = {}, StatePoint applied = nullptr) {
        auto made = std::make_unique<BackendLink>(io_.get_executor(), pool_, identity);
        made->applied = std::move(applied);
        return made;
    }

    boost::asio::io_context io_;
    std::shared_ptr<LinkPool> pool_ = std::make_shared<LinkPool>();
};

TEST_F(LinkPoolTest, EveryLinkCountsWhileItLivesIdleOrNot) {
    auto a = link();
    auto b = link();
    EXPECT_EQ(pool_->open(), 2);
    pool_->give_back(std::move(a));
    EXPECT_EQ(pool_->idle(), 1u);
    EXPECT_EQ(pool_->open(), 2);
    b.reset();
    EXPECT_EQ(pool_->open(), 1);
    pool_->close_idle();
    EXPECT_EQ(pool_->open(), 0);
}

TEST_F(LinkPoolTest, ALinkIsLentOnlyAsItLoggedIn) {
    pool_->give_back(link({.collation = 8}));
    SessionState state;
    EXPECT_EQ(pool_->take({.collation = 45}, state), nullptr);
    const auto taken = pool_->take({.collation = 8}, state);
    ASSERT_NE(taken, nullptr);
    EXPECT_TRUE(taken->reused);
    EXPECT_EQ(pool_->idle(), 0u);
}

TEST_F(LinkPoolTest, ALinkThatNeedsNoResetIsPreferred) {
    SessionState mine;
    mine.record(Command::init_db, "shop", true);
    SessionState theirs;
    theirs.record(Command::init_db, "shop", true);
    theirs.record(Command::query, "SET @other = 1", false);
    pool_->give_back(link({}, mine.last()));
    pool_->give_back(link({}, theirs.last()));  // the most recent, but it must be reset
    const auto taken = pool_->take({}, mine);
    ASSERT_NE(taken, nullptr);
    EXPECT_EQ(taken->applied, mine.last());
    // Otherwise any link of the same login, to be reset.
    SessionState third;
    third.record(Command::init_db, "crm", true);
    const auto other = pool_->take({}, third);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->applied, theirs.last());
}

TEST_F(LinkPoolTest, ALinkThatChoseASchemaIsNotLentToASessionWithNone) {
    SessionState with_schema;
    with_schema.record(Command::query, "USE shop", true);
    pool_->give_back(link({}, with_schema.last()));
    SessionState without;
    without.record(Command::query, "SET NAMES latin1", false);
    EXPECT_EQ(pool_->take({}, without), nullptr);
    EXPECT_TRUE(pool_->close_one_idle());
    EXPECT_EQ(pool_->open(), 0);
    EXPECT_FALSE(pool_->close_one_idle());
}

TEST_F(LinkPoolTest, AFullPoolWakesAWaiterWhenALinkComesBackAndTimesOutOtherwise) {
    pool_->set_limit(1);
    auto held = link();
    EXPECT_TRUE(pool_->full());
    std::optional<bool> first;
    std::optional<bool> second;
    boost::asio::co_spawn(
        io_,
        [&]() -> boost::asio::awaitable<void> {
            first = co_await pool_->wait_for_link(std::chrono::steady_clock::now() + 5s);
            second = co_await pool_->wait_for_link(std::chrono::steady_clock::now() + 50ms);
        },
        boost::asio::detached);
    io_.run_for(20ms);
    EXPECT_FALSE(first.has_value());
    pool_->give_back(std::move(held));
    io_.run_for(20ms);
    EXPECT_EQ(first, true);
    EXPECT_FALSE(second.has_value());
    io_.run_for(200ms);
    EXPECT_EQ(second, false);
}

}  // namespace
}  // namespace sqlgate::proxy
