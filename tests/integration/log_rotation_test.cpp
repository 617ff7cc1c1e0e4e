// The audit log rotated under load with the logrotate configuration the Debian package
// ships: the gatekeeper reopens it on SIGUSR1, and every statement has its line.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/chain.hpp"

namespace sqlgate::testing {
namespace {

std::size_t lines_in(const std::string& file) {
    std::ifstream in(file);
    std::size_t lines = 0;
    for (std::string line; std::getline(in, line);)
        ++lines;
    return lines;
}

// The shipped config, pointed at `audit` and at the test's gatekeeper instead of the
// systemd units (the directives stay as shipped).
std::string test_logrotate_config(const std::string& audit, pid_t gatekeeper) {
    std::ifstream in(source_dir() + "/packaging/logrotate/sqlgate");
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string path = "/var/log/sqlgate/*.log";
    config.replace(config.find(path), path.size(), audit);
    const std::size_t command = config.find("systemctl kill");
    config.replace(command, config.find('\n', command) - command,
                   "kill -USR1 " + std::to_string(gatekeeper));
    return config;
}

TEST(LogRotation, TheShippedLogrotateConfigLosesNoAuditLine) {
    Chain chain;
    const std::string audit = chain.config_dir() + "/audit.log";
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->query("SELECT 1").ok);
    const std::size_t before = lines_in(audit);
    ASSERT_GT(before, 0u);

    std::atomic<bool> stop = false;
    std::atomic<int> statements = 0;
    std::thread load([&] {
        auto client = chain.connect();
        while (!stop && client) {
            if (client->query("SELECT 2").ok) ++statements;
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::string config = chain.config_dir() + "/logrotate.conf";
    std::ofstream(config) << test_logrotate_config(audit, chain.gatekeeper_pid());
    std::string out;
    const int status = run_command("logrotate --force --state '" + chain.config_dir() +
                                       "/logrotate.state' '" + config + "' 2>&1",
                                   &out);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
    load.join();
    ASSERT_EQ(status, 0) << out;
    // The login's own statements count too: compare with what the load ran, at least.
    const std::size_t rotated = lines_in(audit + ".1");
    const std::size_t current = lines_in(audit);
    EXPECT_GT(rotated, before) << "nothing was rotated";
    EXPECT_GT(current, 0u) << "the gatekeeper did not reopen its audit log";
    std::size_t load_lines = 0;
    for (const std::string& file : {audit + ".1", audit}) {
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
            if (line.find("\"statement\":\"SELECT ?\"") != std::string::npos) ++load_lines;
        }
    }
    // Each SELECT 2 the load ran left exactly one line, in one file or the other (the SELECT 1
    // before it too, which shares its shape).
    EXPECT_EQ(load_lines, static_cast<std::size_t>(statements) + 1)
        << rotated << " rotated lines, " << current << " current";
    EXPECT_NE(chain.gatekeeper_log().find("event=audit_log_reopened"), std::string::npos)
        << chain.gatekeeper_log();
}

}  // namespace
}  // namespace sqlgate::testing
