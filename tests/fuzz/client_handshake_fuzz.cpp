// Fuzzes the server side of a login as net::read_client_login and the session engine run it:
// an SSL request or handshake response, the auth-switch answer, then COM_CHANGE_USER.
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

// Serializing what was parsed reads back the same, where the serializer can say it: it always
// writes a one-byte token length, which a client without secure_connection does not send.
void check_response_round_trip(const HandshakeResponse& h) {
    const bool lenenc = has(h.capabilities, Capability::plugin_auth_lenenc_data);
    if (!lenenc && !has(h.capabilities, Capability::secure_connection)) return;
    Bytes out;
    serialize_handshake_response(out, h);
    const auto again = parse_handshake_response(out);
    require(again && again->capabilities == h.capabilities &&
                again->mariadb_capabilities == h.mariadb_capabilities &&
                again->max_packet_size == h.max_packet_size && again->collation == h.collation &&
                again->user == h.user && again->auth_response == h.auth_response &&
                again->database == h.database && again->auth_plugin == h.auth_plugin &&
                again->attributes == h.attributes,
            "a handshake response does not survive serialize_handshake_response");
}

void check_change_user_round_trip(const ChangeUserRequest& c, Capability capabilities) {
    if (!has(capabilities, Capability::secure_connection)) return;
    Bytes out;
    serialize_change_user(out, c, capabilities);
    const auto again = parse_change_user(out, capabilities);
    require(again && again->user == c.user && again->auth_response == c.auth_response &&
                again->database == c.database && again->auth_plugin == c.auth_plugin &&
                (!c.collation || again->collation == c.collation),
            "a COM_CHANGE_USER does not survive serialize_change_user");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    auto message = next_packet(in);
    if (!message) return 0;
    if (is_ssl_request(message->payload)) {
        require(message->payload.size() == 32, "an SSL request of another size");
        message = next_packet(in);  // the same login continues inside TLS
        if (!message) return 0;
    }
    const std::string_view text = as_chars(message->payload);
    const auto response = parse_handshake_response(message->payload);
    if (!response || !has(response->capabilities, kRequiredClientCapabilities)) return 0;
    require(within(response->user, text) && within(response->auth_response, text) &&
                within(response->database, text) && within(response->auth_plugin, text) &&
                within(response->attributes, text),
            "handshake response fields outside the packet");
    check_response_round_trip(*response);

    const Capability capabilities = response->capabilities & (kProxyCapabilities | Capability::ssl);
    const std::string scramble = "0123456789abcdefghij";
    std::string token(response->auth_response);
    if (has(capabilities, Capability::plugin_auth) && !response->auth_plugin.empty() &&
        response->auth_plugin != kNativePasswordPlugin) {
        // request_native_token: the client's next packet is its native token, raw.
        const auto answer = next_packet(in);
        if (!answer) return 0;
        token.assign(as_chars(answer->payload));
    }
    if (const auto stored =
            parse_native_password_hash("*6BB4837EB74329105EE4568DDA7DC67ED2CA2AD9")) {
        verify_native_password(token, scramble, *stored);
    }

    // The command phase: COM_CHANGE_USER's arguments follow its command byte.
    while (const auto command = next_packet(in)) {
        if (command->payload.empty() ||
            command->payload[0] != static_cast<std::uint8_t>(Command::change_user)) {
            continue;
        }
        const ByteView arguments = command->payload.subspan(1);
        const auto change = parse_change_user(arguments, capabilities);
        if (!change) continue;
        const std::string_view arguments_text = as_chars(arguments);
        require(within(change->user, arguments_text) &&
                    within(change->auth_response, arguments_text) &&
                    within(change->database, arguments_text) &&
                    within(change->auth_plugin, arguments_text),
                "COM_CHANGE_USER fields outside the packet");
        check_change_user_round_trip(*change, capabilities);
    }
    return 0;
}
