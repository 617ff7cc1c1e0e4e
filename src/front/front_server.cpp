#include "front/front_server.hpp"

#include "engine/session_server.hpp"
#include "front/front_stages.hpp"
#include "net/listener.hpp"
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
    const auto& s = runtime_.settings();
    obs::log(obs::LogLevel::info, "listening",
             {{"role", s.role},
              {"address", s.listener.address},
              {"port", std::to_string(local_endpoint().port())},
              {"upstream", s.upstream.address + ":" + std::to_string(s.upstream.port)},
              {"tls", s.tls.enabled() ? "on" : "off"}});
}

void FrontServer::run_until_stopped(std::function<void()> reload) {
    net::tcp::acceptor* const listeners[] = {&acceptor_};
    engine::run_until_stopped(io_, {.role = runtime_.settings().role,
                                    .listeners = listeners,
                                    .sessions = &sessions_,
                                    .reload = std::move(reload)});
}

void reload_front(FrontRuntime& runtime, const std::filesystem::path& file,
                  const std::function<FrontSettings()>& read) {
    try {
        std::vector<std::string> ignored;
        runtime.reload(read(), ignored);
        std::string needs_restart;
        for (const std::string& what : ignored) {
            needs_restart += (needs_restart.empty() ? "" : ", ") + what;
        }
        obs::log(obs::LogLevel::info, "config_reloaded",
                 {{"role", runtime.settings().role},
                  {"file", file.string()},
                  {"users", std::to_string(runtime.settings().users.size())},
                  {"needs_restart", needs_restart}});
    } catch (const std::exception& e) {
        obs::log(obs::LogLevel::error, "reload_failed",
                 {{"role", runtime.settings().role},
                  {"file", file.string()},
                  {"error", e.what()},
                  {"meaning", "the configuration in force is unchanged"}});
    }
}

}  // namespace sqlgate::front
