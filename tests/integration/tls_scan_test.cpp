// testssl.sh (Debian's) against the gatekeeper's public ports, HTTPS and MySQL (STARTTLS), and
// the inner hop to the trusted host with the gatekeeper's client certificate: a scanner nobody
// here wrote must find TLS 1.2 and 1.3 only, and no suite below AEAD with forward secrecy —
// none of the obsolete CBC suites it flagged before (LUCKY13).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/chain.hpp"

namespace sqlgate::testing {
namespace {

struct Finding {
    std::string id;
    std::string severity;
    std::string finding;
};

// testssl's flat JSON: one object per check. `options` go before the target's address.
std::vector<Finding> scan(const Chain& chain, const std::string& address, unsigned port,
                          const std::string& options) {
    const std::string json = chain.config_dir() + "/testssl-" + std::to_string(port) + ".json";
    std::string out;
    const std::string command = "testssl --quiet --color 0 --warnings batch --openssl-timeout 5 " +
                                options + " -p -s -U --jsonfile '" + json + "' " + address + ":" +
                                std::to_string(port) + " 2>&1";
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
    expect_modern_tls_only(scan(chain, kGatekeeperAddress, chain.http_port(), ""));
}

TEST(TlsScan, TestsslFindsOnlyModernSuitesOnTheGatekeepersMysqlPort) {
    Chain chain;
    expect_modern_tls_only(
        scan(chain, kGatekeeperAddress, chain.gatekeeper_port(), "--starttls mysql"));
}

// testssl 3.0 has no client-certificate option, and the trusted host ends every handshake
// without the gatekeeper's certificate, so the scan's openssl is a wrapper that presents it
// on each s_client call. testssl connects from the loopback's default source, which the
// trusted host is told to accept besides the gatekeeper's address.
TEST(TlsScan, TestsslWithTheGatekeepersCertificateFindsOnlyModernSuitesOnTheInnerHop) {
    Chain chain({.trusted_host_more_sources = {"127.0.0.1"}});
    const std::string wrapper = chain.config_dir() + "/openssl-with-client-certificate";
    {
        std::ofstream out(wrapper);
        out << "#!/bin/sh\nif [ \"$1\" = s_client ]; then\n    shift\n"
            << "    exec /usr/bin/openssl s_client -cert '" << chain.certs()
            << "/gatekeeper.crt' -key '" << chain.certs() << "/gatekeeper.key' \"$@\"\n"
            << "fi\nexec /usr/bin/openssl \"$@\"\n";
    }
    ::chmod(wrapper.c_str(), 0755);
    const auto findings = scan(chain, kTrustedHostAddress, chain.trusted_host_port(),
                               "--openssl '" + wrapper + "' --starttls mysql");
    expect_modern_tls_only(findings);
    // Every handshake the trusted host refused failed on the protocol or the suites, none on
    // a missing certificate: the scan's full handshakes carried the gatekeeper's.
    const std::string log = chain.trusted_host_log();
    EXPECT_NE(log.find("no shared cipher"), std::string::npos) << log;
    EXPECT_EQ(log.find("certificate"), std::string::npos) << log;
}

}  // namespace
}  // namespace sqlgate::testing
