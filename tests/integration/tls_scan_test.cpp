// testssl.sh (Debian's) against the gatekeeper's public ports, HTTPS and MySQL (STARTTLS):
// a scanner nobody here wrote must find TLS 1.2 and 1.3 only, and no suite below AEAD with
// forward secrecy — none of the obsolete CBC suites it flagged before (LUCKY13).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/chain.hpp"

namespace sqlgate::testing {
namespace {

struct Finding {
    std::string id;
    std::string severity;
    std::string finding;
};

// testssl's flat JSON: one object per check.
std::vector<Finding> scan(const Chain& chain, unsigned port, const std::string& starttls) {
    const std::string json = chain.config_dir() + "/testssl-" + std::to_string(port) + ".json";
    std::string out;
    const std::string command = "testssl --quiet --color 0 --warnings batch --openssl-timeout 5 " +
                                starttls + " -p -s -U --jsonfile '" + json + "' " +
                                kGatekeeperAddress + ":" + std::to_string(port) + " 2>&1";
    run_command(command, &out);
    const auto parsed = nlohmann::json::parse(read_file(json), nullptr, false);
    std::vector<Finding> findings;
    if (!parsed.is_array()) {
        ADD_FAILURE() << "testssl wrote no JSON; its output:\n" << out;
        return findings;
    }
    for (const auto& f : parsed) {
        findings.push_back({f.value("id", ""), f.value("severity", ""), f.value("finding", "")});
    }
    return findings;
}

std::string finding_of(const std::vector<Finding>& findings, const std::string& id) {
    for (const Finding& f : findings)
        if (f.id == id) return f.finding;
    return "(no such check)";
}

void expect_modern_tls_only(const std::vector<Finding>& findings) {
    ASSERT_FALSE(findings.empty());
    for (const char* old : {"SSLv2", "SSLv3", "TLS1", "TLS1_1"}) {
        EXPECT_EQ(finding_of(findings, old), "not offered") << old;
    }
    EXPECT_NE(finding_of(findings, "TLS1_2").find("offered"), std::string::npos);
    EXPECT_EQ(finding_of(findings, "TLS1_2").find("not offered"), std::string::npos);
    EXPECT_NE(finding_of(findings, "TLS1_3").find("offered"), std::string::npos);
    EXPECT_EQ(finding_of(findings, "TLS1_3").find("not offered"), std::string::npos);
    // Every cipher category but the strong one is absent (AVERAGE is where testssl 3.0 files
    // the CBC suites it called obsolete).
    for (const char* weak : {"cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT",
                             "cipherlist_LOW", "cipherlist_3DES_IDEA", "cipherlist_AVERAGE"}) {
        EXPECT_EQ(finding_of(findings, weak).find("not offered"), 0u)
            << weak << ": " << finding_of(findings, weak);
    }
    EXPECT_EQ(finding_of(findings, "LUCKY13").find("not vulnerable"), 0u)
        << finding_of(findings, "LUCKY13");
    // No check at all rated above INFO/OK: nothing weak, nothing vulnerable.
    for (const Finding& f : findings) {
        const bool bad = f.severity == "LOW" || f.severity == "MEDIUM" || f.severity == "HIGH" ||
                         f.severity == "CRITICAL";
        // The chain's certificates come from its own test CA, which no scanner trusts.
        const bool certificate = f.id.starts_with("cert") || f.id.starts_with("chain_of_trust");
        EXPECT_FALSE(bad && !certificate) << f.id << " " << f.severity << ": " << f.finding;
    }
}

TEST(TlsScan, TestsslFindsOnlyModernSuitesOnTheGatekeepersHttpsPort) {
    Chain chain;
    expect_modern_tls_only(scan(chain, chain.http_port(), ""));
}

TEST(TlsScan, TestsslFindsOnlyModernSuitesOnTheGatekeepersMysqlPort) {
    Chain chain;
    expect_modern_tls_only(scan(chain, chain.gatekeeper_port(), "--starttls mysql"));
}

}  // namespace
}  // namespace sqlgate::testing
