#include "front/front_server.hpp"

#include "engine/admin_listener.hpp"
#include "engine/session_server.hpp"
#include "front/front_metrics.hpp"
#include "front/front_stages.hpp"
#include "net/listener.hpp"
#include "obs/dashboard.hpp"
#include "obs/log.hpp"

namespace sqlgate::front {

FrontServer::FrontServer(boost::asio::io_context& io, FrontRuntime& runtime)
    : io_(io),
      runtime_(runtime),
      acceptor_(net::open_listener(io.get_executor(), runtime.settings().listener.address,
                                   runtime.settings().listener.port)) {}

void FrontServer::start() {
    engine::start_serving<FrontStages>(io_, acceptor_, runtime_, sessions_,
                                       runtime_.settings().role);
    if (runtime_.settings().admin.enabled()) start_admin();
    const auto& s = runtime_.settings();
    obs::log(obs::LogLevel::info, "listening",
             {{"role", s.role},
              {"address", s.listener.address},
              {"port", std::to_string(local_endpoint().port())},
              {"upstream", s.upstream.address + ":" + std::to_string(s.upstream.port)},
              {"tls", s.tls.enabled() ? "on" : "off"}});
}

void FrontServer::start_admin() {
    using boost::asio::awaitable;
    const config::AdminListener& listen = runtime_.settings().admin;
    engine::open_admin_listener(admin_, io_.get_executor(), listen);
    const auto figures = [this] {
        obs::ProcessFigures figures{.role = runtime_.settings().role,
                                    .started = started_,
                                    .sessions_open = sessions_.size(),
                                    .sessions_accepted = sessions_.added(),
                                    .listeners = {{"mysql", &sessions_.connections()}},
                                    .config_digest = runtime_.settings().config_digest};
        figures.listeners.insert(figures.listeners.end(), other_listeners_.begin(),
                                 other_listeners_.end());
        return figures;
    };
    admin_->route("GET", "/readyz",
                  [this](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                      auto [ready, body] = co_await front_readiness(runtime_);
                      co_return obs::AdminAnswer{ready ? 200u : 503u, std::move(body)};
                  });
    admin_->route("GET", "/metrics",
                  [this, figures](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                      co_return obs::AdminAnswer{200, front_metrics(runtime_, figures()),
                                                 obs::PrometheusText::kContentType};
                  });
    // The allowlist in force, learned shapes included, in its file form: what `sqlgate
    // firewall export` saves for review. ?user=NAME keeps one user's shapes.
    admin_->route("GET", "/allowlist",
                  [this](const obs::AdminRequest& request) -> awaitable<obs::AdminAnswer> {
                      const policy::StatementAllowlist* list = runtime_.allowlist();
                      if (list == nullptr) {
                          co_return obs::AdminAnswer{
                              404, "{\"error\": \"no [firewall] allowlist is configured\"}"};
                      }
                      const auto user = request.query.find("user");
                      co_return obs::AdminAnswer{
                          200, list->to_text(user == request.query.end() ? "" : user->second),
                          "text/plain; charset=utf-8"};
                  });
    admin_->route("GET", "/status",
                  [this, figures](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                      co_return obs::AdminAnswer{200, front_status(runtime_, figures())};
                  });
    obs::add_dashboard(
        *admin_, runtime_.settings().role,
        [this, figures] { return front_status(runtime_, figures()); }, listen.peers);
    admin_->start();
    obs::log(obs::LogLevel::info, "admin_listening",
             {{"role", runtime_.settings().role},
              {"address", listen.address},
              {"port", std::to_string(admin_->local_endpoint().port())}});
}

void FrontServer::run_until_stopped(const std::filesystem::path& config_file,
                                    const std::function<FrontSettings()>& read) {
    net::tcp::acceptor* const listeners[] = {&acceptor_};
    engine::run_until_stopped(io_, {.role = runtime_.settings().role,
                                    .listeners = listeners,
                                    .sessions = &sessions_,
                                    .config_file = config_file,
                                    .reload =
                                        [this, &read] {
                                            engine::ReloadOutcome outcome;
                                            runtime_.reload(read(), outcome.needs_restart);
                                            outcome.users = runtime_.settings().users.size();
                                            return outcome;
                                        },
                                    .reopen_logs = [this] { runtime_.reopen_logs(); }});
}

}  // namespace sqlgate::front
