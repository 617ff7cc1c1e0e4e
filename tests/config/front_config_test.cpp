#include "config/front_config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace sqlgate::config {
namespace {

class FrontConfigTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sqlgate-front-config-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        for (const char* name : {"ca.crt", "gk.crt", "gk.key"})
            std::ofstream(dir_ / name) << "x";
        write_secrets("[users.app]\nuser = \"app_db\"\npassword = \"s3cret\"\n", 0600);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void write_secrets(const std::string& text, mode_t mode) {
        const auto path = dir_ / "th.secrets";
        std::ofstream(path) << text;
        ::chmod(path.c_str(), mode);
    }

    template <typename Parse>
    std::string error_of(Parse parse, const std::string& text) {
        try {
            parse(text, dir_ / "role.toml");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }
    std::string gatekeeper_error(const std::string& text) {
        return error_of(parse_gatekeeper_config, text);
    }
    std::string trusted_host_error(const std::string& text) {
        return error_of(parse_trusted_host_config, text);
    }

    std::filesystem::path dir_;
};

// `text` with the first `from` replaced by `to`.
std::string replace_first(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
}

const std::string kUpstream = R"(
[upstream]
address = "127.0.10.2"
server_name = "trusted-host"
certificate = "gk.crt"
private_key = "gk.key"
ca = "ca.crt"
)";

const std::string kGatekeeper = R"(
[listener]
address = "127.0.10.1"
max_statement_bytes = 4096

[tls]
certificate = "gk.crt"
private_key = "gk.key"
)" + kUpstream + R"(
[rate_limits]
per_user_per_second = 10
per_user_burst = 20

[[users]]
name = "app"
password_hash = "*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9"
allowed_kinds = ["read", "write"]
allowed_schemas = ["main_db"]
default_schema = "main_db"
)";

TEST_F(FrontConfigTest, GatekeeperConfigReadsEverySection) {
    const GatekeeperConfig c = parse_gatekeeper_config(kGatekeeper, dir_ / "gk.toml");
    EXPECT_EQ(c.listener.address, "127.0.10.1");
    EXPECT_EQ(c.listener.max_statement_bytes, 4096u);
    EXPECT_EQ(c.listener.max_unauthenticated, 256u);  // defaults
    EXPECT_EQ(c.listener.max_unauthenticated_per_source, 64u);
    std::string tuned = kGatekeeper;
    tuned.insert(tuned.find("max_statement_bytes"),
                 "max_unauthenticated = 64\nmax_unauthenticated_per_source = 4\n"
                 "handshake_timeout_under_pressure_ms = 500\n");
    const GatekeeperConfig t = parse_gatekeeper_config(tuned, dir_ / "gk.toml");
    EXPECT_EQ(t.listener.max_unauthenticated, 64u);
    EXPECT_EQ(t.listener.max_unauthenticated_per_source, 4u);
    EXPECT_EQ(t.listener.handshake_timeout_under_pressure, std::chrono::milliseconds(500));
    EXPECT_EQ(c.upstream.tls.certificate, dir_ / "gk.crt");  // relative to the config file
    EXPECT_EQ(c.rate_limits.per_user_burst, 20);
    ASSERT_EQ(c.users.size(), 1u);
    EXPECT_TRUE(c.users[0].policy.allowed_kinds.contains(policy::StatementKind::write));
    EXPECT_FALSE(c.users[0].policy.allowed_kinds.contains(policy::StatementKind::ddl));
    EXPECT_EQ(c.users[0].policy.default_schema, "main_db");
}

TEST_F(FrontConfigTest, GatekeeperRefusesAnyDatabaseCredential) {
    for (const std::string& line :
         {std::string("password = \"x\"\n"), std::string("secrets_file = \"th.secrets\"\n")}) {
        const std::string error = gatekeeper_error(line + kGatekeeper);
        EXPECT_NE(error.find("holds no database credentials"), std::string::npos) << error;
    }
    std::string with_password = kGatekeeper;
    with_password.insert(with_password.find("ca = \"ca.crt\"\n"), "password_file = \"pw\"\n");
    EXPECT_NE(gatekeeper_error(with_password).find("holds no database credentials"),
              std::string::npos);
    EXPECT_NE(gatekeeper_error(kGatekeeper + "\n[backend]\nuser = \"x\"\n").find("unknown key"),
              std::string::npos);
}

TEST_F(FrontConfigTest, GatekeeperRequiresTlsUnlessPlainLoopbackIsAllowed) {
    std::string no_tls = kGatekeeper;
    no_tls.erase(no_tls.find("[tls]"), no_tls.find("[upstream]") - no_tls.find("[tls]"));
    EXPECT_NE(gatekeeper_error(no_tls).find("requires TLS"), std::string::npos);
    std::string plain = no_tls;
    plain.insert(plain.find("[upstream]"), "[tls]\nallow_plain_from_loopback = true\n\n");
    EXPECT_EQ(gatekeeper_error(plain), "");
}

// Without TLS and a token the admin listener is loopback only; it is off unless given a port.
TEST_F(FrontConfigTest, AdminListenerIsLoopbackOnlyWithoutTlsAndToken) {
    EXPECT_FALSE(parse_gatekeeper_config(kGatekeeper, dir_ / "gk.toml").admin.enabled());
    const std::string admin = "[admin]\naddress = \"127.0.10.1\"\nport = 9191\n\n";
    const GatekeeperConfig c = parse_gatekeeper_config(admin + kGatekeeper, dir_ / "gk.toml");
    EXPECT_EQ(c.admin.address, "127.0.10.1");
    EXPECT_EQ(c.admin.port, 9191);
    const GatekeeperConfig with_peers = parse_gatekeeper_config(
        "[admin]\nport = 9191\npeers = [\"127.0.0.1:9192\", \"127.0.0.1:9190\"]\n\n" + kGatekeeper,
        dir_ / "gk.toml");
    EXPECT_EQ(with_peers.admin.peers,
              (std::vector<std::string>{"127.0.0.1:9192", "127.0.0.1:9190"}));
    for (const char* peer : {"10.0.0.5:9192", "127.0.0.1", "127.0.0.1:", "127.0.0.1:90x"}) {
        const std::string error = gatekeeper_error("[admin]\nport = 9191\npeers = [\"" +
                                                   std::string(peer) + "\"]\n\n" + kGatekeeper);
        EXPECT_NE(error.find("admin.peers"), std::string::npos) << peer << ": " << error;
    }
    for (const char* address : {"0.0.0.0", "10.1.2.3", "::"}) {
        const std::string error = gatekeeper_error("[admin]\naddress = \"" + std::string(address) +
                                                   "\"\nport = 9191\n\n" + kGatekeeper);
        EXPECT_NE(error.find("admin.address"), std::string::npos) << error;
        EXPECT_NE(error.find("loopback"), std::string::npos) << error;
    }
}

TEST_F(FrontConfigTest, AdminListenerOffLoopbackNeedsTlsAndAToken) {
    const std::string token = "token_sha256 = \"" + std::string(64, 'a') + "\"\n";
    const std::string tls = "tls_certificate = \"gk.crt\"\ntls_private_key = \"gk.key\"\n";
    const auto admin = [](const std::string& address, const std::string& keys) {
        return "[admin]\naddress = \"" + address + "\"\nport = 9191\n" + keys + "\n";
    };
    const GatekeeperConfig c =
        parse_gatekeeper_config(admin("10.1.2.3", tls + token) + kGatekeeper, dir_ / "gk.toml");
    EXPECT_TRUE(c.admin.secured());
    EXPECT_EQ(c.admin.tls.certificate, dir_ / "gk.crt");
    EXPECT_EQ(c.admin.token_sha256, std::string(64, 'a'));
    // One without the other is refused, on any address: a token over plain HTTP can be read
    // on the way, and TLS without a token lets anyone in.
    for (const std::string address : {"10.1.2.3", "127.0.0.1"}) {
        EXPECT_NE(gatekeeper_error(admin(address, tls) + kGatekeeper).find("admin.token_sha256"),
                  std::string::npos);
        EXPECT_NE(
            gatekeeper_error(admin(address, token) + kGatekeeper).find("admin.tls_certificate"),
            std::string::npos);
    }
    EXPECT_NE(
        gatekeeper_error(admin("10.1.2.3", "tls_certificate = \"gk.crt\"\n" + token) + kGatekeeper)
            .find("go together"),
        std::string::npos);
    EXPECT_NE(gatekeeper_error(admin("10.1.2.3", tls + "token_sha256 = \"abc\"\n") + kGatekeeper)
                  .find("64 hex digits"),
              std::string::npos);
    EXPECT_NE(gatekeeper_error(admin("10.1.2.3",
                                     "tls_certificate = \"none.crt\"\ntls_private_key = "
                                     "\"gk.key\"\n" +
                                         token) +
                               kGatekeeper)
                  .find("no such file"),
              std::string::npos);
}

// Found with tests/fuzz/config_fuzz: a TLS path the file system cannot look up (a name over
// 255 bytes, a symlink loop) threw std::filesystem_error, which start-up does not catch.
TEST_F(FrontConfigTest, AnUncheckableTlsPathIsAConfigError) {
    std::string text = kGatekeeper;
    text.replace(text.find("\"gk.crt\""), 8, "\"" + std::string(300, 'a') + "\"");
    const std::string error = gatekeeper_error(text);
    EXPECT_NE(error.find("tls.certificate: cannot check "), std::string::npos) << error;
    EXPECT_NE(error.find("File name too long"), std::string::npos) << error;
}

TEST_F(FrontConfigTest, ErrorsNameFileLineAndKey) {
    std::string bad = kGatekeeper;
    bad.replace(bad.find("\"read\", \"write\""), 15, "\"read\", \"wirte\"");
    const std::string error = gatekeeper_error(bad);
    EXPECT_NE(error.find("role.toml:"), std::string::npos) << error;
    EXPECT_NE(error.find("allowed_kinds"), std::string::npos) << error;
    EXPECT_NE(error.find("wirte"), std::string::npos) << error;
    std::string bad_hash = kGatekeeper;
    bad_hash.replace(bad_hash.find("*6BB4"), 5, "6BB48");
    EXPECT_NE(gatekeeper_error(bad_hash).find("password_hash"), std::string::npos);
}

const std::string kTrustedHost = R"(
secrets_file = "th.secrets"

[listener]
address = "127.0.10.2"

[tls]
certificate = "gk.crt"
private_key = "gk.key"
ca = "ca.crt"

[access]
allowed_sources = ["127.0.10.1", "10.0.1.0/24"]
client_certificate_names = ["gatekeeper"]
)" + kUpstream + R"(
[[users]]
name = "app"
allowed_kinds = ["read"]
allowed_schemas = ["main_db"]
)";

TEST_F(FrontConfigTest, TrustedHostReadsCredentialsFromItsSecretsFile) {
    const TrustedHostConfig c = parse_trusted_host_config(kTrustedHost, dir_ / "th.toml");
    ASSERT_EQ(c.credentials.count("app"), 1u);
    EXPECT_EQ(c.credentials.at("app").user, "app_db");
    EXPECT_EQ(c.credentials.at("app").password, "s3cret");
    EXPECT_EQ(c.access.allowed_sources.size(), 2u);
    // Its clients are the gatekeeper's upstream logins: no pre-auth budget unless asked.
    EXPECT_EQ(c.listener.max_unauthenticated, 0u);
    EXPECT_EQ(c.listener.max_unauthenticated_per_source, 0u);
}

TEST_F(FrontConfigTest, TrustedHostRefusesASecretsFileOthersCanRead) {
    write_secrets("[users.app]\nuser = \"app_db\"\npassword = \"s3cret\"\n", 0644);
    const std::string error = trusted_host_error(kTrustedHost);
    EXPECT_NE(error.find("chmod 600"), std::string::npos) << error;
}

TEST_F(FrontConfigTest, TrustedHostNeedsCredentialsForEveryUserAndPeerRules) {
    write_secrets("[users.other]\nuser = \"x\"\npassword = \"y\"\n", 0600);
    EXPECT_NE(trusted_host_error(kTrustedHost).find("users.app.user: missing"), std::string::npos);
    std::string no_names = kTrustedHost;
    const std::string names_line = "client_certificate_names = [\"gatekeeper\"]\n";
    no_names.erase(no_names.find(names_line), names_line.size());
    EXPECT_NE(trusted_host_error(no_names).find("client_certificate_names"), std::string::npos);
    std::string bad_cidr = kTrustedHost;
    bad_cidr.replace(bad_cidr.find("10.0.1.0/24"), 11, "10.0.1.0/99");
    EXPECT_NE(trusted_host_error(bad_cidr).find("not an address or CIDR"), std::string::npos);
}

// [runtime] threads, as the proxy reads it: one per core by default or with 0, at most 64.
TEST_F(FrontConfigTest, BothFrontsReadTheirEventLoopThreads) {
    const std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
    const auto dir = dir_;
    const auto gatekeeper = [&dir](const std::string& runtime) {
        return parse_gatekeeper_config(runtime + kGatekeeper, dir / "gk.toml").threads;
    };
    EXPECT_EQ(gatekeeper(""), cores);
    EXPECT_EQ(gatekeeper("[runtime]\nthreads = 0\n"), cores);
    EXPECT_EQ(gatekeeper("[runtime]\nthreads = 1\n"), 1u);
    EXPECT_EQ(gatekeeper("[runtime]\nthreads = 3\n"), 3u);
    EXPECT_NE(gatekeeper_error("[runtime]\nthreads = 65\n" + kGatekeeper)
                  .find("runtime.threads: at most 64"),
              std::string::npos);
    EXPECT_NE(gatekeeper_error("[runtime]\nthreads = 2\nworkers = 2\n" + kGatekeeper)
                  .find("runtime.workers"),
              std::string::npos);
    // After the users: the file's top-level keys come before any table.
    EXPECT_EQ(
        parse_trusted_host_config(kTrustedHost + "\n[runtime]\nthreads = 2\n", dir_ / "th.toml")
            .threads,
        2u);
    EXPECT_EQ(parse_trusted_host_config(kTrustedHost, dir_ / "th.toml").threads, cores);
    // [runtime] io, as the proxy reads it.
    EXPECT_EQ(parse_gatekeeper_config(kGatekeeper, dir / "gk.toml").io, EventLoopIo::io_uring);
    EXPECT_EQ(
        parse_gatekeeper_config("[runtime]\nio = \"epoll\"\n" + kGatekeeper, dir / "gk.toml").io,
        EventLoopIo::epoll);
    EXPECT_EQ(
        parse_trusted_host_config(kTrustedHost + "\n[runtime]\nio = \"epoll\"\n", dir_ / "th.toml")
            .io,
        EventLoopIo::epoll);
    EXPECT_NE(gatekeeper_error("[runtime]\nio = \"kqueue\"\n" + kGatekeeper).find("runtime.io"),
              std::string::npos);
}

TEST_F(FrontConfigTest, FirewallModeNeedsTheAllowlistFile) {
    EXPECT_EQ(parse_gatekeeper_config(kGatekeeper, dir_ / "gk.toml").users[0].policy.firewall,
              policy::FirewallMode::off);
    const std::string protect = kGatekeeper + "firewall = \"protect\"\n";
    EXPECT_NE(gatekeeper_error(protect).find(
                  "firewall.allowlist: missing: user 'app' has firewall = \"protect\""),
              std::string::npos)
        << gatekeeper_error(protect);
    const GatekeeperConfig c = parse_gatekeeper_config(
        "[firewall]\nallowlist = \"lists/app.txt\"\n" + protect, dir_ / "gk.toml");
    EXPECT_EQ(c.users[0].policy.firewall, policy::FirewallMode::protect);
    EXPECT_EQ(c.firewall.allowlist, dir_ / "lists/app.txt");
    EXPECT_NE(gatekeeper_error(kGatekeeper + "firewall = \"block\"\n")
                  .find("users[0].firewall: unknown mode 'block' (off, learn, detect, protect)"),
              std::string::npos)
        << gatekeeper_error(kGatekeeper + "firewall = \"block\"\n");
    EXPECT_NE(gatekeeper_error("[firewall]\nallow_list = \"x\"\n" + kGatekeeper)
                  .find("firewall.allow_list: unknown key"),
              std::string::npos);
}

TEST_F(FrontConfigTest, Tls12SuitesAreConfigurablePerSection) {
    const std::string narrowed = replace_first(
        kGatekeeper, "private_key = \"gk.key\"\n",
        "private_key = \"gk.key\"\ntls12_ciphers = \"ECDHE-ECDSA-AES256-GCM-SHA384\"\n");
    const GatekeeperConfig c = parse_gatekeeper_config(narrowed, dir_ / "gk.toml");
    EXPECT_EQ(c.tls.tls12_ciphers, "ECDHE-ECDSA-AES256-GCM-SHA384");
    EXPECT_EQ(c.upstream.tls.tls12_ciphers, "");
    const std::string empty = replace_first(kGatekeeper, "private_key = \"gk.key\"\n",
                                            "private_key = \"gk.key\"\ntls12_ciphers = \"\"\n");
    EXPECT_NE(gatekeeper_error(empty).find("tls12_ciphers: empty"), std::string::npos)
        << gatekeeper_error(empty);
}

}  // namespace
}  // namespace sqlgate::config
