#include "harness/role_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/test_cluster.hpp"

namespace sqlgate::testing {

unsigned next_port() {
    static unsigned next = 20000 + static_cast<unsigned>(::getpid() % 2000) * 16;
    return next++;
}

std::string scratch_dir(const std::string& tag) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sqlgate-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    return dir.string();
}

RoleProcess::RoleProcess(std::string role, std::string dir, const std::string& config_text,
                         const std::function<bool()>& ready)
    : role_(std::move(role)), dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string config = dir_ + "/" + role_ + ".toml";
    std::ofstream(config) << config_text;
    const std::string binary = sqlgate_binary();
    const std::string log = dir_ + "/" + role_ + ".log";
    pid_ = ::fork();
    if (pid_ == 0) {
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execl(binary.c_str(), "sqlgate", role_.c_str(), "--config", config.c_str(), nullptr);
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!ready()) {
        if (!running() || std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << role_ << " did not start; its log:\n" << this->log();
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

RoleProcess::~RoleProcess() {
    stop();
    if (::testing::Test::HasFailure()) return;  // kept for the post-mortem
    std::error_code ignored;
    std::filesystem::remove(dir_ + "/" + role_ + ".toml", ignored);
    std::filesystem::remove(dir_ + "/" + role_ + ".log", ignored);
    std::filesystem::remove(dir_, ignored);  // only if nothing else is left in it
}

void RoleProcess::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
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
