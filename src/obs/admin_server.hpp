// A role's admin listener: HTTP/1.1, one request per connection, answered by GET /healthz
// and the handlers the role registers (/metrics, /status, ...); plain on loopback, or HTTPS
// with a bearer token that every request must present (the only way off loopback).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/sha256.hpp"
#include "obs/json_string.hpp"

namespace sqlgate::obs {

struct AdminRequest {
    std::string method;                                     // "GET", "POST"
    std::string path;                                       // without the query
    std::map<std::string, std::string, std::less<>> query;  // ?a=b&c=d, not percent-decoded
};

struct AdminAnswer {
    unsigned status = 200;
    std::string body;
    std::string_view content_type = "application/json";
};

using AdminHandler = std::function<boost::asio::awaitable<AdminAnswer>(const AdminRequest&)>;

// "/switchover?to=replica-2" as path and query; nullopt for a target that is not one.
std::optional<std::pair<std::string, std::map<std::string, std::string, std::less<>>>> split_target(
    std::string_view target);

// What protects the listener beyond its address.
struct AdminAccess {
    std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
    std::optional<config::Sha256Digest> token;       // the SHA-256 of the token requests need
};

class AdminServer {
  public:
    // Throws std::runtime_error when `listen` cannot be bound, or is not a loopback address
    // and `access` lacks TLS or a token: the admin endpoints show and change the cluster.
    AdminServer(boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint listen,
                AdminAccess access = {});
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    void route(std::string method, std::string path, AdminHandler handler);
    void start();  // the accept loop, until stop()
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    struct State;  // shared with the connection coroutines (admin_server.cpp)

  private:
    std::shared_ptr<State> state_;
};

}  // namespace sqlgate::obs
