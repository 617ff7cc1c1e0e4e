// Every metric sqlgate exports, declared once: name, type and help (the labels each takes
// are in the help). The roles' collectors write samples of these families and no others.
#pragma once

#include "obs/metrics.hpp"

namespace sqlgate::obs::metric {

using enum MetricType;

// Every role.
inline constexpr MetricFamily kBuildInfo{"sqlgate_build_info", gauge,
                                         "Always 1; labels: role, version."};
inline constexpr MetricFamily kStartTime{"sqlgate_start_time_seconds", gauge,
                                         "When the process started, in Unix seconds; label: role."};
inline constexpr MetricFamily kSessionsOpen{
    "sqlgate_sessions_open", gauge,
    "Client sessions open now (logging in or logged in); label: role."};
inline constexpr MetricFamily kSessionsAccepted{
    "sqlgate_sessions_accepted_total", counter,
    "Client connections accepted and given a session; label: role."};
inline constexpr MetricFamily kConnectionsRefused{
    "sqlgate_connections_refused_total", counter,
    "Client connections closed before they became sessions; labels: role, listener (mysql or "
    "http), reason (source_not_allowed, connection_limit, user_connection_limit, tls_required, "
    "tls_unavailable, tls_failed, bad_handshake, handshake_timeout, certificate_not_allowed, "
    "access_denied, session_not_opened, pre_auth_source_limit, pre_auth_evicted)."};
inline constexpr MetricFamily kTlsHandshakes{
    "sqlgate_tls_handshakes_total", counter,
    "TLS handshakes with clients; labels: role, listener, outcome (ok or failed)."};

// The proxy.
inline constexpr MetricFamily kProxyStatements{
    "sqlgate_proxy_statements_total", counter,
    "Client commands run on a server; labels: server, route (primary: writes, transactions "
    "and session state; direct, random, customized: reads by strategy; named: a route hint "
    "naming the server)."};
inline constexpr MetricFamily kProxyStatementDuration{
    "sqlgate_proxy_statement_duration_seconds", histogram,
    "From sending a command to a server to relaying the end of its reply; label: server."};
inline constexpr MetricFamily kProxyRouteDuration{
    "sqlgate_proxy_route_duration_seconds", histogram,
    "From sending a command to a server to relaying the end of its reply, by how it was "
    "routed; label: route (as in sqlgate_proxy_statements_total)."};
inline constexpr MetricFamily kProxyErrors{
    "sqlgate_proxy_errors_total", counter,
    "Commands the proxy answered with its own error; label: cause (primary_down, "
    "server_unavailable, no_replica, unknown_route)."};
inline constexpr MetricFamily kProxyServerUp{
    "sqlgate_proxy_server_up", gauge,
    "1 while the monitor reaches the server; labels: server, role (primary or replica)."};
inline constexpr MetricFamily kProxyInFlight{"sqlgate_proxy_server_in_flight", gauge,
                                             "Commands running on the server now; label: server."};
inline constexpr MetricFamily kProxyReplicating{
    "sqlgate_proxy_replication_running", gauge,
    "1 while the replica's IO and SQL threads both run; label: server (replicas only)."};
inline constexpr MetricFamily kProxyLag{
    "sqlgate_proxy_replication_lag_seconds", gauge,
    "Seconds_Behind_Master as the monitor last read it; label: server (replicas only)."};
inline constexpr MetricFamily kProxyGtidLag{
    "sqlgate_proxy_replication_gtid_lag", gauge,
    "Transactions the primary has that the replica has not applied (@@gtid_current_pos of "
    "each, as the monitor last read them); label: server (replicas only)."};
inline constexpr MetricFamily kProxyBackendConnections{
    "sqlgate_proxy_backend_connections", gauge,
    "Connections open to the server, those client sessions hold and the idle ones they share; "
    "label: server."};
inline constexpr MetricFamily kProxyIdleBackendConnections{
    "sqlgate_proxy_idle_backend_connections", gauge,
    "Connections to the server no session holds, waiting to be borrowed; label: server."};
inline constexpr MetricFamily kProxySessionPins{
    "sqlgate_proxy_session_pins_total", counter,
    "Times a session began to keep its backend connection between statements; label: reason "
    "(transaction, table_lock, temporary_table, sql_prepare, primary_function, found_rows, "
    "write, user_variables, session_variables, cursor, long_data, diagnostics, "
    "session_tracking)."};
inline constexpr MetricFamily kProxyScore{
    "sqlgate_proxy_expected_response_seconds", gauge,
    "The customized strategy's score: the expected response time, lowest wins; label: "
    "server (replicas only)."};
inline constexpr MetricFamily kProxyFailovers{"sqlgate_proxy_failovers_total", counter,
                                              "Replicas promoted after the primary was lost."};
inline constexpr MetricFamily kProxySwitchovers{"sqlgate_proxy_switchovers_total", counter,
                                                "Planned switchovers completed."};
inline constexpr MetricFamily kProxyPipelined{
    "sqlgate_proxy_pipelined_statements_total", counter,
    "Reads written on a server connection behind another session's read (pipelining)."};

// The gatekeeper and the trusted host.
inline constexpr MetricFamily kFrontStatements{
    "sqlgate_front_statements_total", counter,
    "Statements the gate decided on; labels: role, front (mysql or http), verdict (allow or "
    "reject), kind (read, write, transaction, session_state, other; unclassified: refused "
    "before it was read)."};
inline constexpr MetricFamily kFrontRefusals{
    "sqlgate_front_refusals_total", counter,
    "Statements refused; labels: role, rule (the firewall rule id, or rate_limit)."};
inline constexpr MetricFamily kFrontAllowlistShapes{
    "sqlgate_front_allowlist_shapes", gauge,
    "Statement shapes in the learned allowlist in force, learned ones included; labels: role."};
inline constexpr MetricFamily kFrontAllowlistMisses{
    "sqlgate_front_allowlist_misses_total", counter,
    "Statements whose shape the user's allowlist lacks; labels: role, mode (detect: passed "
    "and audited, protect: refused)."};

}  // namespace sqlgate::obs::metric
