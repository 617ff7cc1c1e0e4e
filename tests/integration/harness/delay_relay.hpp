// A TCP relay for fault tests: listens on one loopback address, connects to a target from a
// chosen source address, and holds every chunk the target sends back for a fixed delay.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace sqlgate::testing {

class DelayRelay {
  public:
    DelayRelay(const std::string& listen_address, unsigned listen_port,
               const std::string& target_address, unsigned target_port,
               const std::string& source_address, std::chrono::milliseconds delay);
    ~DelayRelay();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::thread thread_;
};

}  // namespace sqlgate::testing
