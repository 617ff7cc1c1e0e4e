// The budget of connections that have not logged in: the oldest closed to make room, a
// maximum per source, places given back at login or at the end, a shorter handshake under
// pressure.
#include "engine/pre_auth_budget.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <string>
#include <thread>
#include <vector>

namespace sqlgate::engine {
namespace {

using namespace std::chrono_literals;
using Refusal = PreAuthBudget::Refusal;

TEST(PreAuthBudget, TheOldestWaitingIsClosedToMakeRoom) {
    PreAuthBudget budget({.total = 2, .per_source = 0});
    std::vector<int> evicted;
    PreAuthBudget::Ticket a, b, c;
    EXPECT_EQ(budget.admit(
                  "10.0.0.1", [&] { evicted.push_back(1); }, a),
              Refusal::none);
    EXPECT_EQ(budget.admit(
                  "10.0.0.2", [&] { evicted.push_back(2); }, b),
              Refusal::none);
    EXPECT_TRUE(evicted.empty());
    EXPECT_EQ(budget.admit(
                  "10.0.0.3", [&] { evicted.push_back(3); }, c),
              Refusal::none);
    EXPECT_EQ(evicted, std::vector<int>{1});
    EXPECT_EQ(budget.waiting(), 2u);
    EXPECT_EQ(budget.evicted(), 1u);
    a.release();  // already out: nothing changes
    EXPECT_EQ(budget.waiting(), 2u);
}

TEST(PreAuthBudget, TheSourceWithTheMostWaitingLosesItsOldestFirst) {
    PreAuthBudget budget({.total = 3, .per_source = 0});
    std::vector<std::string> evicted;
    PreAuthBudget::Ticket client, f1, f2, f3, f4;
    const auto note = [&](std::string who) { return [&evicted, who] { evicted.push_back(who); }; };
    budget.admit("10.0.0.1", note("client"), client);  // the oldest of all
    budget.admit("10.0.9.9", note("f1"), f1);
    budget.admit("10.0.9.9", note("f2"), f2);
    budget.admit("10.0.9.9", note("f3"), f3);  // full: the flooding source gives way
    budget.admit("10.0.8.8", note("f4"), f4);
    EXPECT_EQ(evicted, (std::vector<std::string>{"f1", "f2"}));
    // Every source with one waiting: the oldest of all goes.
    PreAuthBudget::Ticket f5;
    budget.admit("10.0.7.7", note("f5"), f5);
    EXPECT_EQ(evicted.back(), "client");
}

TEST(PreAuthBudget, ALoggedInConnectionIsNeverEvicted) {
    PreAuthBudget budget({.total = 1, .per_source = 0});
    int evicted = 0;
    PreAuthBudget::Ticket user, flood;
    budget.admit(
        "10.0.0.1", [&] { ++evicted; }, user);
    user.release();  // authenticated
    for (int i = 0; i < 5; ++i)
        budget.admit(
            "10.0.0.9", [&] {}, flood);
    EXPECT_EQ(evicted, 0);
    EXPECT_EQ(budget.waiting(), 1u);
}

TEST(PreAuthBudget, ASourceAtItsMaximumIsRefusedAndOthersStillGetIn) {
    PreAuthBudget budget({.total = 10, .per_source = 2});
    PreAuthBudget::Ticket t1, t2, t3, other;
    EXPECT_EQ(budget.admit(
                  "10.0.0.1", [] {}, t1),
              Refusal::none);
    EXPECT_EQ(budget.admit(
                  "10.0.0.1", [] {}, t2),
              Refusal::none);
    EXPECT_EQ(budget.admit(
                  "10.0.0.1", [] {}, t3),
              Refusal::source_full);
    EXPECT_EQ(budget.admit(
                  "10.0.0.2", [] {}, other),
              Refusal::none);
    t1 = PreAuthBudget::Ticket();  // one of the source's ended: room again
    EXPECT_EQ(budget.admit(
                  "10.0.0.1", [] {}, t3),
              Refusal::none);
    EXPECT_EQ(budget.waiting(), 3u);
}

TEST(PreAuthBudget, TheHandshakeTimeoutShortensOverHalfFull) {
    PreAuthBudget budget(
        {.total = 4, .per_source = 0, .timeout = 10s, .timeout_under_pressure = 2s});
    std::vector<PreAuthBudget::Ticket> tickets(3);
    EXPECT_EQ(budget.handshake_timeout(), 10s);
    budget.admit(
        "a", [] {}, tickets[0]);
    budget.admit(
        "b", [] {}, tickets[1]);
    EXPECT_EQ(budget.handshake_timeout(), 10s);  // half: not over it
    budget.admit(
        "c", [] {}, tickets[2]);
    EXPECT_EQ(budget.handshake_timeout(), 2s);
    tickets.clear();
    EXPECT_EQ(budget.handshake_timeout(), 10s);
}

TEST(PreAuthBudget, ZeroTotalMeansNoBudget) {
    PreAuthBudget budget({.total = 0, .per_source = 1});
    std::vector<PreAuthBudget::Ticket> tickets(100);
    for (auto& t : tickets)
        EXPECT_EQ(budget.admit(
                      "a", [] {}, t),
                  Refusal::none);
    EXPECT_EQ(budget.waiting(), 0u);
}

TEST(PreAuthBudget, AnEvictedConnectionMayReleaseItsTicketWhileBeingClosed) {
    PreAuthBudget budget({.total = 1, .per_source = 0});
    PreAuthBudget::Ticket first, second;
    bool closed = false;
    budget.admit(
        "a",
        [&] {
            closed = true;
            first.release();  // what a session that ends at once does
        },
        first);
    budget.admit(
        "b", [] {}, second);
    EXPECT_TRUE(closed);
    EXPECT_EQ(budget.waiting(), 1u);
}

TEST(PreAuthBudget, ATicketMayOutliveItsBudget) {
    PreAuthBudget::Ticket ticket;
    {
        PreAuthBudget budget({.total = 1});
        budget.admit(
            "a", [] {}, ticket);
    }
    ticket.release();  // nothing to give back to, and no crash
}

// The event-loop threads of a listener share one budget (copies of a PreAuthBudget share
// its state): a connection on one thread can make another thread's oldest give way, and
// admissions and releases from several threads at once keep the counts exact.
TEST(PreAuthBudget, CopiesShareOneBudgetAcrossThreads) {
    PreAuthBudget control({.total = 2, .per_source = 0});
    PreAuthBudget worker = control;
    int evicted = 0;
    PreAuthBudget::Ticket a, b, c;
    EXPECT_EQ(control.admit(
                  "10.0.0.1", [&] { ++evicted; }, a),
              Refusal::none);
    EXPECT_EQ(worker.admit(
                  "10.0.0.2", [] {}, b),
              Refusal::none);
    EXPECT_EQ(worker.admit(
                  "10.0.0.3", [] {}, c),
              Refusal::none);
    EXPECT_EQ(evicted, 1);  // the oldest, admitted by the other copy
    EXPECT_EQ(control.waiting(), 2u);

    PreAuthBudget shared({.total = 64, .per_source = 0});
    std::atomic<int> evictions{0};
    // The barrier makes every thread hold its tickets at the same time: without it a loaded
    // machine may run the threads one after another and never exceed the budget.
    std::barrier in_step(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([copy = shared, t, &evictions, &in_step]() mutable {
            std::vector<PreAuthBudget::Ticket> held(40);
            for (int round = 0; round < 200; ++round) {
                for (auto& ticket : held) {
                    copy.admit(
                        "10.1.0." + std::to_string(t), [&evictions] { ++evictions; }, ticket);
                }
                in_step.arrive_and_wait();
                for (auto& ticket : held)
                    ticket.release();
                in_step.arrive_and_wait();
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    EXPECT_EQ(shared.waiting(), 0u);
    EXPECT_GT(evictions.load(), 0);  // 160 held at once against a budget of 64
    EXPECT_EQ(shared.evicted(), static_cast<std::uint64_t>(evictions.load()));
}

}  // namespace
}  // namespace sqlgate::engine
