// The demo workload (`sqlgate send-requests`) against a proxy on the test cluster: what
// scripts/run.sh shows a newcomer, checked end to end.
#include <gtest/gtest.h>

#include <fstream>

#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

TEST(Workload, SendRequestsRoutesWritesAndReadsAndReplicates) {
    TestCluster::get();
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    const std::string password_file = "/tmp/sqlgate-workload-test.pw";
    std::ofstream(password_file) << kAppPassword;
    std::string out;
    const std::string cmd = sqlgate_binary() + " send-requests --host " + kProxyAddress +
                            " --port " + std::to_string(proxy.port()) + " --user " + kAppUser +
                            " --password-file " + password_file + " 2>&1";
    const int status = run_command(cmd, &out);
    std::remove(password_file.c_str());
    ASSERT_EQ(status, 0) << out << "\nproxy log:\n" << proxy.log();
    EXPECT_NE(out.find("direct_table 20/20"), std::string::npos) << out;
    EXPECT_NE(out.find("random_table 20/20"), std::string::npos) << out;
    EXPECT_NE(out.find("customized_table 20/20"), std::string::npos) << out;
    EXPECT_EQ(out.find("lagging"), std::string::npos) << out;
}

}  // namespace
}  // namespace sqlgate::testing
