#include "workload/idle_clients.hpp"

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "workload/cli_options.hpp"
#include "workload/client.hpp"

namespace sqlgate::workload {
namespace {

std::atomic<bool> g_stop = false;

extern "C" void request_stop(int) {
    g_stop = true;
}

// One descriptor per connection: take what the hard limit allows.
void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

void add_idle_clients_options(CLI::App& sub, IdleClientsOptions& opts) {
    add_defaults_file_option(sub, opts.defaults_file);
    sub.add_option("--connections", opts.connections, "client connections to open and hold")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    add_seconds_option(
        sub, opts.hold,
        "how long they are held once open (SIGTERM or SIGINT ends it early) [default: 60]");
    sub.add_option("--statement", opts.statement,
                   "run once on each connection after login; empty: log in only")
        ->capture_default_str();
}

int run_idle_clients(const IdleClientsOptions& opts, std::ostream& out) {
    raise_descriptor_limit();
    std::signal(SIGTERM, request_stop);
    std::signal(SIGINT, request_stop);
    const ConnectParams params{.defaults_file = opts.defaults_file};
    std::vector<Client> clients;
    clients.reserve(static_cast<std::size_t>(opts.connections));
    int failed = 0;
    std::string first_error;
    for (int i = 0; i < opts.connections && !g_stop; ++i) {
        Client& client = clients.emplace_back(params);
        std::string error = client.connect();
        // A statement, so the session is whole (a proxy may set things up lazily).
        if (error.empty() && !opts.statement.empty()) {
            error = client.query(opts.statement, Route::direct).error;
        }
        if (!error.empty()) {
            ++failed;
            if (first_error.empty()) first_error = error;
            clients.pop_back();
        }
    }
    out << "connected=" << clients.size() << " failed=" << failed;
    if (!first_error.empty()) out << " first_error=\"" << first_error << '"';
    out << std::endl;  // flushed: a script waits for this line

    const auto until = std::chrono::steady_clock::now() + opts.hold;
    while (!g_stop && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::size_t still_open = 0;
    for (Client& client : clients) {
        still_open += client.ping();
    }
    out << "still_open=" << still_open << std::endl;
    return failed == 0 && still_open == clients.size() ? 0 : 1;
}

}  // namespace sqlgate::workload
