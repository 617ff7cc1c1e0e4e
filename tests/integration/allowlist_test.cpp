// The learned statement allowlist against a real injection scanner: a careless web
// application (tests/clients/node/injectable_app.mjs) splices its parameters into SQL and
// connects through the gatekeeper; sqlmap (Debian's) attacks it. With the injection
// heuristics alone sqlmap finds the injections; once the application's normal requests were
// learned and the user switched to protect, it finds none and every normal request answers.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "eventually.hpp"
#include "harness/chain.hpp"
#include "obs/admin_client.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAppAddress = "127.0.31.20";  // the web application's own host
constexpr const char* kTable = "chain_db.shop_items";

// The scenario: both front roles keep an allowlist, the app user starts in `mode`.
ChainScenario allowlist_scenario(const std::string& mode) {
    ChainScenario s;
    s.gatekeeper_toml = "[firewall]\nallowlist = \"gatekeeper-allowlist.txt\"\n";
    s.trusted_host_toml = "[firewall]\nallowlist = \"trusted-host-allowlist.txt\"\n";
    s.app_user_toml = "firewall = \"" + mode + "\"\n";
    return s;
}

void make_shop(Chain& chain) {
    auto c = chain.connect();
    ASSERT_TRUE(c);
    for (const std::string& sql :
         {std::string("DROP TABLE IF EXISTS ") + kTable,
          std::string("CREATE TABLE ") + kTable +
              " (id INT PRIMARY KEY, name VARCHAR(40), price INT, secret VARCHAR(40))",
          std::string("INSERT INTO ") + kTable +
              " VALUES (1, 'apple', 3, 'sesame'), (2, 'bread', 5, 'hunter2'), "
              "(3, 'cheese', 9, 'letmein'), (4, 'dates', 7, 'swordfish')"}) {
        const auto r = c->query(sql);
        ASSERT_TRUE(r.ok) << sql << ": " << r.error;
    }
}

// The application, logging in through the gatekeeper as the app user.
std::unique_ptr<RoleProcess> start_app(const Chain& chain, unsigned port) {
    const std::string password_file = chain.config_dir() + "/app-password";
    std::ofstream(password_file) << kAppPassword << '\n';
    ::chmod(password_file.c_str(), 0600);
    return std::make_unique<RoleProcess>(
        "injectable-app", chain.config_dir(),
        std::vector<std::string>{"node", source_dir() + "/tests/clients/node/injectable_app.mjs",
                                 kAppAddress, std::to_string(port), kGatekeeperAddress,
                                 std::to_string(chain.gatekeeper_port()), kAppUser, password_file,
                                 chain.certs() + "/ca.crt", kTable},
        [port] { return port_listens(port, kAppAddress); });
}

struct Page {
    int status = 0;
    std::string body;
};

Page get(unsigned port, const std::string& target) {
    std::string out;
    run_command("curl -s --max-time 20 -w '\\n%{http_code}' 'http://" + std::string(kAppAddress) +
                    ":" + std::to_string(port) + target + "'",
                &out);
    const std::size_t cut = out.rfind('\n');
    if (cut == std::string::npos) return {};
    return {std::atoi(out.c_str() + cut + 1), out.substr(0, cut)};
}

// What the application's users do: look items up by id and by name.
void normal_requests(unsigned port) {
    const std::pair<const char*, const char*> lookups[] = {
        {"/item?id=1", "apple"},     {"/item?id=3", "cheese"},    {"/item?id=4", "dates"},
        {"/search?name=bread", "2"}, {"/search?name=apple", "1"}, {"/search?name=dates", "4"},
    };
    for (const auto& [target, expected] : lookups) {
        const Page page = get(port, target);
        EXPECT_EQ(page.status, 200) << target << ": " << page.body;
        EXPECT_NE(page.body.find(std::string("<td>") + expected + "</td>"), std::string::npos)
            << target << ": " << page.body;
    }
}

struct SqlmapRun {
    bool injectable = false;
    bool not_injectable = false;
    std::string summary;  // sqlmap's verdict lines, for the failure message and the README
};

SqlmapRun sqlmap(const Chain& chain, unsigned port, const std::string& target,
                 const std::string& parameter) {
    const std::string out_dir = chain.config_dir() + "/sqlmap-" + parameter;
    std::string out;
    run_command("sqlmap --batch --level 3 --risk 2 --flush-session --disable-coloring -p " +
                    parameter + " --output-dir '" + out_dir + "' -u 'http://" + kAppAddress + ":" +
                    std::to_string(port) + target + "' 2>&1",
                &out);
    SqlmapRun run;
    run.injectable = out.find("identified the following injection point") != std::string::npos;
    run.not_injectable =
        out.find("all tested parameters do not appear to be injectable") != std::string::npos;
    std::size_t at = 0;
    for (std::size_t end; (end = out.find('\n', at)) != std::string::npos; at = end + 1) {
        const std::string line = out.substr(at, end - at);
        if (line.find("injectable") != std::string::npos ||
            line.find("Type: ") != std::string::npos ||
            line.find("Payload: ") != std::string::npos) {
            run.summary += line + "\n";
        }
    }
    if (run.summary.empty()) run.summary = out.substr(out.size() > 3000 ? out.size() - 3000 : 0);
    std::cout << "sqlmap " << target << " (" << parameter << "):\n" << run.summary;
    return run;
}

void reload(pid_t pid, const RoleProcess& role, std::size_t reloads_before) {
    ::kill(pid, SIGHUP);
    ASSERT_TRUE(eventually("the reload", 5s, [&] {
        return count_of(role.log(), "event=config_reloaded") > reloads_before;
    })) << role.log();
}

// The chain with the shop's table, the application in front of it, and its users' requests
// run once (learned when the app user is in learn mode).
struct Shop {
    explicit Shop(const std::string& mode) : chain(allowlist_scenario(mode)) {
        make_shop(chain);
        app = start_app(chain, port);
        normal_requests(port);
    }
    // sqlmap against each parameter: the numeric one, then the string one.
    std::pair<SqlmapRun, SqlmapRun> scan() const {
        return {sqlmap(chain, port, "/item?id=1", "id"),
                sqlmap(chain, port, "/search?name=apple", "name")};
    }

    Chain chain;
    unsigned port = next_port();
    std::unique_ptr<RoleProcess> app;
};

// The heuristics alone: the application is injectable and sqlmap proves it, so the next
// test's "nothing found" means the allowlist stopped it, not a broken app or scanner.
TEST(Allowlist, SqlmapFindsTheInjectionsWithTheHeuristicsAlone) {
    const Shop shop("off");
    const auto [numeric, text] = shop.scan();
    EXPECT_TRUE(numeric.injectable) << numeric.summary;
    EXPECT_TRUE(text.injectable) << text.summary;
}

TEST(Allowlist, SqlmapFindsNothingOnceTheApplicationsShapesAreLearned) {
    const Shop shop("learn");
    const Chain& chain = shop.chain;
    const unsigned port = shop.port;

    // Learned: each shape once, at both roles, whatever the values were.
    const std::string gatekeeper_list = read_file(chain.config_dir() + "/gatekeeper-allowlist.txt");
    EXPECT_EQ(count_of(gatekeeper_list, "WHERE id = ?\n"), 1u) << gatekeeper_list;
    EXPECT_EQ(count_of(gatekeeper_list, "WHERE name = ?\n"), 1u) << gatekeeper_list;
    EXPECT_EQ(count_of(gatekeeper_list, "apple"), 0u) << "a value in the list: " << gatekeeper_list;
    const std::string trusted_list = read_file(chain.config_dir() + "/trusted-host-allowlist.txt");
    EXPECT_EQ(count_of(trusted_list, "WHERE id = ?\n"), 1u) << trusted_list;

    for (const RoleProcess* role : {&chain.gatekeeper(), &chain.trusted_host()}) {
        replace_in_file(role->config_file(), "firewall = \"learn\"", "firewall = \"protect\"");
        reload(role->pid(), *role, 0);
    }
    normal_requests(port);

    const auto [numeric, text] = shop.scan();
    EXPECT_FALSE(numeric.injectable) << numeric.summary;
    EXPECT_TRUE(numeric.not_injectable) << numeric.summary;
    EXPECT_FALSE(text.injectable) << text.summary;
    EXPECT_TRUE(text.not_injectable) << text.summary;
    normal_requests(port);  // the scan changed nothing for the application's users

    // The refusals name the rule and the shape's digest, in the error and the audit line.
    const Page refused =
        get(port, "/item?id=1%20UNION%20SELECT%201,secret,3%20FROM%20" + std::string(kTable));
    EXPECT_EQ(refused.status, 500);
    EXPECT_NE(refused.body.find("not_in_allowlist: statement shape "), std::string::npos)
        << refused.body;
    EXPECT_EQ(refused.body.find("sesame"), std::string::npos) << refused.body;
    EXPECT_NE(chain.audit_log().find("\"verdict\":\"reject\",\"rule\":\"not_in_allowlist\""),
              std::string::npos);
}

// The trusted host checks its own list: a shape the gatekeeper only detects is refused there.
// The operator ships shapes with `sqlgate firewall export` (from a running role) and
// `sqlgate firewall import` (from an audit log), and a reload applies them.
TEST(Allowlist, TheTrustedHostChecksItsOwnListAndShapesShipWithTheCommands) {
    const unsigned admin_port = next_port();
    ChainScenario scenario = allowlist_scenario("learn");
    scenario.gatekeeper_toml += admin_toml(admin_port, kGatekeeperAddress);
    Chain chain(scenario);
    auto c = chain.connect();
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->query("SELECT CONCAT('a', 'b')").ok);
    ASSERT_TRUE(c->query("SELECT 17 + 4").ok);

    std::string exported;
    ASSERT_EQ(run_command(sqlgate_binary() + " firewall export --user " + kAppUser + " --admin " +
                              admin_of(admin_port, kGatekeeperAddress),
                          &exported),
              0)
        << exported;
    EXPECT_TRUE(exported.starts_with("# sqlgate statement allowlist")) << exported;
    EXPECT_NE(exported.find(std::string(kAppUser) + "\t"), std::string::npos) << exported;
    EXPECT_NE(exported.find("\tSELECT CONCAT (...)\n"), std::string::npos) << exported;
    EXPECT_NE(exported.find("\tSELECT ? + ?\n"), std::string::npos) << exported;
    EXPECT_EQ(exported.find("SELECT ? * ?"), std::string::npos) << exported;

    const std::string gatekeeper_config = chain.gatekeeper().config_file();
    replace_in_file(gatekeeper_config, "firewall = \"learn\"", "firewall = \"detect\"");
    reload(chain.gatekeeper_pid(), chain.gatekeeper(), 0);
    replace_in_file(chain.trusted_host().config_file(), "firewall = \"learn\"",
                    "firewall = \"protect\"");
    reload(chain.trusted_host_pid(), chain.trusted_host(), 0);

    EXPECT_TRUE(c->query("SELECT 'x' + 2").ok);  // a learned shape, other values
    const auto refused = c->query("SELECT 6 * 7");
    ASSERT_FALSE(refused.ok);
    EXPECT_NE(refused.error.find("not_in_allowlist: statement shape "), std::string::npos)
        << refused.error;
    // The gatekeeper (detect) let it through and said so: the refusal was the trusted host's.
    const std::string audit = chain.audit_log();
    EXPECT_NE(audit.find("\"statement\":\"SELECT ? * ?\",\"verdict\":\"allow\",\"rule\":"
                         "\"not_in_allowlist\""),
              std::string::npos)
        << audit;

    const std::string metrics =
        obs::call_admin(admin_of(admin_port, kGatekeeperAddress), "GET", "/metrics").body;
    EXPECT_NE(metrics.find(
                  "sqlgate_front_allowlist_misses_total{role=\"gatekeeper\",mode=\"detect\"} 1\n"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("sqlgate_front_allowlist_shapes{role=\"gatekeeper\"} 3\n"),
              std::string::npos)
        << metrics;

    // Reviewed and accepted: the gatekeeper's audit log imported into the trusted host's list.
    const std::string trusted_list = chain.config_dir() + "/trusted-host-allowlist.txt";
    std::string out;
    ASSERT_EQ(run_command(sqlgate_binary() + " firewall import --user " + kAppUser + " --into '" +
                              trusted_list + "' '" + chain.config_dir() + "/audit.log' 2>&1",
                          &out),
              0)
        << out;
    EXPECT_NE(out.find(" added)"), std::string::npos) << out;
    EXPECT_NE(read_file(trusted_list).find("\tSELECT ? * ?\n"), std::string::npos);
    reload(chain.trusted_host_pid(), chain.trusted_host(), 1);
    EXPECT_TRUE(c->query("SELECT 5 * 5").ok);

    // A list that cannot be read is refused at reload, naming the line; the one in force stays.
    std::ofstream(trusted_list, std::ios::app) << "app\t0000000000000000\tSELECT ?\n";
    ::kill(chain.trusted_host_pid(), SIGHUP);
    EXPECT_TRUE(eventually("the failed reload logged", 5s, [&] {
        return chain.trusted_host_log().find("event=reload_failed") != std::string::npos;
    }));
    EXPECT_NE(chain.trusted_host_log().find("is not the shape"), std::string::npos)
        << chain.trusted_host_log();
    EXPECT_TRUE(c->query("SELECT 5 * 5").ok);
    EXPECT_FALSE(c->query("SELECT 1 - 1").ok);
}

}  // namespace
}  // namespace sqlgate::testing
