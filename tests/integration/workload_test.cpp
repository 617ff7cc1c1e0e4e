// The demo workload (`sqlgate send-requests`) against a proxy on the test cluster: what
// scripts/run.sh shows a newcomer, checked end to end; and the idle clients the benchmark's
// --connections mode holds open.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

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

// Each idle client logs in and runs its statement through the proxy, stays open while the
// proxy serves others, and is still answered at the end.
TEST(Workload, IdleClientsStayOpenWhileOthersRun) {
    TestCluster::get();
    ProxyProcess proxy({});
    proxy.wait_until_replicas_serve();
    const std::string defaults = "/tmp/sqlgate-idle-clients-test.cnf";
    std::ofstream(defaults) << "[client]\nhost=" << kProxyAddress << "\nport=" << proxy.port()
                            << "\nuser=" << kAppUser << "\npassword=" << kAppPassword << "\n";
    std::string out;
    std::thread idle([&] {
        run_command(sqlgate_binary() + " idle-clients --defaults-file " + defaults +
                        " --connections 300 --seconds 3 2>&1",
                    &out);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    auto busy = proxy.connect();
    for (int i = 0; i < 50; ++i) {
        EXPECT_GT(busy->server_id("/* sqlgate:route=random */ "), 0);
    }
    idle.join();
    std::remove(defaults.c_str());
    EXPECT_NE(out.find("connected=300 failed=0"), std::string::npos) << out;
    EXPECT_NE(out.find("still_open=300"), std::string::npos) << out << proxy.log();
}

}  // namespace
}  // namespace sqlgate::testing
