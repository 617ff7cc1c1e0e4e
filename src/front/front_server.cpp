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
                                   runtime.settings().listener.port)),
      loops_(runtime.settings().role, io, sessions_, runtime.settings().threads,
             runtime.settings().io) {}

void FrontServer::start() {
    loops_.start();
    engine::start_accepting(
        io_, acceptor_, runtime_.peers(), runtime_.settings().role, sessions_.connections(),
        [this](net::tcp::socket socket) {
            loops_.serve(std::move(socket), [this](std::size_t index, net::PacketChannel client) {
                engine::spawn_session<FrontStages>(loops_.io(index), runtime_,
                                                   loops_.sessions(index), std::move(client));
            });
        },
        [this] { return loops_.wait_for_room(); });
    if (runtime_.settings().admin.enabled()) start_admin();
    const auto& s = runtime_.settings();
    obs::log(obs::LogLevel::info, "listening",
             {{"role", s.role},
              {"address", s.listener.address},
              {"port", std::to_string(local_endpoint().port())},
              {"upstream", s.upstream.address + ":" + std::to_string(s.upstream.port)},
              {"threads", std::to_string(loops_.serving())},
              {"tls", s.tls.enabled() ? "on" : "off"}});
}

boost::asio::awaitable<std::string> FrontServer::render(Page page) {
    co_await loops_.refresh();
    const obs::ConnectionCounters connections = loops_.connections();
    obs::ProcessFigures figures{.role = runtime_.settings().role,
                                .started = started_,
                                .sessions_open = loops_.sessions_open(),
                                .sessions_accepted = loops_.sessions_accepted(),
                                .listeners = {{"mysql", &connections}},
                                .config_digest = runtime_.settings().config_digest};
    figures.listeners.insert(figures.listeners.end(), other_listeners_.begin(),
                             other_listeners_.end());
    co_return page(runtime_, figures);
}

void FrontServer::start_admin() {
    using boost::asio::awaitable;
    const config::AdminListener& listen = runtime_.settings().admin;
    engine::open_admin_listener(admin_, io_.get_executor(), listen);
    admin_->route("GET", "/readyz",
                  [this](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                      auto [ready, body] = co_await front_readiness(runtime_);
                      co_return obs::AdminAnswer{ready ? 200u : 503u, std::move(body)};
                  });
    admin_->route(
        "GET", "/metrics", [this](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
            std::string body = co_await render(front_metrics);
            co_return obs::AdminAnswer{200, std::move(body), obs::PrometheusText::kContentType};
        });
    // The allowlist in force, learned shapes included, in its file form: what `sqlgate
    // firewall export` saves for review. ?user=NAME keeps one user's shapes.
    admin_->route(
        "GET", "/allowlist",
        [this](const obs::AdminRequest& request) -> awaitable<obs::AdminAnswer> {
            const auto user = request.query.find("user");
            std::optional<std::string> text =
                runtime_.allowlist_text(user == request.query.end() ? "" : user->second);
            if (!text) {
                co_return obs::AdminAnswer{
                    404, "{\"error\": \"no [firewall] allowlist is configured\"}"};
            }
            co_return obs::AdminAnswer{200, std::move(*text), "text/plain; charset=utf-8"};
        });
    admin_->route("GET", "/status",
                  [this](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                      std::string body = co_await render(front_status);
                      co_return obs::AdminAnswer{200, std::move(body)};
                  });
    obs::add_dashboard(
        *admin_, runtime_.settings().role, [this] { return render(front_status); }, listen.peers);
    admin_->start();
    obs::log(obs::LogLevel::info, "admin_listening",
             {{"role", runtime_.settings().role},
              {"address", listen.address},
              {"port", std::to_string(admin_->local_endpoint().port())}});
}

void FrontServer::run_until_stopped(const std::filesystem::path& config_file,
                                    const std::function<FrontSettings()>& read) {
    net::tcp::acceptor* const listeners[] = {&acceptor_};
    engine::run_until_stopped(
        io_, {.role = runtime_.settings().role,
              .listeners = listeners,
              .sessions = &sessions_,
              .sessions_elsewhere = [this] { return loops_.sessions_on_workers(); },
              .drain_elsewhere = [this] { loops_.drain_workers(); },
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
