#include "proxy/replica_monitor.hpp"

#include <gtest/gtest.h>

namespace sqlgate::proxy {
namespace {

TEST(ReadOnlyBypass, GlobalPrivilegesThatWriteDespiteReadOnly) {
    EXPECT_EQ(read_only_bypass({"GRANT SUPER ON *.* TO `p`@`%` IDENTIFIED BY PASSWORD '*AB'"}),
              "SUPER");
    EXPECT_EQ(read_only_bypass({"GRANT USAGE ON *.* TO `p`@`%`",
                                "GRANT ALL PRIVILEGES ON *.* TO `p`@`127.0.%`"}),
              "ALL PRIVILEGES");
    EXPECT_EQ(read_only_bypass({"GRANT SELECT, READ_ONLY ADMIN ON *.* TO `p`@`%`"}),
              "READ_ONLY ADMIN");
    EXPECT_EQ(read_only_bypass({"GRANT RELOAD, SUPER, PROCESS ON *.* TO `p`@`%`"}), "SUPER");
}

TEST(ReadOnlyBypass, OrdinaryGrantsDoNot) {
    EXPECT_EQ(read_only_bypass({}), std::nullopt);
    EXPECT_EQ(
        read_only_bypass({"GRANT SELECT, INSERT, UPDATE ON *.* TO `p`@`%`",
                          "GRANT ALL PRIVILEGES ON `shop`.* TO `p`@`%`", "GRANT `super` TO `p`@`%`",
                          "GRANT SLAVE MONITOR ON *.* TO `p`@`%`"}),
        std::nullopt);
    // A schema named like a privilege is not one.
    EXPECT_EQ(read_only_bypass({"GRANT SELECT ON `SUPER`.* TO `p`@`%`"}), std::nullopt);
}

}  // namespace
}  // namespace sqlgate::proxy
