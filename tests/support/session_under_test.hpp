// One session of a role's stages run by the real session engine, its client end scripted:
// what the stage tests of every role (tests/front, tests/proxy) start the same way.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "engine/server_session.hpp"
#include "scripted_peer.hpp"

namespace sqlgate::test_support {

template <typename Stages>
class SessionUnderTest {
  public:
    // Builds Stages(runtime, client) as the role's listener would, and starts the session.
    template <typename Runtime>
    SessionUnderTest(boost::asio::io_context& io, Runtime& runtime) {
        auto pair = make_socket_pair(io);
        client_.emplace(net::PacketChannel(std::move(pair.near)), runtime.next_connection_id());
        stages_.emplace(runtime, *client_);
        session_.emplace(*client_, *stages_, stages_->listener_settings());
        boost::asio::co_spawn(io, session_->run(), boost::asio::detached);
        peer_.emplace(std::move(pair.far));
    }

    ScriptedPeer& client() { return *peer_; }  // the scripted client
    engine::ClientConnection& connection() { return *client_; }

  private:
    std::optional<engine::ClientConnection> client_;
    std::optional<Stages> stages_;
    std::optional<engine::ServerSession> session_;
    std::optional<ScriptedPeer> peer_;
};

}  // namespace sqlgate::test_support
