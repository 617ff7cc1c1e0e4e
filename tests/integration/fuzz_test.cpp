// 11,000 random and mutated packets, in the handshake and in the command phase, against the
// gatekeeper, the trusted host and the proxy: no role may crash, and each goes on serving.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "harness/chain.hpp"
#include "harness/raw_mysql_client.hpp"
#include "harness/test_cluster.hpp"
#include "mysql/auth.hpp"
#include "mysql/constants.hpp"
#include "mysql/messages.hpp"

namespace sqlgate::testing {
namespace {

using Packet = std::vector<std::uint8_t>;

class Mutator {
  public:
    explicit Mutator(std::uint32_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }
    std::uint8_t byte() { return static_cast<std::uint8_t>(below(256)); }

    // One of: pure noise, or a valid packet with bytes flipped, cut, grown or spliced.
    Packet mutate(const Packet& seed) {
        Packet p = seed;
        switch (below(6)) {
            case 0: {
                p.resize(below(96));
                for (auto& b : p)
                    b = byte();
                return p;
            }
            case 1:
                if (!p.empty()) p.resize(below(p.size()));
                return p;
            case 2:
                for (std::size_t n = 1 + below(4); n > 0 && !p.empty(); --n)
                    p[below(p.size())] = byte();
                return p;
            case 3:
                for (std::size_t n = 1 + below(64); n > 0; --n)
                    p.push_back(byte());
                return p;
            case 4:
                if (!p.empty()) p[0] = byte();  // another command or header byte
                return p;
            default:
                if (p.size() > 4) {
                    const Packet head(p.begin(), p.begin() + 4);  // inserting from p itself is UB
                    p.insert(p.begin() + static_cast<long>(below(p.size())), head.begin(),
                             head.end());
                }
                return p;
        }
    }

    // A frame whose header may lie: wrong sequence, or a length the bytes do not match.
    Packet frame(const Packet& payload) {
        std::size_t length = payload.size();
        if (below(8) == 0) length = below(1u << 24);
        std::uint8_t sequence = below(4) == 0 ? byte() : 0;
        Packet f(4 + payload.size());
        f[0] = static_cast<std::uint8_t>(length);
        f[1] = static_cast<std::uint8_t>(length >> 8);
        f[2] = static_cast<std::uint8_t>(length >> 16);
        f[3] = sequence;
        std::copy(payload.begin(), payload.end(), f.begin() + 4);
        return f;
    }

  private:
    std::mt19937 rng_;
};

Packet bytes_of(const mysql::Bytes& b) {
    return Packet(b.begin(), b.end());
}

Packet command(std::uint8_t code, const std::string& argument) {
    Packet p(1 + argument.size());
    p[0] = code;
    std::copy(argument.begin(), argument.end(), p.begin() + 1);
    return p;
}

struct Target {
    std::string name;
    std::string address;
    unsigned port;
    std::string bind;
    RawTls tls;
    std::string password;  // the trusted host trusts the certificate instead
};

// Handshake phase: whatever a client may send first, mutated, on a fresh connection each.
void fuzz_handshakes(Mutator& m, const Target& t, int count) {
    const std::string auth(20, 'x');  // the response holds views: keep what they see alive
    mysql::HandshakeResponse h;
    h.capabilities = mysql::kProxyCapabilities;
    h.max_packet_size = 1u << 24;
    h.user = kAppUser;
    h.auth_response = auth;
    h.auth_plugin = mysql::kNativePasswordPlugin;
    mysql::Bytes response, ssl;
    mysql::serialize_handshake_response(response, h);
    mysql::serialize_ssl_request(ssl, h);
    const Packet seeds[] = {bytes_of(response), bytes_of(ssl)};
    for (int i = 0; i < count; ++i) {
        auto c = RawMysqlConnection::open(t.address, t.port, t.bind);
        ASSERT_TRUE(c) << t.name << " stopped accepting after " << i << " handshakes";
        Packet f = m.frame(m.mutate(seeds[m.below(2)]));
        f[3] = static_cast<std::uint8_t>(m.below(8) == 0 ? m.byte() : 1);
        c->write_bytes(f);
    }
}

// Command phase: a logged-in session sending mutated commands; reconnects when dropped.
void fuzz_commands(Mutator& m, const Target& t, int count) {
    const Packet seeds[] = {command(0x03, "SELECT 1"),
                            command(0x03, "SELECT @@server_id"),
                            command(0x03, "SHOW TABLES"),
                            command(0x02, kChainSchema),
                            command(0x16, "SELECT ? + 1"),
                            command(0x04, std::string("customers\0", 10)),
                            command(0x0e, ""),
                            command(0x17, std::string(9, '\0')),
                            command(0x1b, "\x01\x00")};
    std::unique_ptr<RawMysqlConnection> c;
    int sessions = 0;
    Packet reply;
    std::uint8_t sequence = 0;
    for (int i = 0; i < count; ++i) {
        if (!c) {
            c = RawMysqlConnection::open(t.address, t.port, t.bind);
            ++sessions;
            ASSERT_TRUE(c) << t.name << " stopped accepting after " << i << " commands";
            std::string error;
            ASSERT_TRUE(c->start_tls(t.tls)) << t.name;
            ASSERT_TRUE(c->login(kAppUser, t.password, &error)) << t.name << ": " << error;
        }
        const Packet payload = m.mutate(seeds[m.below(std::size(seeds))]);
        Packet f = m.below(4) == 0 ? m.frame(payload) : Packet{};
        if (f.empty()) {
            if (!c->write_packet(payload, 0)) {
                c.reset();
                continue;
            }
        } else if (!c->write_bytes(f)) {
            c.reset();
            continue;
        }
        // No answer soon: the server waits for bytes a lying header promised, or the command
        // gets none. Either way this stream is out of step; start a fresh session.
        if (!c->read_packet(reply, sequence, 20)) c.reset();
    }
    std::printf("%s: %d commands in %d sessions\n", t.name.c_str(), count, sessions);
}

TEST(Fuzz, TenThousandMutatedPacketsCrashNoRole) {
    TestCluster::get();
    Chain chain;
    const std::uint32_t seed = std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    Mutator m(seed);
    const RawTls gatekeeper_tls{.ca = chain.certs() + "/ca.crt"};
    const RawTls as_gatekeeper{.ca = chain.certs() + "/ca.crt",
                               .certificate = chain.certs() + "/gatekeeper.crt",
                               .private_key = chain.certs() + "/gatekeeper.key"};
    const Target gatekeeper{"gatekeeper", kGatekeeperAddress, chain.gatekeeper_port(),
                            "",           gatekeeper_tls,     kAppPassword};
    const Target trusted{"trusted host",     kTrustedHostAddress, chain.trusted_host_port(),
                         kGatekeeperAddress, as_gatekeeper,       ""};
    fuzz_handshakes(m, gatekeeper, 3000);
    fuzz_commands(m, gatekeeper, 4000);
    fuzz_handshakes(m, trusted, 1000);
    fuzz_commands(m, trusted, 1000);
    // The proxy behind them, reached as the trusted host would.
    const RawTls as_trusted_host{.ca = chain.certs() + "/ca.crt",
                                 .certificate = chain.certs() + "/trusted-host.crt",
                                 .private_key = chain.certs() + "/trusted-host.key"};
    const Target proxy{"proxy",         kProxyAddress, chain.proxy_port(), kTrustedHostAddress,
                       as_trusted_host, kAppPassword};
    fuzz_handshakes(m, proxy, 1000);
    fuzz_commands(m, proxy, 1000);

    ASSERT_TRUE(chain.all_running())
        << chain.gatekeeper_log() << chain.trusted_host_log() << chain.proxy_log();
    auto c = chain.connect();
    ASSERT_TRUE(c);
    EXPECT_EQ(c->query("SELECT 40 + 2").scalar(), "42");
}

}  // namespace
}  // namespace sqlgate::testing
