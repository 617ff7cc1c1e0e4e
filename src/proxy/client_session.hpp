// One client connection to the proxy: authenticates it, then runs its commands, sending
// each statement where the router says and relaying the reply as it arrives.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mysql/messages.hpp"
#include "mysql/response_tracker.hpp"
#include "net/packet_channel.hpp"
#include "net/server_login.hpp"
#include "proxy/prepared_statements.hpp"
#include "proxy/proxy_runtime.hpp"
#include "proxy/router.hpp"
#include "proxy/session_state.hpp"

namespace sqlgate::proxy {

class ClientSession {
  public:
    ClientSession(ProxyRuntime& runtime, net::tcp::socket socket);
    ~ClientSession();

    boost::asio::awaitable<void> run();

    // (backend index, that server's thread id) of every open backend connection.
    std::vector<std::pair<std::size_t, std::uint32_t>> backend_threads() const;
    // Ends the session as KILL CONNECTION does: its client read fails and it winds down.
    void close_client() { client_.close(); }

  private:
    // One connection of this session to one backend.
    struct BackendLink {
        explicit BackendLink(net::tcp::socket socket) : channel(std::move(socket)) {}
        net::PacketChannel channel;
        std::size_t applied_state = 0;  // how many SessionState commands this backend has run
        std::string applied_gtid;       // a session write this replica is known to have applied
        std::uint32_t thread_id = 0;    // the server's id for this connection
        // Prepared reads this server knows, by the client's statement id.
        std::unordered_map<std::uint32_t, BackendStatement> statements;
    };

    // One COM_STMT_EXECUTE of a statement in prepared_, on its way to some backend.
    struct PreparedExecution {
        PreparedStatement& statement;
        std::uint32_t client_id;
        mysql::StmtExecuteHead head;
    };

    // not_reached: nothing of the reply reached the client, the command may go elsewhere;
    // behind: the replica has not applied this session's last write yet.
    enum class Outcome { replied, not_reached, behind, broken };

    boost::asio::awaitable<bool> handshake();
    // Checks login_'s mysql_native_password token (after switching a client that offered
    // another method); sends the access-denied error itself.
    boost::asio::awaitable<bool> authenticate(std::uint8_t& sequence);
    boost::asio::awaitable<bool> enter_schema(const std::string& database, std::uint8_t sequence);
    boost::asio::awaitable<bool> handle_change_user(mysql::ByteView payload);
    void reset_session();
    // Keeps a session-state command the primary has just run, for replay on the others.
    void record_state(mysql::Command command, std::string_view argument);
    boost::asio::awaitable<bool> handle_command();
    boost::asio::awaitable<bool> handle_query(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_init_db(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_prepare(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_execute(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_close(mysql::ByteView payload);
    // The statement's entry when `payload` (a COM_STMT_* command) names one of prepared_
    // that the primary's current connection still knows; drops the entry when it does not.
    // `id` is the client's id for it (kLastPreparedStatement resolved).
    PreparedStatement* prepared_statement(mysql::ByteView payload, std::uint32_t& id);
    // The execute to send to `link`'s server: the statement prepared there first if need be,
    // its id and (when that server has not seen them) the parameter types filled in.
    // nullopt when that server cannot run it.
    boost::asio::awaitable<std::optional<mysql::ByteView>> bind_prepared(
        BackendLink& link, const BackendState& backend, const PreparedExecution& execution,
        mysql::ByteView payload);
    // KILL [QUERY] n and COM_PROCESS_KILL name sqlgate's connection ids; they are carried out
    // on the backends' threads of that session (never passed on: there, n is someone else).
    boost::asio::awaitable<bool> handle_kill(std::uint64_t id, bool query_only);
    // For the commands that get no reply (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA).
    boost::asio::awaitable<void> send_without_reply(BackendState& backend, mysql::ByteView payload);
    boost::asio::awaitable<bool> run_on_primary(mysql::ByteView payload, mysql::ReplyShape shape,
                                                bool* succeeded = nullptr);
    // Runs the client's command on `backend`; reports the backend being unreachable.
    boost::asio::awaitable<bool> run_on(BackendState& backend, mysql::ByteView payload,
                                        mysql::ReplyShape shape, bool* succeeded,
                                        const PreparedExecution* prepared = nullptr);
    // Every route but Target::primary: reads, and refusals of bad hints.
    boost::asio::awaitable<bool> run_read(mysql::ByteView payload, const RouteDecision& route,
                                          const PreparedExecution* prepared = nullptr);
    boost::asio::awaitable<Outcome> execute(BackendState& backend, mysql::ByteView payload,
                                            mysql::ReplyShape shape, bool* succeeded,
                                            bool read_your_writes = false,
                                            const PreparedExecution* prepared = nullptr);
    boost::asio::awaitable<BackendLink*> link_to(BackendState& backend, std::string& error);
    // Waits until the link's replica has applied the session's last write; false if it has not
    // within the configured time (or the wait failed).
    boost::asio::awaitable<bool> catch_up(BackendLink& link);
    // Asks the primary for the GTID of this session's last committed write.
    boost::asio::awaitable<void> note_last_write();
    boost::asio::awaitable<bool> send_error(std::uint16_t code, std::string_view sql_state,
                                            std::string_view message,
                                            std::optional<std::uint8_t> sequence = std::nullopt);
    boost::asio::awaitable<bool> send_ok(std::uint8_t sequence);
    SessionSituation situation() const;
    void mark_unreachable(BackendState& backend, const std::string& error);

    ProxyRuntime& runtime_;
    net::PacketChannel client_;
    std::string peer_;
    std::uint32_t connection_id_;
    const ProxyUser* user_ = nullptr;
    std::string scramble_;    // of the greeting; COM_CHANGE_USER answers it too
    net::ClientLogin login_;  // the handshake's or COM_CHANGE_USER's, while it is checked
    mysql::Capability capabilities_ = mysql::Capability::none;
    std::uint8_t collation_ = mysql::kDefaultCollation;
    SessionState state_;
    std::vector<std::unique_ptr<BackendLink>> links_;  // by backend index, opened lazily
    bool in_transaction_ = false;
    bool autocommit_ = true;
    bool pinned_to_primary_ = false;
    std::size_t previous_backend_;     // where the last statement ran
    std::string last_write_gtid_;      // GTID of the session's last committed write
    bool write_gtid_unknown_ = false;  // the primary committed a write not yet in last_write_gtid_
    std::string last_backend_error_;
    std::uint8_t reply_sequence_ = 1;  // sequence id of the reply to the current command
    PreparedStatements prepared_;      // replica-safe statements only; the rest stay on the primary
    std::uint32_t prepared_id_ = 0;    // of the last COM_STMT_PREPARE reply relayed
    std::uint16_t prepared_parameters_ = 0;  // likewise
    // What kLastPreparedStatement names: the session's last prepare, if it succeeded.
    std::optional<std::uint32_t> last_prepared_;
    mysql::Bytes payload_;
    mysql::Bytes reply_;
    mysql::Bytes rebound_;  // an execute rewritten for a server with other ids or no types
};

}  // namespace sqlgate::proxy
