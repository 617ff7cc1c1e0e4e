// Serving a role: every accepted client gets a ClientConnection, the role's stages and a
// ServerSession; and running an io_context until a signal, draining the sessions first.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/client_connection.hpp"
#include "engine/server_session.hpp"
#include "engine/session_registry.hpp"
#include "net/listener.hpp"

namespace sqlgate::engine {

// `Stages` is built as Stages(runtime, client) and says how its client meets the listener
// with listener_settings(); `Runtime` hands out connection ids and knows the allowed peers.
template <typename Stages, typename Runtime>
boost::asio::awaitable<void> serve_client(Runtime& runtime, SessionRegistry& registry,
                                          net::PacketChannel channel) {
    ClientConnection client(std::move(channel), runtime.next_connection_id());
    Stages stages(runtime, client);
    ServerSession session(client, stages, stages.listener_settings(), &registry);
    co_await session.run();
}

// Serves `channel` on `io` (the thread that runs `io` owns `runtime` and `registry`); the
// session registers before this returns when called on that thread.
template <typename Stages, typename Runtime>
void spawn_session(boost::asio::io_context& io, Runtime& runtime, SessionRegistry& registry,
                   net::PacketChannel channel) {
    boost::asio::co_spawn(io, serve_client<Stages>(runtime, registry, std::move(channel)),
                          net::log_session_exception);
}

// Accepts on `acceptor` until it is closed, on `io`; each allowed client goes to `serve`,
// each accept after `pace` (when set) returned.
inline void start_accepting(boost::asio::io_context& io, net::tcp::acceptor& acceptor,
                            const net::PeerCheck& peers, std::string role,
                            obs::ConnectionCounters& counters,
                            std::function<void(net::tcp::socket)> serve,
                            net::AcceptPace pace = {}) {
    boost::asio::co_spawn(io,
                          net::accept_loop(acceptor, peers, std::move(role), counters,
                                           std::move(serve), std::move(pace)),
                          boost::asio::detached);
}

// What a reload applied, for its log line.
struct ReloadOutcome {
    std::size_t users = 0;
    std::optional<std::size_t> servers;  // for a role that has database servers (the proxy)
    std::size_t servers_added = 0;
    std::vector<std::string> needs_restart;  // changed settings that only a restart applies
};

// What a role stops when asked to: its listeners, then its sessions; and what it reloads.
struct StopPlan {
    std::string_view role;
    std::span<net::tcp::acceptor* const> listeners;  // closed first: no new clients
    SessionRegistry* sessions = nullptr;             // then drained
    // Sessions the role serves on other threads (counted with `sessions`), and how it asks
    // them to end; null for a role with one thread.
    std::function<std::size_t()> sessions_elsewhere;
    std::function<void()> drain_elsewhere;
    std::chrono::milliseconds drain_timeout{10'000};  // sessions still busy then are cut
    // On SIGHUP: re-reads, checks and applies `config_file`, throwing (config::ConfigError,
    // std::runtime_error) with nothing changed when it is bad; the log says what happened
    // either way. Null: SIGHUP is logged and ignored, never the end of the process.
    std::filesystem::path config_file;
    std::function<ReloadOutcome()> reload;
    // On SIGUSR1, and after each reload: opens the role's log files again (logrotate moved
    // them away). Null: the role writes none (SIGUSR1 is then ignored, never fatal).
    std::function<void()> reopen_logs;
};

// Runs `io` on this thread until SIGINT or SIGTERM; then closes the listeners and lets every
// session finish the command it is running (a transaction it has open, too; idle ones end at
// once), and returns when none is left or at the drain timeout. A second signal stops at
// once. SIGHUP calls plan.reload, SIGUSR1 plan.reopen_logs.
void run_until_stopped(boost::asio::io_context& io, const StopPlan& plan);

}  // namespace sqlgate::engine
