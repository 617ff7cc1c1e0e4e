// What the session engine runs for a client of the proxy: it authenticates the client, then
// sends each command where the router says and relays the reply as it arrives.
#pragma once

#include <optional>
#include <string>

#include "engine/session_stages.hpp"
#include "mysql/messages.hpp"
#include "mysql/response_tracker.hpp"
#include "proxy/backend_links.hpp"
#include "proxy/prepared_statements.hpp"
#include "proxy/proxy_runtime.hpp"
#include "proxy/router.hpp"
#include "proxy/write_tracker.hpp"

namespace sqlgate::proxy {

class ProxySession final : public engine::SessionStages {
  public:
    ProxySession(ProxyRuntime& runtime, engine::ClientConnection& client);
    ~ProxySession() override;
    ProxySession(const ProxySession&) = delete;
    ProxySession& operator=(const ProxySession&) = delete;

    engine::ListenerSettings listener_settings();

    bool authenticate(const net::ClientLogin& login, std::string_view scramble) override;
    boost::asio::awaitable<std::optional<engine::ErrorReply>> open(
        const net::ClientLogin& login) override;
    std::string_view user_name() const override;
    std::uint16_t status_flags() const override;
    boost::asio::awaitable<bool> handle(mysql::Command command, mysql::ByteView payload) override;
    // KILL [QUERY] n and COM_PROCESS_KILL name sqlgate's connection ids; they are carried out
    // on the backends' threads of that session (never passed on: there, n is someone else).
    boost::asio::awaitable<bool> kill(std::uint64_t id, bool query_only) override;
    void reset() override;
    void close() override { links_.close_sockets(); }

    // (backend index, that server's thread id) of every open backend connection.
    std::vector<std::pair<std::size_t, std::uint32_t>> backend_threads() const {
        return links_.threads();
    }
    // Ends the session as KILL CONNECTION does: its client read fails and it winds down.
    void close_client() { client_.close(); }

  private:
    // What a server's reply said, read from it as it was relayed.
    struct Reply {
        bool answered = false;          // the server replied (maybe with an error)
        bool succeeded = false;         // answered, and not with an error
        std::uint32_t prepared_id = 0;  // of a COM_STMT_PREPARE
        std::uint16_t prepared_parameters = 0;
        // The server reported the GTID of whatever the command committed (none: it did not).
        bool gtid_reported = false;
    };
    // not_reached: nothing of the reply reached the client, the command may go elsewhere;
    // behind: the replica has not applied this session's last write yet.
    enum class Outcome { replied, not_reached, behind, broken };
    struct Executed {
        Outcome outcome = Outcome::not_reached;
        Reply reply;
    };
    // A command run on a server, any failure already reported to the client.
    struct Ran {
        bool goes_on = false;  // false: the session must end
        Reply reply;
    };
    // One COM_STMT_EXECUTE of a statement in prepared_, on its way to some backend.
    struct PreparedExecution {
        PreparedStatement& statement;
        std::uint32_t client_id;
        mysql::StmtExecuteHead head;
    };

    // Commands (proxy_session.cpp).
    boost::asio::awaitable<bool> dispatch(mysql::Command command, mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_query(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_init_db(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_set_option(mysql::ByteView payload);
    boost::asio::awaitable<bool> send_ok();
    SessionSituation situation() const;
    // Where session state (USE, SET, COM_INIT_DB, the login's schema) runs now: the primary,
    // or while it is known down a usable replica, whence it is replayed on the others (the
    // primary included, once it is back).
    BackendState& state_server();
    // Prepared statements (proxy_session_prepared.cpp).
    boost::asio::awaitable<bool> handle_stmt_prepare(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_execute(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_close(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_reset(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_send_long_data(mysql::ByteView payload);
    boost::asio::awaitable<bool> handle_stmt_fetch(mysql::ByteView payload);
    // The statement `payload` (a COM_STMT_* command) names, if the session has it; `id` is
    // the client's id for it (kLastPreparedStatement resolved).
    PreparedStatement* prepared_statement(mysql::ByteView payload, std::uint32_t& id);
    // Answers a command naming a statement the session does not have, as a server would.
    boost::asio::awaitable<bool> unknown_statement(std::uint32_t id, std::string_view command);
    // The execute to send to `link`: the statement prepared there first if need be, its id
    // and (when that server has not received them) the parameter types filled in. nullopt
    // when that server cannot run it.
    boost::asio::awaitable<std::optional<mysql::ByteView>> bind_prepared(
        BackendLink& link, const PreparedExecution& execution, mysql::ByteView payload);
    // The same for a statement prepared there already (`there`), without a round trip.
    mysql::ByteView bind_to(BackendStatement& there, const PreparedExecution& execution,
                            mysql::ByteView payload);
    // `text` as prepared on `link` (for whoever borrows it), prepared there first if need
    // be; nullptr when that server cannot prepare it.
    boost::asio::awaitable<BackendStatement*> statement_on(BackendLink& link,
                                                           const std::string& text);
    // `statement` on the primary's connection the session holds, if it is prepared there.
    const BackendStatement* kept_on_primary(const PreparedStatement& statement) const;
    // Closes every statement prepared on `link` when it holds its most (or `now`).
    boost::asio::awaitable<void> make_room(BackendLink& link, bool now = false);
    // Running on backends (proxy_session_execute.cpp).
    boost::asio::awaitable<Ran> run_on_primary(mysql::ByteView payload, mysql::ReplyShape shape);
    // Runs the client's command on `backend`; reports the backend being unreachable.
    boost::asio::awaitable<Ran> run_on(BackendState& backend, mysql::ByteView payload,
                                       mysql::ReplyShape shape,
                                       const PreparedExecution* prepared = nullptr);
    // Every route but Target::primary: reads, and refusals of bad hints.
    boost::asio::awaitable<bool> run_read(mysql::ByteView payload, const RouteDecision& route,
                                          const PreparedExecution* prepared = nullptr);
    boost::asio::awaitable<Executed> execute(BackendState& backend, mysql::ByteView payload,
                                             mysql::ReplyShape shape, bool read_your_writes,
                                             const PreparedExecution* prepared);
    boost::asio::awaitable<Executed> execute_once(BackendState& backend, mysql::ByteView payload,
                                                  mysql::ReplyShape shape, bool read_your_writes,
                                                  const PreparedExecution* prepared);
    // Pipelining: the read written on `busy` (lent to another session) behind what is in
    // flight there, its reply relayed when its turn comes. not_reached (with followed_) when
    // the connection broke before that: the read is then run on a link of its own.
    // `there`: a prepared statement's entry on `busy` (null for a text query).
    boost::asio::awaitable<Executed> follow(BackendState& backend, BackendLink& busy,
                                            mysql::ByteView payload, mysql::ReplyShape shape,
                                            const PreparedExecution* prepared,
                                            BackendStatement* there);
    // A read may follow another session's on a busy link, or take followers on its own.
    bool may_pipeline(mysql::ReplyShape shape) const;
    // The reply of the statement just written on `link` (to `backend`), to the client.
    boost::asio::awaitable<Executed> relay_from(BackendState& backend, BackendLink& link,
                                                mysql::ByteView payload, mysql::ReplyShape shape,
                                                const PreparedExecution* prepared);
    // Before a question about the last statement's warnings or error, when a statement of
    // another session ran behind it on its connection: runs it again on a link of this
    // session's own, its reply not relayed, so that the question gets its diagnostics.
    boost::asio::awaitable<void> restore_diagnostics(BackendState& backend);
    // How `route` places a command, for the statement counters (see StatementRoute).
    static StatementRoute route_of(const RouteDecision& route);
    // Follows what the primary's reply says of the session: transaction and autocommit.
    void note_primary_status(const mysql::ResponseTracker& tracker);
    // What a statement that the primary ran (or began to) may have left there only: a write
    // to wait for, user variables, session settings; and the pins they need.
    void note_primary_effects(const sql::StatementInfo& info, const Reply& reply);
    void mark_unreachable(BackendState& backend, const std::string& error);
    // Between statements: gives back to the pools every backend connection nothing pins.
    void release_links();
    // Why the session keeps its connection to the primary now.
    PinReasons primary_pins() const;
    void pin(PinReason reason) { sticky_pins_ |= pin_bit(reason); }

    ProxyRuntime& runtime_;
    engine::ClientConnection& client_;
    // Shared with the runtime: a reload that changes or removes the user leaves this
    // session's login as it was.
    std::shared_ptr<const ProxyUser> user_;
    mysql::Capability capabilities_ = mysql::Capability::none;
    BackendLinks links_;
    WriteTracker writes_;
    PreparedStatements prepared_;  // replica-safe statements only; the rest stay on the primary
    bool in_transaction_ = false;
    bool autocommit_ = true;
    bool pinned_to_primary_ = false;
    bool user_variables_on_primary_ = false;    // reads naming user variables need the primary
    bool session_settings_on_primary_ = false;  // and those naming session settings (@@x)
    std::size_t previous_backend_;              // where the last statement ran
    // The reply of the last statement had warnings or was an error: its connection stays
    // for SHOW WARNINGS and the like.
    bool previous_left_diagnostics_ = false;
    bool borrowed_link_ = false;     // the last execute_once ran on a link taken from a pool
    bool reads_may_follow_ = false;  // the command is a read routed by strategy (see follow)
    bool followed_ = false;          // the last execute_once followed another session's read
    bool discard_reply_ = false;     // restore_diagnostics: the reply goes nowhere
    // The last statement left diagnostics on a connection where another session's statement
    // then ran: what restore_diagnostics runs again.
    struct LostDiagnostics {
        mysql::Bytes payload;
        mysql::ReplyShape shape;
        bool prepared;
    };
    std::optional<LostDiagnostics> lost_diagnostics_;
    PinReasons sticky_pins_ = 0;                      // kept until the session is reset
    PinReasons counted_pins_ = 0;                     // those already counted in the metrics
    StatementRoute route_ = StatementRoute::primary;  // how the current command was routed
    std::string last_backend_error_;
    mysql::Bytes rebound_;  // a COM_STMT_* rewritten for a server with other ids or no types
    std::uint32_t last_statement_id_ = 0;  // the id the client got for its last prepare
    // While a prepare runs: the id its reply gives the client instead of the server's.
    std::uint32_t statement_id_for_client_ = 0;
};

}  // namespace sqlgate::proxy
