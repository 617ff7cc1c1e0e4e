#include "harness/role_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eventually.hpp"
#include "harness/test_cluster.hpp"

namespace sqlgate::testing {

namespace {

// Ports the kernel hands out to outgoing connections (ip_local_port_range, 32768-60999 by
// default): a listener port there can already be held by some client's connection, which
// is how a gatekeeper once failed to start in CI. Test listeners stay below it.
constexpr unsigned kFirstTestPort = 10000;
constexpr unsigned kTestPortBlocks = 1400;  // 10000 + 1400 * 16 = 32400 < 32768
constexpr unsigned kPortsPerBlock = 16;

// True when no socket on any address holds `port` (a bind to the wildcard address without
// SO_REUSEADDR conflicts with every specific address, and with TIME_WAIT leftovers too).
bool port_is_free(unsigned port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return free;
}

}  // namespace

unsigned next_port() {
    // Each test runs in a process of its own: start from a block chosen by the pid so that
    // parallel test binaries rarely meet, and skip what is taken when they do.
    static unsigned next =
        kFirstTestPort + static_cast<unsigned>(::getpid() % kTestPortBlocks) * kPortsPerBlock;
    for (unsigned tries = 0; tries < kTestPortBlocks * kPortsPerBlock; ++tries) {
        const unsigned port = next++;
        if (next >= kFirstTestPort + kTestPortBlocks * kPortsPerBlock) next = kFirstTestPort;
        if (port_is_free(port)) return port;
    }
    ADD_FAILURE() << "no free test port below the ephemeral range";
    return 0;
}

std::string scratch_dir(const std::string& tag) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    return dir.string();
}

namespace {

// SQLGATE_TEST_IO=epoll runs a suite with the roles' workers on Asio's reactor instead of the
// default io_uring loop ([runtime] io; scripts/test.sh runs part of the suite so).
std::string with_test_io(const std::string& config_text) {
    const char* io = std::getenv("SQLGATE_TEST_IO");
    if (io == nullptr || *io == '\0') return config_text;
    const std::string line = std::string("io = \"") + io + "\"\n";
    std::string text = config_text;
    if (const auto at = text.find("[runtime]\n"); at != std::string::npos) {
        text.insert(at + std::string_view("[runtime]\n").size(), line);
    } else {
        text += "\n[runtime]\n" + line;
    }
    return text;
}

}  // namespace

RoleProcess::RoleProcess(std::string role, std::string dir, const std::string& config_text,
                         const std::function<bool()>& ready)
    : role_(std::move(role)), dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string config = config_file();
    std::ofstream(config) << with_test_io(config_text);
    start({sqlgate_binary(), role_, "--config", config}, ready);
}

RoleProcess::RoleProcess(std::string name, std::string dir, const std::vector<std::string>& argv,
                         const std::function<bool()>& ready)
    : role_(std::move(name)), dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    start(argv, ready);
}

void RoleProcess::start(const std::vector<std::string>& argv, const std::function<bool()>& ready) {
    const std::string log = dir_ + "/" + role_ + ".log";
    std::vector<char*> args;
    for (const std::string& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        // Nothing else of the test's: a relay's listening socket inherited by the role would
        // outlive the relay the test takes away.
        ::close_range(3, ~0U, 0);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    const auto started = eventually(role_ + " ready", std::chrono::seconds(15), ready,
                                    [this] { return !running(); });
    if (!started)
        ADD_FAILURE() << role_ << " did not start (" << started.message() << "); its log:\n"
                      << this->log();
}

RoleProcess::~RoleProcess() {
    stop();
    if (::testing::Test::HasFailure()) return;  // kept for the post-mortem
    std::error_code ignored;
    std::filesystem::remove(config_file(), ignored);
    std::filesystem::remove(dir_ + "/" + role_ + ".log", ignored);
    std::filesystem::remove(dir_, ignored);  // only if nothing else is left in it
}

void RoleProcess::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    // A role that does not drain within 2 s is killed: the test has its verdict already.
    if (!eventually(role_ + " exits on SIGTERM", std::chrono::seconds(2),
                    [&] { return ::waitpid(pid_, &status, WNOHANG) != 0; })) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
}

void RoleProcess::rewrite_config(const std::string& config_text) const {
    // Written beside it and renamed over it, so the role never reads half a file.
    const std::string config = config_file();
    std::ofstream(config + ".next") << with_test_io(config_text);
    std::filesystem::rename(config + ".next", config);
}

bool RoleProcess::running() const {
    int status = 0;
    return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
}

std::string RoleProcess::log() const {
    std::ifstream in(dir_ + "/" + role_ + ".log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace sqlgate::testing
