// Would MariaDB spend less per statement if a proxy sent it several clients' statements back
// to back on one connection (pipelining) instead of one statement per connection at a time?
// The probe keeps `connections x depth` point selects in flight against one server: each
// connection writes `depth` COM_QUERYs, then reads their `depth` replies, and again, for
// `seconds`. It prints the statements per second and the server process's CPU per statement
// (utime + stime from /proc): comparing depth 1 x 8 with depth 4 x 2 keeps the load equal.
//
//   pipelining_probe --target A:P --source A --user U --password-file F --database D
//                    --server-pid PID [--depth K] [--connections N] [--seconds T] [--rows R]

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mysql/response_tracker.hpp"
#include "net/mysql_client.hpp"
#include "net/packet_channel.hpp"

namespace {

namespace asio = boost::asio;
using sqlgate::net::PacketChannel;

struct Options {
    std::string target;
    std::string source;
    sqlgate::net::Login login;
    int server_pid = 0;
    int depth = 1;
    int connections = 8;
    double seconds = 8;
    int rows = 10000;  // ids of sbtest1 to pick from
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "pipelining_probe: %s\n", message.c_str());
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string value = argv[i + 1];
        if (key == "--target")
            o.target = value;
        else if (key == "--source")
            o.source = value;
        else if (key == "--user")
            o.login.user = value;
        else if (key == "--database")
            o.login.database = value;
        else if (key == "--server-pid")
            o.server_pid = std::stoi(value);
        else if (key == "--depth")
            o.depth = std::stoi(value);
        else if (key == "--connections")
            o.connections = std::stoi(value);
        else if (key == "--seconds")
            o.seconds = std::stod(value);
        else if (key == "--rows")
            o.rows = std::stoi(value);
        else if (key == "--password-file") {
            std::ifstream in(value);
            if (!std::getline(in, o.login.password)) die("cannot read " + value);
        } else
            die("unknown option " + key);
    }
    if (o.target.empty() || o.login.user.empty() || o.server_pid == 0 || o.depth < 1 ||
        o.connections < 1) {
        die("usage: see the comment at the top of bench/pipelining/pipelining_probe.cpp");
    }
    return o;
}

// The server process's CPU so far, in clock ticks.
long cpu_ticks(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long utime = 0;
    long stime = 0;
    for (int i = 3; fields >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
}

asio::awaitable<void> run_connection(const Options& o, sqlgate::net::UpstreamAddress address,
                                     std::chrono::steady_clock::time_point until, long& done,
                                     int seed) {
    PacketChannel channel(co_await asio::this_coro::executor);
    sqlgate::net::ServerInfo server;
    std::string diagnostics;
    if (const auto ec = co_await sqlgate::net::connect_and_login(
            channel, address, o.login, std::chrono::seconds(5), server, diagnostics)) {
        die("login: " + ec.message() + " " + diagnostics);
    }
    std::minstd_rand random(seed);
    sqlgate::mysql::Bytes reply;
    while (std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < o.depth; ++i) {
            const std::string sql =
                "\x03SELECT c FROM sbtest1 WHERE id=" + std::to_string(random() % o.rows + 1);
            std::uint8_t sequence = 0;
            const auto* bytes = reinterpret_cast<const std::uint8_t*>(sql.data());
            if (const auto ec = co_await channel.write_message({bytes, sql.size()}, sequence))
                die("write: " + ec.message());
        }
        for (int i = 0; i < o.depth; ++i) {
            sqlgate::mysql::ResponseTracker tracker(o.login.capabilities,
                                                    sqlgate::mysql::ReplyShape::result);
            for (;;) {
                std::uint8_t sequence = 0;
                if (const auto ec = co_await channel.read_message(reply, sequence, 1 << 24))
                    die("read: " + ec.message());
                const auto progress = tracker.on_packet(
                    static_cast<std::uint32_t>(reply.size()),
                    {reply.data(),
                     std::min(reply.size(), sqlgate::mysql::ResponseTracker::kInspectBytes)});
                if (progress == sqlgate::mysql::ResponseTracker::Progress::malformed)
                    die("malformed reply");
                if (progress == sqlgate::mysql::ResponseTracker::Progress::done) break;
            }
            if (tracker.failed()) die("the server refused a point select");
            ++done;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const Options o = parse(argc, argv);
    sqlgate::net::UpstreamAddress address;
    const auto colon = o.target.rfind(':');
    if (colon == std::string::npos) die("--target wants ADDRESS:PORT");
    address.endpoint = {asio::ip::make_address(o.target.substr(0, colon)),
                        static_cast<unsigned short>(std::stoi(o.target.substr(colon + 1)))};
    if (!o.source.empty()) address.source = asio::ip::make_address(o.source);

    asio::io_context io;
    long done = 0;
    const auto started = std::chrono::steady_clock::now();
    const auto until = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(o.seconds));
    const long ticks_before = cpu_ticks(o.server_pid);
    for (int c = 0; c < o.connections; ++c)
        asio::co_spawn(io, run_connection(o, address, until, done, c + 1), asio::detached);
    io.run();
    const long ticks = cpu_ticks(o.server_pid) - ticks_before;
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double cpu_us =
        static_cast<double>(ticks) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
    std::printf(
        "depth=%d connections=%d statements=%ld per_second=%.0f server_cpu_us_per_statement=%.1f\n",
        o.depth, o.connections, done, static_cast<double>(done) / took,
        done > 0 ? cpu_us / static_cast<double>(done) : 0.0);
    return 0;
}
