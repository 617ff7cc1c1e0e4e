// Session state a client set (schema, character set, session variables) kept as the list
// of commands that set it, so any backend connection can be brought up to date by replay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mysql/constants.hpp"

namespace sqlgate::proxy {

struct ReplayCommand {
    mysql::Command command;  // COM_QUERY, COM_INIT_DB or COM_SET_OPTION
    std::string argument;
};

class SessionState {
  public:
    void record(mysql::Command command, std::string_view argument) {
        commands_.push_back({command, std::string(argument)});
    }
    void clear() { commands_.clear(); }

    // Commands a connection that has applied the first `applied` must still run.
    std::size_t size() const { return commands_.size(); }
    const ReplayCommand& at(std::size_t i) const { return commands_[i]; }

  private:
    std::vector<ReplayCommand> commands_;
};

}  // namespace sqlgate::proxy
