#include "harness/chain.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/test_cluster.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::testing {
namespace {

std::string sha256_hex_of(const std::string& text) {
    std::string out;
    run_command("printf '%s' '" + text + "' | openssl dgst -sha256 -r | cut -d' ' -f1", &out);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

std::string policy(const std::string& kinds) {
    return std::string("allowed_kinds = ") + kinds + "\nallowed_schemas = [\"" + kChainSchema +
           "\"]\ndefault_schema = \"" + kChainSchema + "\"\n";
}

std::string upstream(const std::string& address, unsigned port, const std::string& source,
                     const std::string& name, const std::string& certs, const std::string& self) {
    return "[upstream]\naddress = \"" + address + "\"\nport = " + std::to_string(port) +
           "\nsource_address = \"" + source + "\"\nserver_name = \"" + name +
           "\"\ncertificate = \"" + certs + "/" + self + ".crt\"\nprivate_key = \"" + certs + "/" +
           self + ".key\"\nca = \"" + certs + "/ca.crt\"\n\n";
}

}  // namespace

Chain::Chain(ChainScenario s)
    : dir_(scratch_dir("chain-" + std::to_string(next_port()))),
      certs_(dir_ + "/certs"),
      gatekeeper_port_(next_port()),
      http_port_(next_port()),
      trusted_host_port_(next_port()) {
    std::string out;
    const int status = run_command(
        source_dir() + "/scripts/certs.sh " + certs_ + " gatekeeper=" + kGatekeeperAddress +
            " trusted-host=" + kTrustedHostAddress + " proxy=" + kProxyAddress + " 2>&1",
        &out);
    if (status != 0) {
        ADD_FAILURE() << "scripts/certs.sh failed: " << out;
        return;
    }
    const std::string rw = R"(["read", "write", "ddl"])";
    const std::string ro = R"(["read"])";

    ProxyScenario proxy;
    proxy.client_tls = "required";
    proxy.extra_toml = "\n[tls]\ncertificate = \"" + certs_ + "/proxy.crt\"\nprivate_key = \"" +
                       certs_ + "/proxy.key\"\nca = \"" + certs_ +
                       "/ca.crt\"\nrequire = true\n\n[access]\nallowed_sources = [\"" +
                       kTrustedHostAddress +
                       "\"]\nclient_certificate_names = [\"trusted-host\"]\n" + s.proxy_toml;
    proxy.cluster = s.cluster;
    proxy_ = std::make_unique<ProxyProcess>(proxy);

    const std::string secrets = dir_ + "/trusted-host.secrets";
    {
        std::ofstream out_file(secrets);
        for (const char* user : {kAppUser, kReaderUser}) {
            out_file << "[users." << user << "]\nuser = \"" << kAppUser << "\"\npassword = \""
                     << kAppPassword << "\"\n\n";
        }
    }
    ::chmod(secrets.c_str(), 0600);
    std::ostringstream th;
    th << "secrets_file = \"" << secrets << "\"\n\n[listener]\naddress = \"" << kTrustedHostAddress
       << "\"\nport = " << trusted_host_port_ << "\n\n[tls]\ncertificate = \"" << certs_
       << "/trusted-host.crt\"\nprivate_key = \"" << certs_ << "/trusted-host.key\"\nca = \""
       << certs_ << "/ca.crt\"\n\n[access]\nallowed_sources = [\"" << kGatekeeperAddress << "\"";
    for (const std::string& source : s.trusted_host_more_sources)
        th << ", \"" << source << "\"";
    th << "]\nclient_certificate_names = [\"gatekeeper\"]\n\n"
       << upstream(kProxyAddress, proxy_->port(), kTrustedHostAddress, "proxy", certs_,
                   "trusted-host")
       << s.trusted_host_toml << "\n[[users]]\nname = \"" << kAppUser << "\"\n"
       << policy(rw) << s.app_user_toml << "\n[[users]]\nname = \"" << kReaderUser << "\"\n"
       << policy(ro);
    const unsigned th_port = trusted_host_port_;
    trusted_host_ = std::make_unique<RoleProcess>("trusted-host", dir_, th.str(), [th_port] {
        return port_listens(th_port, kTrustedHostAddress);
    });

    std::ostringstream gk;
    gk << "[listener]\naddress = \"" << kGatekeeperAddress << "\"\nport = " << gatekeeper_port_
       << "\nhandshake_timeout_ms = " << s.handshake_timeout_ms
       << "\nidle_timeout_ms = " << s.idle_timeout_ms << "\n"
       << s.gatekeeper_listener_toml << "\n[tls]\ncertificate = \"" << certs_
       << "/gatekeeper.crt\"\nprivate_key = \"" << certs_ << "/gatekeeper.key\"\n\n"
       << upstream(kTrustedHostAddress, trusted_host_port_, kGatekeeperAddress, "trusted-host",
                   certs_, "gatekeeper")
       << "[http]\nenabled = " << (s.http ? "true" : "false") << "\naddress = \""
       << kGatekeeperAddress << "\"\nport = " << http_port_ << "\n\n"
       << "[rate_limits]\nper_user_per_second = " << s.per_user_per_second
       << "\nper_user_burst = " << s.per_user_burst << "\n\n[audit]\nfile = \"" << dir_
       << "/audit.log\"\n\n"
       << s.gatekeeper_toml << "\n[[users]]\nname = \"" << kAppUser << "\"\npassword_hash = \""
       << mysql::native_password_hash(kAppPassword) << "\"\napi_token_sha256 = \""
       << sha256_hex_of(kApiToken) << "\"\n"
       << policy(rw) << s.app_user_toml << "\n[[users]]\nname = \"" << kReaderUser
       << "\"\npassword_hash = \"" << mysql::native_password_hash(kReaderPassword)
       << "\"\napi_token_sha256 = \"" << sha256_hex_of(kReaderApiToken) << "\"\n"
       << policy(ro);
    const unsigned gk_port = gatekeeper_port_;
    gatekeeper_ = std::make_unique<RoleProcess>("gatekeeper", dir_, gk.str(), [gk_port] {
        return port_listens(gk_port, kGatekeeperAddress);
    });

    // The schema the chain's users live in, made through the chain itself.
    if (auto c = connect()) {
        c->query(std::string("CREATE DATABASE IF NOT EXISTS ") + kChainSchema);
    }
}

Chain::~Chain() {
    gatekeeper_.reset();
    trusted_host_.reset();
    proxy_.reset();
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_, ignored);
}

ConnectOptions Chain::gatekeeper_client(const std::string& user,
                                        const std::string& password) const {
    ConnectOptions o;
    o.host = kGatekeeperAddress;
    o.port = gatekeeper_port_;
    o.user = user;
    o.password = password;
    o.tls = true;
    o.ssl_ca = certs_ + "/ca.crt";
    return o;
}

std::unique_ptr<SqlClient> Chain::connect(const std::string& user,
                                          const std::string& password) const {
    std::string error;
    auto c = SqlClient::connect(gatekeeper_client(user, password), &error);
    EXPECT_TRUE(c) << "connecting through the gatekeeper failed: " << error << "\ngatekeeper log:\n"
                   << gatekeeper_log() << "\ntrusted host log:\n"
                   << trusted_host_log() << "\nproxy log:\n"
                   << proxy_log();
    return c;
}

std::string Chain::audit_log() const {
    std::ifstream in(dir_ + "/audit.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

HttpAnswer Chain::http(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& token) const {
    const std::string body_file = dir_ + "/http-body.json";
    std::ofstream(body_file) << body;
    std::ostringstream cmd;
    cmd << "curl -sS --max-time 30 -o " << dir_ << "/http-answer.json -w '%{http_code}' --cacert "
        << certs_ << "/ca.crt -X " << method << " -H 'Content-Type: application/json'";
    if (!token.empty()) cmd << " -H 'Authorization: Bearer " << token << "'";
    if (!body.empty()) cmd << " --data-binary @" << body_file;
    cmd << " https://" << kGatekeeperAddress << ":" << http_port_ << path << " 2>" << dir_
        << "/http-error.txt";
    std::remove((dir_ + "/http-answer.json").c_str());  // a failed call must not show the last
    HttpAnswer answer;
    std::string code;
    run_command(cmd.str(), &code);
    answer.status = std::atoi(code.c_str());
    // No status means curl itself failed: its message is the body the test prints.
    std::ifstream in(dir_ + (answer.status == 0 ? "/http-error.txt" : "/http-answer.json"));
    std::stringstream text;
    text << in.rdbuf();
    answer.body = text.str();
    return answer;
}

bool Chain::all_running() const {
    return proxy_->running() && trusted_host_->running() && gatekeeper_->running();
}

}  // namespace sqlgate::testing
