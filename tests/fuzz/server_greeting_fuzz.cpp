// Fuzzes the client side of a login as net::connect_and_login runs it: the server's greeting
// (or refusal), our handshake response built from it, then up to two replies to our token.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "mysql/auth.hpp"
#include "mysql/constants.hpp"
#include "mysql/messages.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::next_packet;
using sqlgate::fuzz::require;
using sqlgate::fuzz::within;
using namespace sqlgate::mysql;

constexpr std::string_view kPassword = "backend-secret";

// Our response to `greeting`, checked to read back as written.
void answer_greeting(const ServerGreeting& greeting) {
    const std::string token = native_password_token(kPassword, greeting.auth_data);
    require(token.size() == kScrambleSize, "a native token is not 20 bytes");
    HandshakeResponse response;
    response.capabilities =
        (kProxyCapabilities & greeting.capabilities & ~Capability::connect_with_db) |
        Capability::plugin_auth | Capability::connect_with_db;
    response.database = "main_db";
    response.mariadb_capabilities = greeting.mariadb_capabilities;
    response.max_packet_size = 1u << 30;
    response.collation = greeting.collation;
    response.user = "sqlgate";
    response.auth_response = token;
    response.auth_plugin = kNativePasswordPlugin;
    if (!has(response.capabilities, kRequiredClientCapabilities)) return;

    Bytes ssl_request;
    serialize_ssl_request(ssl_request, response);
    require(is_ssl_request(ssl_request), "our SSL request is not recognised as one");
    Bytes payload;
    serialize_handshake_response(payload, response);
    require(!is_ssl_request(payload), "our handshake response looks like an SSL request");
    const auto parsed = parse_handshake_response(payload);
    require(parsed && parsed->capabilities == response.capabilities &&
                parsed->mariadb_capabilities == response.mariadb_capabilities &&
                parsed->collation == response.collation && parsed->user == response.user &&
                parsed->auth_response == token && parsed->database == response.database &&
                parsed->auth_plugin == response.auth_plugin,
            "our handshake response does not read back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const auto first = next_packet(in);
    if (!first) return 0;
    const std::string_view first_text = as_chars(first->payload);
    if (const auto err = parse_err(first->payload)) {  // "Host is blocked" and the like
        require(within(err->message, first_text), "ERR message outside the packet");
        return 0;
    }
    const auto greeting = parse_greeting(first->payload);
    if (!greeting) return 0;
    require(
        within(greeting->server_version, first_text) && within(greeting->auth_plugin, first_text),
        "greeting fields outside the packet");
    answer_greeting(*greeting);

    // finish_login: OK ends it, ERR refuses, an auth switch to native is answered once more.
    for (int round = 0; round < 2; ++round) {
        const auto reply = next_packet(in);
        if (!reply || reply->payload.empty()) return 0;
        if (reply->payload[0] == kOkHeader) {
            parse_ok(reply->payload);
            return 0;
        }
        if (parse_err(reply->payload)) return 0;
        const auto change = parse_auth_switch(reply->payload);
        if (!change || change->plugin != kNativePasswordPlugin) return 0;
        require(within(change->data, as_chars(reply->payload)), "auth switch data outside");
        require(native_password_token(kPassword, change->data).size() == kScrambleSize,
                "a native token is not 20 bytes");
    }
    return 0;
}
