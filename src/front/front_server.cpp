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

void FrontServer::run_until_stopped(const std::filesystem::path& config_file,
                                    const std::function<FrontSettings()>& read) {
    net::tcp::acceptor* const listeners[] = {&acceptor_};
    engine::run_until_stopped(io_, {.role = runtime_.settings().role,
                                    .listeners = listeners,
                                    .sessions = &sessions_,
                                    .config_file = config_file,
                                    .reload = [this, &read] {
                                        engine::ReloadOutcome outcome;
                                        runtime_.reload(read(), outcome.needs_restart);
                                        outcome.users = runtime_.settings().users.size();
                                        return outcome;
                                    }});
}

}  // namespace sqlgate::front
