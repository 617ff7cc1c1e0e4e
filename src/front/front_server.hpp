// Serving a front role: the MySQL listener whose accepted clients each run the session engine
// with FrontStages on one of the role's event-loop threads, until a signal drains them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/event_loops.hpp"
#include "engine/session_registry.hpp"
#include "front/front_runtime.hpp"
#include "obs/admin_server.hpp"
#include "obs/process_metrics.hpp"

namespace sqlgate::front {

class FrontServer {
  public:
    // Binds the listener; throws std::runtime_error when it cannot (start-up only). `io` is
    // the control thread's; runtime.settings().threads counts it.
    FrontServer(boost::asio::io_context& io, FrontRuntime& runtime);
    // Starts the worker threads, the accept loop and the admin listener.
    void start();
    // Runs the io_context until SIGINT or SIGTERM, then drains the sessions. On SIGHUP,
    // `read` re-reads `config_file` (throwing config::ConfigError on a bad one) and the
    // runtime applies it.
    void run_until_stopped(const std::filesystem::path& config_file,
                           const std::function<FrontSettings()>& read);
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    // Another listener of the role (the gatekeeper's HTTP API) whose connection figures the
    // admin listener shows with the MySQL listener's; `counters` must outlive the server.
    void add_listener_figures(std::string_view listener, const obs::ConnectionCounters& counters) {
        other_listeners_.push_back({listener, &counters});
    }

  private:
    // GET /healthz, /readyz, /metrics and /status on the role's [admin] listener.
    void start_admin();
    // Renders `page` (front_metrics, front_status) from every thread's figures as they stand.
    using Page = std::string (*)(const FrontRuntime&, const obs::ProcessFigures&);
    boost::asio::awaitable<std::string> render(Page page);

    boost::asio::io_context& io_;
    FrontRuntime& runtime_;
    boost::asio::ip::tcp::acceptor acceptor_;
    engine::SessionRegistry sessions_;
    engine::EventLoops loops_;
    std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
    std::optional<obs::AdminServer> admin_;
    std::vector<obs::ListenerFigures> other_listeners_;
};

}  // namespace sqlgate::front
