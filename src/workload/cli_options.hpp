// Command-line options the workload subcommands share: where to connect (a client option
// file) and how long to run.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace sqlgate::workload {

// A required --defaults-file: the [client] group gives host, port, user, password and TLS.
void add_defaults_file_option(CLI::App& sub, std::string& into);
// --seconds (a fraction allowed) into `into`; `what` says what the time is, with its default.
void add_seconds_option(CLI::App& sub, std::chrono::milliseconds& into, std::string_view what);

}  // namespace sqlgate::workload
