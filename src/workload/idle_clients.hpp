// Many mostly idle client connections held open against a server or proxy, as a connection
// pool of a large application fleet would: what one idle client costs the proxy is measured
// with them (bench/run.sh --connections).
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace sqlgate::workload {

struct IdleClientsOptions {
    std::string defaults_file;  // [client] group: where to connect, as whom, TLS
    int connections = 1000;
    std::chrono::milliseconds hold{60'000};  // how long they stay open (SIGTERM ends it early)
    // Run once on each connection after login (a proxy may open backend connections only
    // then); empty: none, the clients only log in.
    std::string statement = "SELECT 1";
};

void add_idle_clients_options(CLI::App& sub, IdleClientsOptions& opts);

// Opens the connections one after another, each running the statement; prints
// `connected=N failed=K` (and the first error) once all were tried, then holds them and, at
// the end, pings each and prints `still_open=N`. Returns 0 when every connection opened and
// stayed open, else 1.
int run_idle_clients(const IdleClientsOptions& opts, std::ostream& out);

}  // namespace sqlgate::workload
