#include "proxy/admin_connection.hpp"

#include "net/deadline.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

awaitable<bool> AdminConnection::open(const net::Login& login, std::chrono::milliseconds timeout) {
    net::ServerInfo info;
    std::string diagnostics;
    capabilities_ = login.capabilities;
    if (const auto ec = co_await net::connect_and_login(channel_, server_.address, login, timeout,
                                                        info, diagnostics)) {
        error_ = server_.name + ": " + (diagnostics.empty() ? ec.message() : diagnostics);
        co_return false;
    }
    co_return true;
}

awaitable<bool> AdminConnection::run(std::string_view sql, std::chrono::milliseconds timeout) {
    net::DeadlineGuard deadline(channel_, timeout);
    const auto ec =
        co_await net::run_command(channel_, mysql::Command::query, sql, capabilities_, result_);
    if (ec) {
        // Never the statement itself: it may hold a password.
        error_ = server_.name + ": " + (deadline.expired() ? "timed out" : ec.message());
        co_return false;
    }
    if (result_.failed) {
        error_ = server_.name + ": " + result_.error_message;
        co_return false;
    }
    co_return true;
}

awaitable<bool> AdminConnection::run_each(std::span<const std::string_view> statements,
                                          std::chrono::milliseconds timeout) {
    for (const std::string_view sql : statements) {
        const bool ran = co_await run(sql, timeout);
        if (!ran) co_return false;
    }
    co_return true;
}

}  // namespace sqlgate::proxy
