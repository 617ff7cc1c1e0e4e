#include "workload/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

namespace sqlgate::workload {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using Json = nlohmann::json;

// The workload's answers are a few rows; this only stops a confused server from filling
// memory.
constexpr std::uint64_t kMaxAnswerBytes = 16 << 20;
constexpr std::size_t kQuoteLimit = 200;  // of a non-JSON error body quoted in a message

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool is_loopback_literal(const std::string& host) {
    error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

bool is_host_name(std::string_view host) {
    return !host.empty() && host.size() <= 253 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    });
}

bool is_path(std::string_view path) {
    return std::all_of(path.begin(), path.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '-' ||
               c == '_' || c == '~';
    });
}

// A body that is not the API's JSON (a reverse proxy's HTML page, say), reduced to one
// printable line that cannot garble the report.
std::string quote_body(std::string_view body) {
    std::string out;
    for (char c : body.substr(0, kQuoteLimit)) {
        out += (c >= 0x20 && c < 0x7f) ? c : ' ';
    }
    if (body.size() > kQuoteLimit) out += "...";
    return out;
}

std::string http_error(unsigned status, const Json& json, std::string_view body,
                       unsigned& mysql_code) {
    std::string text = "HTTP " + std::to_string(status);
    const Json* error = nullptr;
    if (json.is_object()) {
        auto it = json.find("error");
        if (it != json.end() && it->is_object()) error = &*it;
    }
    auto string_member = [&](const char* name) -> std::string {
        auto it = error->find(name);
        return it != error->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (error == nullptr) {
        const auto reason = http::obsolete_reason(http::int_to_status(status));
        if (reason != "<unknown-status>") text += " " + std::string(reason);
        const std::string quoted = quote_body(body);
        return quoted.find_first_not_of(' ') == std::string::npos ? text : text + ": " + quoted;
    }
    if (auto code = string_member("code"); !code.empty()) text += " " + code;
    if (auto rule = string_member("rule"); !rule.empty()) text += " (" + rule + ")";
    text += ": ";
    // A statement the database refused reads as the MySQL client would show it.
    auto code = error->find("mysql_code");
    if (code != error->end() && code->is_number_unsigned() && code->get<unsigned>() != 0) {
        mysql_code = code->get<unsigned>();
        auto state = string_member("sql_state");
        text += "ERROR " + std::to_string(mysql_code) + (state.empty() ? "" : " (" + state + ")") +
                ": ";
    }
    return text + string_member("message");
}

// Reads the "rows" of a result set, each value as the text a MySQL client would get (the API
// types them: numbers for integers and floats); false when they are not arrays of strings,
// numbers and nulls.
bool read_rows(const Json& rows, std::vector<Row>& out) {
    if (!rows.is_array()) return false;
    for (const auto& row : rows) {
        if (!row.is_array()) return false;
        Row& values = out.emplace_back();
        for (const auto& value : row) {
            if (value.is_string()) {
                values.emplace_back(value.get<std::string>());
            } else if (value.is_number()) {
                values.emplace_back(value.dump());
            } else if (value.is_null()) {
                values.emplace_back();
            } else {
                return false;
            }
        }
    }
    return true;
}

}  // namespace

std::string HttpUrl::authority() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::to_string() const {
    return (tls ? "https://" : "http://") + authority() + base_path;
}

HttpUrl parse_http_url(std::string_view text) {
    auto fail = [&](const std::string& why) {
        throw std::invalid_argument("'" + std::string(text) + "': " + why);
    };
    HttpUrl url;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) fail("expected https://HOST[:PORT]");
    const std::string scheme = lowercase(text.substr(0, scheme_end));
    if (scheme != "https" && scheme != "http") {
        fail("the scheme must be https (or http to a loopback address)");
    }
    url.tls = scheme == "https";
    std::string_view rest = text.substr(scheme_end + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) {
        fail("a query or fragment has no meaning here");
    }
    const std::string_view authority = rest.substr(0, rest.find('/'));
    std::string_view path = rest.substr(authority.size());
    if (authority.find('@') != std::string_view::npos) {
        fail("credentials do not belong in the URL; give the token with --token-file");
    }

    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) fail("unterminated IPv6 address");
        url.host = std::string(authority.substr(1, close - 1));
        error_code ec;
        asio::ip::make_address_v6(url.host, ec);
        if (ec) fail("'" + url.host + "' is not an IPv6 address");
        const auto after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') fail("unexpected text after the address");
        has_port = !after.empty();
        if (has_port) port_text = after.substr(1);
    } else {
        const auto colon = authority.find(':');
        if (colon != std::string_view::npos &&
            authority.find(':', colon + 1) != std::string_view::npos) {
            fail("put an IPv6 address in brackets: https://[::1]:8443");
        }
        url.host = std::string(authority.substr(0, colon));
        has_port = colon != std::string_view::npos;
        if (has_port) port_text = authority.substr(colon + 1);
        if (!is_host_name(url.host)) fail("no valid host name or address");
    }

    url.port = url.tls ? 443 : 80;
    if (has_port) {
        unsigned port = 0;
        const char* end = port_text.data() + port_text.size();
        auto [ptr, ec] = std::from_chars(port_text.data(), end, port);
        if (port_text.empty() || ec != std::errc() || ptr != end || port == 0 || port > 65535) {
            fail("the port must be a number in 1-65535");
        }
        url.port = static_cast<std::uint16_t>(port);
    }

    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    if (!is_path(path)) fail("the path may hold only letters, digits and / . - _ ~");
    url.base_path = std::string(path);

    // "localhost" is checked again once resolved (HttpClient::connect), since a hosts file
    // could point it anywhere.
    if (!url.tls && !is_loopback_literal(url.host) && lowercase(url.host) != "localhost") {
        fail(
            "plain http:// would carry the token and the data in clear; use https:// "
            "(http:// is accepted only to a loopback address such as 127.0.0.1)");
    }
    return url;
}

void check_token(std::string_view token) {
    if (token.empty()) throw std::invalid_argument("the API token is empty");
    const bool printable = std::all_of(token.begin(), token.end(), [](char c) {
        return c > 0x20 && c < 0x7f;  // no spaces or controls: CR/LF would split the header
    });
    if (!printable) {
        throw std::invalid_argument("the API token holds spaces, control characters or non-ASCII");
    }
}

std::string_view endpoint_for(Route route) {
    switch (route) {
        case Route::write:
            return "/populate_tables";
        case Route::direct:
            return "/fetch_direct";
        case Route::random:
            return "/fetch_random";
        case Route::customized:
            return "/fetch_customized";
        case Route::node:
            break;
    }
    return "/v1/query";
}

QueryResult result_from_answer(unsigned status, std::string_view body) {
    QueryResult result;
    result.http_status = status;
    const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (status < 200 || status > 299) {
        result.error = http_error(status, json, body, result.error_code);
        return result;
    }
    auto fail = [&](const std::string& why) {
        result.error = "HTTP " + std::to_string(status) + ": " + why;
        result.rows.clear();
        return result;
    };
    if (!json.is_object()) return fail("the answer is not a JSON object: " + quote_body(body));
    if (auto rows = json.find("rows"); rows != json.end()) {
        if (!read_rows(*rows, result.rows)) {
            return fail(R"("rows" is not an array of arrays of strings, numbers and nulls)");
        }
        auto count = json.find("row_count");
        if (count != json.end() &&
            (!count->is_number_unsigned() || count->get<std::uint64_t>() != result.rows.size())) {
            return fail(R"("row_count" does not match the rows)");
        }
        return result;
    }
    auto affected = json.find("affected_rows");
    if (affected == json.end() || !affected->is_number_unsigned()) {
        return fail(R"(the answer has neither "rows" nor "affected_rows")");
    }
    result.affected_rows = affected->get<std::uint64_t>();
    return result;
}

struct HttpClient::Impl {
    using Request = http::request<http::string_body>;

    // What one request/answer exchange came to.
    struct Exchange {
        error_code ec;
        bool written = false;         // the whole request went out
        bool answer_started = false;  // some of the answer came back
        unsigned status = 0;
        std::string body;
        bool keep_alive = false;
    };

    explicit Impl(HttpParams p) : params(std::move(p)) {}

    // Starts one asynchronous operation and runs the io_context until it completes: a
    // blocking call whose timeout is the stream's expiry (beast::tcp_stream has no timeout
    // for blocking calls).
    template <class Initiate>
    error_code run(Initiate&& initiate) {
        std::optional<error_code> result;
        initiate([&result](error_code ec, auto&&...) { result = ec; });
        io.restart();
        while (!result && io.run_one() > 0) {
        }
        return result.value_or(asio::error::operation_aborted);
    }

    tcp::socket& socket() {
        return secure ? beast::get_lowest_layer(*secure).socket() : plain->socket();
    }
    bool is_open() { return (secure || plain) && socket().is_open(); }

    void close() {
        // No TLS close_notify: it would cost a round trip and the server gains nothing from it.
        if (is_open()) {
            error_code ignored;
            socket().close(ignored);
        }
        secure.reset();
        plain.reset();
        buffer.clear();
        used = false;
    }

    // A connection that has served a request and now has something to read, while the
    // server owes no answer, was closed by the server (idle timeout, restart): reading
    // would only find the end. Tested before each request so that it is not sent into it.
    bool closed_by_server() {
        if (!used) return false;
        pollfd fd{socket().native_handle(), POLLIN, 0};
        return ::poll(&fd, 1, 0) != 0;
    }

    std::string set_up_tls(ConnectProblem& problem) {
        if (tls) return {};
        try {
            ssl::context context(ssl::context::tls_client);
            SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
            context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
            if (params.ca_file.empty()) {
                context.set_default_verify_paths();
            } else {
                context.load_verify_file(params.ca_file);
            }
            tls.emplace(std::move(context));
        } catch (const boost::system::system_error& e) {
            problem = ConnectProblem::bad_settings;
            return "cannot use CA file " + params.ca_file + ": " + e.code().message();
        }
        return {};
    }

    std::string connect_tcp(beast::tcp_stream& stream, ConnectProblem& problem) {
        std::optional<asio::ip::address> bind;
        if (!params.bind_address.empty()) {
            error_code ec;
            bind = asio::ip::make_address(params.bind_address, ec);
            if (ec) {
                problem = ConnectProblem::bad_settings;
                return "bind address '" + params.bind_address + "' is not an IP address";
            }
        }
        error_code ec;
        tcp::resolver resolver(io);
        const auto endpoints = resolver.resolve(params.url.host, std::to_string(params.url.port),
                                                tcp::resolver::numeric_service, ec);
        problem = ConnectProblem::unreachable;
        if (ec) return "cannot resolve " + params.url.host + ": " + ec.message();
        ec = asio::error::host_not_found;
        for (const auto& entry : endpoints) {
            const tcp::endpoint endpoint = entry.endpoint();
            if (!params.url.tls && !endpoint.address().is_loopback()) {
                problem = ConnectProblem::bad_settings;
                return params.url.host + " resolves to " + endpoint.address().to_string() +
                       ", not a loopback address: plain http:// is refused there";
            }
            if (bind && bind->is_v4() != endpoint.address().is_v4()) continue;
            stream.close();
            if (bind) {
                stream.socket().open(endpoint.protocol(), ec);
                if (!ec) stream.socket().bind(tcp::endpoint(*bind, 0), ec);
                if (ec) {
                    problem = ConnectProblem::bad_settings;
                    return "cannot bind to " + params.bind_address + ": " + ec.message();
                }
            }
            stream.expires_after(params.connect_timeout);
            ec = run([&](auto handler) { stream.async_connect(endpoint, std::move(handler)); });
            if (!ec) {
                problem = ConnectProblem::none;
                return {};
            }
        }
        return ec.message();
    }

    // Names the certificate must carry: the URL's address (IP SAN) or host name (DNS SAN).
    // SNI only for names: RFC 6066 does not allow addresses there.
    bool expect_peer(SSL* ssl) {
        const std::string& host = params.url.host;
        error_code ec;
        asio::ip::make_address(host, ec);
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
               SSL_set1_host(ssl, host.c_str()) == 1;
    }

    std::string handshake(beast::tcp_stream&& stream, ConnectProblem& problem) {
        secure.emplace(std::move(stream), *tls);
        SSL* ssl = secure->native_handle();
        if (!expect_peer(ssl)) {
            problem = ConnectProblem::tls;
            return "cannot set up the certificate check for " + params.url.host;
        }
        beast::get_lowest_layer(*secure).expires_after(params.connect_timeout);
        const error_code ec = run([&](auto handler) {
            secure->async_handshake(ssl::stream_base::client, std::move(handler));
        });
        const long verified = SSL_get_verify_result(ssl);
        if (ec) {
            problem = verified != X509_V_OK ? ConnectProblem::certificate : ConnectProblem::tls;
            return "TLS handshake failed: " + (verified != X509_V_OK
                                                   ? std::string("certificate rejected: ") +
                                                         X509_verify_cert_error_string(verified)
                                                   : ec.message());
        }
        // verify_peer already fails the handshake; this guards against a context change
        // ever letting an unverified certificate through.
        if (verified != X509_V_OK || SSL_get0_peer_certificate(ssl) == nullptr) {
            problem = ConnectProblem::certificate;
            return "TLS handshake failed: the server certificate was not verified";
        }
        return {};
    }

    std::string connect(ConnectProblem& problem) {
        close();
        problem = ConnectProblem::none;
        if (params.url.tls) {
            if (auto error = set_up_tls(problem); !error.empty()) return error;
        }
        beast::tcp_stream stream(io);
        if (auto error = connect_tcp(stream, problem); !error.empty()) return error;
        ++opened;
        if (!params.url.tls) {
            plain.emplace(std::move(stream));
            return {};
        }
        auto error = handshake(std::move(stream), problem);
        if (!error.empty()) close();
        return error;
    }

    template <class Stream>
    Exchange exchange(Stream& stream, const Request& request) {
        Exchange result;
        auto& lowest = beast::get_lowest_layer(stream);
        lowest.expires_after(params.read_timeout);
        result.ec =
            run([&](auto handler) { http::async_write(stream, request, std::move(handler)); });
        if (result.ec) return result;
        result.written = true;
        http::response_parser<http::string_body> parser;
        parser.body_limit(kMaxAnswerBytes);
        lowest.expires_after(params.read_timeout);
        result.ec = run(
            [&](auto handler) { http::async_read(stream, buffer, parser, std::move(handler)); });
        result.answer_started = parser.got_some();
        if (result.ec) return result;
        auto& response = parser.get();
        result.status = response.result_int();
        result.keep_alive = response.keep_alive();
        result.body = std::move(response.body());
        return result;
    }

    Exchange exchange(const Request& request) {
        used = true;
        return secure ? exchange(*secure, request) : exchange(*plain, request);
    }

    HttpParams params;
    asio::io_context io;
    std::optional<ssl::context> tls;  // made on the first connect, so that connect reports
                                      // an unusable CA file
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    std::optional<beast::tcp_stream> plain;
    beast::flat_buffer buffer;
    bool used = false;  // the open connection has carried a request
    int opened = 0;
};

HttpClient::HttpClient(HttpParams params) : impl_(std::make_unique<Impl>(std::move(params))) {}

HttpClient::~HttpClient() {
    impl_->close();
}

std::string HttpClient::connect(ConnectProblem* problem) {
    ConnectProblem ignored;
    return impl_->connect(problem ? *problem : ignored);
}

int HttpClient::connections_opened() const {
    return impl_->opened;
}

QueryResult HttpClient::query(std::string_view sql, Route route) {
    QueryResult result;
    Impl::Request request{http::verb::post,
                          impl_->params.url.base_path + std::string(endpoint_for(route)), 11};
    try {
        request.body() = Json{{"sql", sql}}.dump();
    } catch (const Json::type_error&) {
        result.error = "the statement is not valid UTF-8, which JSON cannot carry";
        return result;
    }
    request.set(http::field::host, impl_->params.url.authority());
    request.set(http::field::user_agent, "sqlgate-send-requests");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json");
    request.set(http::field::authorization, "Bearer " + impl_->params.token);
    request.keep_alive(true);
    request.prepare_payload();

    for (int attempt = 0;; ++attempt) {
        if (!impl_->is_open() || impl_->closed_by_server()) {
            ConnectProblem ignored;
            if (auto error = impl_->connect(ignored); !error.empty()) {
                result.error = "reconnect failed: " + error;
                return result;
            }
        }
        const bool reused = impl_->used;
        Impl::Exchange exchange = impl_->exchange(request);
        if (!exchange.ec) {
            if (!exchange.keep_alive) impl_->close();
            return result_from_answer(exchange.status, exchange.body);
        }
        impl_->close();
        // A kept-alive connection may close just as a request goes out. A request not fully
        // written cannot have run; a read may run twice. A write may not: it might have run.
        const bool harmless = !exchange.written || route != Route::write;
        if (attempt == 0 && reused && !exchange.answer_started && harmless) continue;
        result.error = "HTTP request to " + impl_->params.url.to_string() +
                       std::string(endpoint_for(route)) + " failed: " + exchange.ec.message();
        if (exchange.written && route == Route::write) result.error += " (it may have run)";
        return result;
    }
}

}  // namespace sqlgate::workload
