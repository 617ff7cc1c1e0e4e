// One sqlgate role started for a test: the real binary with a config written for the
// scenario into a folder of its own, stopped by its pid when the object goes away.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace sqlgate::testing {

class RoleProcess {
  public:
    // Writes `config_text` to DIR/ROLE.toml and starts `sqlgate ROLE --config ...`, then waits
    // (up to 15 s) until `ready()` holds; a failed start is a test failure showing the log.
    RoleProcess(std::string role, std::string dir, const std::string& config_text,
                const std::function<bool()>& ready);
    // Any other program a test needs beside the roles (an application, a scanner's target),
    // run and logged the same way, as DIR/NAME.log.
    RoleProcess(std::string name, std::string dir, const std::vector<std::string>& argv,
                const std::function<bool()>& ready);
    ~RoleProcess();
    RoleProcess(const RoleProcess&) = delete;
    RoleProcess& operator=(const RoleProcess&) = delete;

    const std::string& dir() const { return dir_; }
    std::string config_file() const { return dir_ + "/" + role_ + ".toml"; }
    // Replaces the config file's text (for a reload the test then signals).
    void rewrite_config(const std::string& config_text) const;
    std::string log() const;
    bool running() const;
    pid_t pid() const { return pid_; }
    // SIGTERM, then SIGKILL after 2 s.
    void stop();

  private:
    void start(const std::vector<std::string>& argv, const std::function<bool()>& ready);

    std::string role_;
    std::string dir_;
    pid_t pid_ = -1;
};

// A folder of its own under the temp directory, named after the process and `tag`.
std::string scratch_dir(const std::string& tag);

// A free port of its own below the ephemeral range, from a per-process counter, so parallel
// test binaries and outgoing connections do not collide with a test listener.
unsigned next_port();

}  // namespace sqlgate::testing
