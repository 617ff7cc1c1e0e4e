#include "proxy/backend_links.hpp"

namespace sqlgate::proxy {

using boost::asio::awaitable;

BackendLinks::BackendLinks(boost::asio::any_io_executor executor, std::size_t backends)
    : executor_(std::move(executor)), links_(backends) {}

void BackendLinks::set_login(net::Login login, std::chrono::milliseconds connect_timeout) {
    login_ = std::move(login);
    connect_timeout_ = connect_timeout;
}

BackendLink* BackendLinks::find(std::size_t index) {
    BackendLink* link = links_[index].get();
    return link != nullptr && link->channel.is_open() ? link : nullptr;
}

awaitable<BackendLink*> BackendLinks::open(const BackendState& backend, std::string& error) {
    auto& slot = links_[backend.index];
    if (!slot || !slot->channel.is_open()) {
        slot = std::make_unique<BackendLink>(net::tcp::socket(executor_));
        net::ServerInfo info;
        std::string diagnostics;
        if (const auto ec = co_await net::connect_and_login(slot->channel, backend.address, login_,
                                                            connect_timeout_, info, diagnostics)) {
            error = diagnostics.empty() ? ec.message() : diagnostics;
            slot.reset();
            co_return nullptr;
        }
        slot->thread_id = info.connection_id;
    }
    // Bring the backend session up to date with what the client set since it last ran here.
    net::CommandResult result;
    while (slot->applied_state < state_.size()) {
        const ReplayCommand& c = state_.at(slot->applied_state);
        const auto ec = co_await net::run_command(slot->channel, c.command, c.argument,
                                                  login_.capabilities, result);
        if (ec || result.failed) {
            error = "replaying session state on " + backend.name +
                    " failed: " + (ec ? ec.message() : result.error_message);
            slot.reset();
            co_return nullptr;
        }
        ++slot->applied_state;
    }
    co_return slot.get();
}

void BackendLinks::close_all() {
    close_sockets();
    for (auto& link : links_)
        link.reset();
    state_.clear();
}

void BackendLinks::close_sockets() {
    for (auto& link : links_) {
        if (link) link->channel.close();
    }
}

void BackendLinks::record_state(mysql::Command command, std::string_view argument,
                                std::size_t ran_on) {
    state_.record(command, argument);
    if (auto& link = links_[ran_on]) link->applied_state = state_.size();
}

std::vector<std::pair<std::size_t, std::uint32_t>> BackendLinks::threads() const {
    std::vector<std::pair<std::size_t, std::uint32_t>> threads;
    for (std::size_t i = 0; i < links_.size(); ++i) {
        if (links_[i] && links_[i]->channel.is_open())
            threads.emplace_back(i, links_[i]->thread_id);
    }
    return threads;
}

void BackendLinks::forget_statement(std::uint32_t id) {
    for (auto& link : links_) {
        if (link) link->statements.erase(id);
    }
}

}  // namespace sqlgate::proxy
