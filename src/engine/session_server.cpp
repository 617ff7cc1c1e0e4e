#include "engine/session_server.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "obs/log.hpp"

namespace sqlgate::engine {
namespace {

constexpr auto kDrainPoll = std::chrono::milliseconds(20);

std::size_t live_sessions(const StopPlan& plan) {
    return (plan.sessions != nullptr ? plan.sessions->size() : 0) +
           (plan.sessions_elsewhere ? plan.sessions_elsewhere() : 0);
}

// Stops `io` once no session is left or the deadline has passed.
void stop_when_drained(boost::asio::io_context& io, boost::asio::steady_timer& timer,
                       const StopPlan& plan, std::chrono::steady_clock::time_point deadline) {
    const std::size_t live = live_sessions(plan);
    if (live == 0 || std::chrono::steady_clock::now() >= deadline) {
        if (live != 0) {
            obs::log(obs::LogLevel::warn, "drain_timeout",
                     {{"role", plan.role}, {"sessions", std::to_string(live)}});
        }
        io.stop();
        return;
    }
    timer.expires_after(kDrainPoll);
    timer.async_wait([&io, &timer, &plan, deadline](const boost::system::error_code& ec) {
        if (!ec) stop_when_drained(io, timer, plan, deadline);
    });
}

void reload_logged(const StopPlan& plan) {
    const std::string file = plan.config_file.string();
    try {
        const ReloadOutcome outcome = plan.reload();
        std::string needs_restart;
        for (const std::string& what : outcome.needs_restart) {
            needs_restart += (needs_restart.empty() ? "" : ", ") + what;
        }
        const std::string users = std::to_string(outcome.users);
        if (outcome.servers) {
            obs::log(obs::LogLevel::info, "config_reloaded",
                     {{"role", plan.role},
                      {"file", file},
                      {"servers", std::to_string(*outcome.servers)},
                      {"users", users},
                      {"added", std::to_string(outcome.servers_added)},
                      {"needs_restart", needs_restart}});
        } else {
            obs::log(obs::LogLevel::info, "config_reloaded",
                     {{"role", plan.role},
                      {"file", file},
                      {"users", users},
                      {"needs_restart", needs_restart}});
        }
    } catch (const std::exception& e) {
        obs::log(obs::LogLevel::error, "reload_failed",
                 {{"role", plan.role},
                  {"file", file},
                  {"error", e.what()},
                  {"meaning", "the configuration in force is unchanged"}});
    }
}

}  // namespace

void run_until_stopped(boost::asio::io_context& io, const StopPlan& plan) {
    boost::asio::signal_set hangups(io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (plan.reload) {
                reload_logged(plan);
                if (plan.reopen_logs) plan.reopen_logs();
            } else {
                obs::log(obs::LogLevel::warn, "reload_unsupported", {{"role", plan.role}});
            }
            hangups.async_wait(on_hangup);
        };
    hangups.async_wait(on_hangup);
    boost::asio::signal_set rotations(io, SIGUSR1);
    std::function<void(const boost::system::error_code&, int)> on_rotation =
        [&](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (plan.reopen_logs) plan.reopen_logs();
            rotations.async_wait(on_rotation);
        };
    rotations.async_wait(on_rotation);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer drain_timer(io);
    const auto on_second_signal = [&io, &plan](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        obs::log(obs::LogLevel::info, "stopping_now",
                 {{"role", plan.role}, {"signal", std::to_string(signal)}});
        io.stop();
    };
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        const std::size_t live = live_sessions(plan);
        obs::log(obs::LogLevel::info, "stopping",
                 {{"role", plan.role},
                  {"signal", std::to_string(signal)},
                  {"sessions", std::to_string(live)}});
        hangups.cancel();
        rotations.cancel();
        for (net::tcp::acceptor* listener : plan.listeners) {
            boost::system::error_code ignored;
            listener->close(ignored);
        }
        if (plan.sessions != nullptr) plan.sessions->drain();
        if (plan.drain_elsewhere) plan.drain_elsewhere();
        signals.async_wait(on_second_signal);
        stop_when_drained(io, drain_timer, plan,
                          std::chrono::steady_clock::now() + plan.drain_timeout);
    });
    io.run();
}

}  // namespace sqlgate::engine
