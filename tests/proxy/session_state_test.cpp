#include "proxy/session_state.hpp"

#include <gtest/gtest.h>

namespace sqlgate::proxy {
namespace {

using mysql::Command;

std::vector<std::string> arguments(const std::vector<const StateStep*>& steps) {
    std::vector<std::string> out;
    for (const StateStep* step : steps)
        out.push_back(step->argument);
    return out;
}

TEST(SessionState, AConnectionBehindTheSessionRunsOnlyWhatItMisses) {
    SessionState state;
    state.record(Command::init_db, "shop", true);
    const StatePoint after_login = state.last();
    state.record(Command::query, "SET NAMES latin1", false);
    state.record(Command::query, "SET @a = 1", false);
    std::vector<const StateStep*> missing;
    ASSERT_TRUE(state.missing_after(after_login, missing));
    EXPECT_EQ(arguments(missing), (std::vector<std::string>{"SET NAMES latin1", "SET @a = 1"}));
    ASSERT_TRUE(state.missing_after(state.last(), missing));
    EXPECT_TRUE(missing.empty());
    ASSERT_TRUE(state.missing_after(nullptr, missing));
    EXPECT_EQ(missing.size(), 3u);
}

TEST(SessionState, EqualStepsOfAnotherSessionCountAsTheSame) {
    SessionState mine;
    SessionState theirs;
    mine.record(Command::init_db, "shop", true);
    theirs.record(Command::init_db, "shop", true);
    mine.record(Command::query, "SET NAMES utf8mb4", false);
    std::vector<const StateStep*> missing;
    ASSERT_TRUE(mine.missing_after(theirs.last(), missing));
    EXPECT_EQ(arguments(missing), (std::vector<std::string>{"SET NAMES utf8mb4"}));
}

TEST(SessionState, AConnectionThatRanSomethingElseMustBeReset) {
    SessionState mine;
    SessionState theirs;
    mine.record(Command::init_db, "shop", true);
    theirs.record(Command::init_db, "crm", true);
    std::vector<const StateStep*> missing;
    EXPECT_FALSE(mine.missing_after(theirs.last(), missing));
    theirs.clear();
    theirs.record(Command::init_db, "shop", true);
    theirs.record(Command::query, "SET @a = 2", false);  // one step more than mine
    EXPECT_FALSE(mine.missing_after(theirs.last(), missing));
    // A connection further along than a session with less state.
    SessionState shorter;
    shorter.record(Command::init_db, "shop", true);
    EXPECT_FALSE(shorter.missing_after(theirs.last(), missing));
    SessionState empty;
    EXPECT_FALSE(empty.missing_after(theirs.last(), missing));
    // Same depth, differing first step.
    SessionState other;
    other.record(Command::init_db, "crm", true);
    other.record(Command::query, "SET @a = 2", false);
    theirs.clear();
    theirs.record(Command::init_db, "shop", true);
    theirs.record(Command::query, "SET @a = 2", false);
    EXPECT_FALSE(other.missing_after(theirs.last(), missing));
}

TEST(SessionState, TheSchemaChoiceIsRemembered) {
    SessionState state;
    EXPECT_FALSE(state.chose_schema());
    state.record(Command::query, "SET NAMES utf8mb4", false);
    EXPECT_FALSE(state.chose_schema());
    state.record(Command::query, "USE shop", true);
    state.record(Command::query, "SET @a = 1", false);
    EXPECT_TRUE(state.chose_schema());
}

}  // namespace
}  // namespace sqlgate::proxy
