#include "proxy/link_pool.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sqlgate::proxy {

using boost::asio::awaitable;

LinkCount::LinkCount(const std::shared_ptr<LinkPool>& pool) : pool_(pool) {
    ++pool->open_;
}

LinkCount::~LinkCount() {
    if (const auto pool = pool_.lock()) {
        --pool->open_;
        pool->wake_one();
    }
}

BackendLink::~BackendLink() {
    if (!queue) return;
    if (const auto pool = counted.pool()) pool->stop_followers(*this);
    queue->gone = true;
    queue->fail_all();
}

bool LinkQueue::hand_on(std::unique_ptr<BackendLink>& link) {
    for (Turn& turn : turns) {
        if (turn.ended) continue;
        turn.ended = true;
        turn.link = std::move(link);
        turn.timer->cancel();
        return true;
    }
    return false;
}

void LinkQueue::fail_all() {
    for (Turn& turn : turns) {
        if (turn.ended) continue;
        turn.ended = true;
        turn.timer->cancel();
    }
}

void LinkPool::take_followers(BackendLink& link) {
    if (!link.queue) link.queue = std::make_shared<LinkQueue>();
    if (std::find(followed_.begin(), followed_.end(), &link) == followed_.end())
        followed_.push_back(&link);
}

void LinkPool::stop_followers(const BackendLink& link) {
    std::erase(followed_, &link);
}

BackendLink* LinkPool::followable(const LinkIdentity& identity, const SessionState& state,
                                  std::size_t depth) const {
    for (BackendLink* link : followed_) {
        const LinkQueue& queue = *link->queue;
        if (queue.writing || queue.turns.size() + 1 >= depth || link->identity != identity ||
            !link->channel.is_open() || !state.is_at(link->applied)) {
            continue;
        }
        return link;
    }
    return nullptr;
}

std::unique_ptr<BackendLink> LinkPool::take(const LinkIdentity& identity,
                                            const SessionState& state) {
    auto chosen = idle_.end();
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
        if ((*it)->identity != identity) continue;
        const StatePoint& applied = (*it)->applied;
        if (applied && applied->chose_schema && !state.chose_schema()) continue;
        if (chosen == idle_.end()) chosen = std::prev(it.base());
        if (state.continues(applied)) {
            chosen = std::prev(it.base());
            break;
        }
    }
    if (chosen == idle_.end()) return nullptr;
    auto link = std::move(*chosen);
    idle_.erase(chosen);
    link->reused = true;
    return link;
}

bool LinkPool::close_one_idle() {
    if (idle_.empty()) return false;
    idle_.erase(idle_.begin());  // the one idle longest
    return true;
}

void LinkPool::give_back(std::unique_ptr<BackendLink> link) {
    idle_.push_back(std::move(link));
    wake_one();
}

void LinkPool::wake_one() {
    for (Waiter& waiter : waiters_) {
        if (waiter.woken) continue;
        waiter.woken = true;
        waiter.timer->cancel();
        return;
    }
}

awaitable<bool> LinkPool::wait_for_link(std::chrono::steady_clock::time_point deadline) {
    net::LoopTimer timer(co_await boost::asio::this_coro::executor, deadline);
    // Off the list however the wait ends, the coroutine's frame destroyed at exit included.
    struct Listed {
        std::list<Waiter>& list;
        std::list<Waiter>::iterator at;
        ~Listed() { list.erase(at); }
    } listed{waiters_, waiters_.insert(waiters_.end(), Waiter{&timer})};
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    co_return listed.at->woken;
}

}  // namespace sqlgate::proxy
