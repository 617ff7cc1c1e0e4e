#include "gatekeeper/http_api.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <exception>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "gatekeeper/api_document.hpp"
#include "gatekeeper/api_exchange.hpp"
#include "obs/log.hpp"

namespace sqlgate::gatekeeper {

namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using boost::asio::awaitable;
using boost::system::error_code;
using tcp = boost::asio::ip::tcp;

class HttpApiState {
  public:
    HttpApiState(boost::asio::io_context& io, ssl::context& tls_context, HttpApiSettings s,
                 QueryRunner r, HealthProbe p)
        : tls(tls_context),
          settings(std::move(s)),
          tokens(settings.tokens),
          runner(std::move(r)),
          probe(std::move(p)),
          acceptor(io),
          pre_auth(settings.pre_auth) {}

    ssl::context& tls;
    const HttpApiSettings settings;
    TokenStore tokens;  // replaced by a reload
    const QueryRunner runner;
    const HealthProbe probe;
    tcp::acceptor acceptor;
    // The connections open now: counted against max_connections, closed by stop().
    std::unordered_set<beast::tcp_stream*> connections;
    obs::ConnectionCounters counters;
    engine::PreAuthBudget pre_auth;
    bool stopped = false;
};

namespace {

constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;
constexpr unsigned kHttp11 = 11;
// After an answer that ends a connection, what the client still sends is read and dropped
// for this long: closing a socket with unread bytes makes the kernel send a reset, which can
// destroy the answer before the client has read it (a 413 to a client still uploading).
constexpr std::chrono::seconds kLingerTime{2};

using Request = http::request<http::string_body>;

bool is_http_syntax_error(const error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_method).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

boost::asio::ip::address remote_address(const tcp::socket& socket) {
    error_code ec;
    return socket.remote_endpoint(ec).address();
}

void log_exception(std::string_view event, std::exception_ptr e) {
    try {
        std::rethrow_exception(std::move(e));
    } catch (const std::exception& ex) {
        obs::log(obs::LogLevel::error, event, {{"error", ex.what()}});
    } catch (...) {
        obs::log(obs::LogLevel::error, event, {{"error", "unknown exception"}});
    }
}

void log_coroutine_failure(std::exception_ptr e) {
    if (e) log_exception("http_api_coroutine_failed", std::move(e));
}

class Connection {
  public:
    Connection(std::shared_ptr<HttpApiState> state, tcp::socket socket)
        : state_(std::move(state)),
          source_(remote_address(socket)),
          stream_(beast::tcp_stream(std::move(socket)), state_->tls) {
        state_->connections.insert(&tcp_layer());
    }
    ~Connection() { state_->connections.erase(&tcp_layer()); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // A place among the connections not yet authenticated; false when its source has its
    // maximum waiting. The oldest waiting one may be evicted for it.
    bool admit() {
        return state_->pre_auth.admit(
                   source_.to_string(), [this] { evict(); }, pre_auth_) ==
               engine::PreAuthBudget::Refusal::none;
    }
    awaitable<void> run();

  private:
    beast::tcp_stream& tcp_layer() { return stream_.next_layer(); }
    const HttpApiSettings& settings() const { return state_->settings; }

    awaitable<bool> wait_for_request();
    // Reads, answers and returns whether the connection stays open.
    awaitable<bool> serve_request(bool first);
    awaitable<ApiAnswer> answer_request(const HeaderVerdict& verdict, const Request& request);
    awaitable<ApiAnswer> run_query(const ApiQuery& query);
    // Answers a request that could not be read, when there is anything to answer.
    awaitable<void> refuse_unreadable(error_code ec);
    // Sends `answer` (its body is moved out) and returns whether the connection stays open.
    awaitable<bool> send(ApiAnswer& answer, unsigned version, bool keep_alive);
    awaitable<void> linger_and_close();

    std::shared_ptr<HttpApiState> state_;
    boost::asio::ip::address source_;
    // Closed to make room for a newer connection: out of the count at once, so the
    // listener's maximum is not reached by connections that are already on their way out.
    void evict() {
        evicted_ = true;
        state_->connections.erase(&tcp_layer());
        state_->counters.refuse(obs::ConnectionRefusal::pre_auth_evicted);
        error_code ignored;
        tcp_layer().socket().close(ignored);
    }

    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    engine::PreAuthBudget::Ticket pre_auth_;  // held until a request authenticates
    bool evicted_ = false;
};

awaitable<void> Connection::run() {
    // One deadline covers the TLS handshake and the first request's header, so a client
    // that connects and stalls holds its place for header_timeout at most.
    // Shorter while many connections wait to authenticate.
    tcp_layer().expires_after(std::min<std::chrono::steady_clock::duration>(
        settings().header_timeout, state_->pre_auth.handshake_timeout()));
    auto [handshake_ec] = co_await stream_.async_handshake(ssl::stream_base::server, use_tuple);
    if (handshake_ec) {
        if (!evicted_) {
            state_->counters.refuse(handshake_ec == beast::error::timeout
                                        ? obs::ConnectionRefusal::handshake_timeout
                                        : obs::ConnectionRefusal::tls_failed);
        }
        co_return;
    }
    ++state_->counters.tls_handshakes;
    for (bool first = true;; first = false) {
        if (!first) {
            const bool more = co_await wait_for_request();
            if (!more) co_return;
        }
        const bool keep_open = co_await serve_request(first);
        if (!keep_open) co_return;
    }
}

// Between requests a client may stay silent for idle_timeout; once its next request begins,
// the header must arrive within header_timeout like the first one.
awaitable<bool> Connection::wait_for_request() {
    if (buffer_.size() > 0) co_return true;  // pipelined
    tcp_layer().expires_after(settings().idle_timeout);
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), use_tuple);
    if (ec) co_return false;
    buffer_.commit(n);
    co_return true;
}

awaitable<bool> Connection::serve_request(bool first) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(settings().max_header_bytes));
    // Set for real once the header is read: with it set now, Beast would refuse a large
    // Content-Length before the path and the token are checked.
    parser.body_limit(boost::none);
    if (!first) tcp_layer().expires_after(settings().header_timeout);
    auto [header_ec, header_n] =
        co_await http::async_read_header(stream_, buffer_, parser, use_tuple);
    if (header_ec) {
        co_await refuse_unreadable(header_ec);
        co_return false;
    }

    const Request& request = parser.get();
    const unsigned version = request.version();
    std::optional<std::uint64_t> content_length;  // empty when chunked
    if (parser.content_length()) content_length = *parser.content_length();
    const HeaderVerdict verdict =
        check_header(request, content_length, state_->tokens, settings().max_body_bytes);
    const bool body_pending = !parser.is_done();
    const bool expects_continue = beast::iequals(request[http::field::expect], "100-continue");
    bool keep_alive = parser.keep_alive();
    parser.body_limit(settings().max_body_bytes);

    // A refused request's body is read and dropped only when it is already on its way and
    // within the limit, so that the connection can serve the next request; otherwise the
    // connection is closed after the answer.
    const bool drain = verdict.reject && body_pending && !expects_continue && content_length &&
                       *content_length <= settings().max_body_bytes;
    if (verdict.reject && body_pending && !drain) keep_alive = false;
    if (body_pending && (!verdict.reject || drain)) {
        tcp_layer().expires_after(settings().idle_timeout);
        if (expects_continue) {
            http::response<http::empty_body> go_on{http::status::continue_, version};
            auto [continue_ec, continue_n] = co_await http::async_write(stream_, go_on, use_tuple);
            if (continue_ec) co_return false;
        }
        auto [body_ec, body_n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
        if (body_ec) {
            co_await refuse_unreadable(body_ec);
            co_return false;
        }
    }
    // The runner and the probe bound their own time; the connection does no I/O meanwhile.
    tcp_layer().expires_never();

    ApiAnswer answer;
    if (verdict.reject) {
        answer = *verdict.reject;
    } else {
        // A request with a valid token: never evicted for the connections still waiting.
        if (!verdict.user.empty()) pre_auth_.release();
        answer = co_await answer_request(verdict, request);
    }
    co_return co_await send(answer, version, keep_alive);
}

awaitable<ApiAnswer> Connection::answer_request(const HeaderVerdict& verdict,
                                                const Request& request) {
    if (verdict.endpoint == Endpoint::health) {
        bool reachable = false;
        try {
            reachable = co_await state_->probe();
        } catch (...) {
            log_exception("http_api_probe_failed", std::current_exception());
        }
        co_return answer_health(reachable);
    }
    if (verdict.endpoint == Endpoint::openapi) {
        co_return ApiAnswer{http::status::ok, std::string(openapi_document()), {}};
    }
    ApiQuery query;
    query.user = verdict.user;
    query.source = source_;
    std::optional<ApiAnswer> bad_body = read_query_body(verdict.endpoint, request.body(), query);
    if (bad_body) co_return std::move(*bad_body);
    co_return co_await run_query(query);
}

awaitable<ApiAnswer> Connection::run_query(const ApiQuery& query) {
    std::optional<ApiOutcome> outcome;
    try {
        outcome = co_await state_->runner(query);
    } catch (...) {
        log_exception("http_api_runner_failed", std::current_exception());
    }
    if (!outcome) {
        co_return answer_error(http::status::internal_server_error, "internal",
                               "the statement could not be run");
    }
    co_return answer_outcome(*outcome);
}

awaitable<void> Connection::refuse_unreadable(error_code ec) {
    ApiAnswer answer;
    if (ec == http::error::header_limit) {
        answer = answer_error(http::status::request_header_fields_too_large, "header_too_large",
                              "the request header is too large");
    } else if (ec == http::error::body_limit) {
        const std::string message =
            "the body exceeds " + std::to_string(settings().max_body_bytes) + " bytes";
        answer = answer_error(http::status::payload_too_large, "too_large", message);
    } else if (is_http_syntax_error(ec)) {
        answer = answer_error(http::status::bad_request, "bad_request", "malformed HTTP request");
    } else {
        co_return;  // timed out, reset, gone: nobody to answer
    }
    co_await send(answer, kHttp11, false);
}

awaitable<bool> Connection::send(ApiAnswer& answer, unsigned version, bool keep_alive) {
    http::response<http::string_body> response{answer.status, version};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::cache_control, "no-store");
    for (const auto& [field, value] : answer.headers) {
        response.set(field, value);
    }
    response.keep_alive(keep_alive);
    response.body() = std::move(answer.body);
    response.prepare_payload();
    tcp_layer().expires_after(settings().idle_timeout);
    auto [ec, n] = co_await http::async_write(stream_, response, use_tuple);
    if (ec) co_return false;
    if (!keep_alive) {
        co_await linger_and_close();
        co_return false;
    }
    co_return true;
}

awaitable<void> Connection::linger_and_close() {
    // Below TLS: the answer is out, and reading on needs no TLS state.
    error_code ignored;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp_layer().expires_after(kLingerTime);
    std::array<char, kReadChunk> sink{};
    for (;;) {
        auto [ec, n] = co_await tcp_layer().async_read_some(boost::asio::buffer(sink), use_tuple);
        if (ec) break;
    }
    tcp_layer().close();
}

awaitable<void> serve(std::unique_ptr<Connection> connection) {
    co_await connection->run();
}

awaitable<void> accept_connections(std::shared_ptr<HttpApiState> state) {
    boost::asio::steady_timer backoff(state->acceptor.get_executor());
    for (;;) {
        auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
        if (state->stopped || ec == boost::asio::error::operation_aborted) co_return;
        if (ec) {
            // Out of descriptors and the like: pause, so that an error that repeats at once
            // does not spin the loop.
            obs::log(obs::LogLevel::error, "http_api_accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(use_tuple);
            continue;
        }
        if (state->settings.max_connections != 0 &&
            state->connections.size() >= state->settings.max_connections) {
            // Closed at once rather than left in the backlog, where it would wait unseen.
            error_code ignored;
            socket.close(ignored);
            state->counters.refuse(obs::ConnectionRefusal::connection_limit);
            obs::log(obs::LogLevel::warn, "http_api_connection_refused",
                     {{"reason", "max_connections"}});
            continue;
        }
        // Registered before it runs, so that a burst of connections is counted at once.
        auto connection = std::make_unique<Connection>(state, std::move(socket));
        if (!connection->admit()) {
            state->counters.refuse(obs::ConnectionRefusal::pre_auth_source_limit);
            continue;  // closed as it is destroyed
        }
        boost::asio::co_spawn(state->acceptor.get_executor(), serve(std::move(connection)),
                              log_coroutine_failure);
    }
}

}  // namespace

HttpApiServer::HttpApiServer(boost::asio::io_context& io, ssl::context& tls,
                             HttpApiSettings settings, QueryRunner runner, HealthProbe probe)
    : state_(std::make_shared<HttpApiState>(io, tls, std::move(settings), std::move(runner),
                                            std::move(probe))) {}

HttpApiServer::~HttpApiServer() {
    stop();
}

void HttpApiServer::start() {
    tcp::acceptor& acceptor = state_->acceptor;
    if (acceptor.is_open()) return;
    const tcp::endpoint& endpoint = state_->settings.listen;
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(tcp::socket::max_listen_connections, ec);
    if (ec) {
        error_code ignored;
        acceptor.close(ignored);
        throw std::runtime_error("HTTP API cannot listen on " + endpoint.address().to_string() +
                                 ":" + std::to_string(endpoint.port()) + ": " + ec.message());
    }
    state_->stopped = false;
    boost::asio::co_spawn(acceptor.get_executor(), accept_connections(state_),
                          log_coroutine_failure);
    const tcp::endpoint bound = local_endpoint();
    obs::log(obs::LogLevel::info, "http_api_listening",
             {{"address", bound.address().to_string()}, {"port", std::to_string(bound.port())}});
}

void HttpApiServer::stop() {
    state_->stopped = true;
    error_code ignored;
    state_->acceptor.close(ignored);
    for (beast::tcp_stream* connection : state_->connections) {
        connection->close();
    }
}

tcp::endpoint HttpApiServer::local_endpoint() const {
    error_code ignored;
    return state_->acceptor.local_endpoint(ignored);
}

std::size_t HttpApiServer::connection_count() const {
    return state_->connections.size();
}

const obs::ConnectionCounters& HttpApiServer::connections() const {
    return state_->counters;
}

void HttpApiServer::replace_tokens(TokenStore tokens) {
    state_->tokens = std::move(tokens);
}

}  // namespace sqlgate::gatekeeper
