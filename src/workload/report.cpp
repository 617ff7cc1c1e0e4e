#include "workload/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

namespace sqlgate::workload {

std::string table_for_strategy(const std::string& strategy) {
    return strategy + "_table";
}

std::optional<std::chrono::nanoseconds> percentile(std::vector<std::chrono::nanoseconds> samples,
                                                   double p) {
    if (samples.empty()) return std::nullopt;
    const auto n = samples.size();
    const double wanted = std::ceil(std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(n));
    const auto rank = std::clamp<std::size_t>(static_cast<std::size_t>(wanted), 1, n);
    // Only the rank-th element has to be in place, not the whole vector.
    std::nth_element(samples.begin(), samples.begin() + (rank - 1), samples.end());
    return samples[rank - 1];
}

std::string node_label(std::uint32_t server_id,
                       const std::map<std::uint32_t, std::string>& node_by_server_id) {
    if (auto it = node_by_server_id.find(server_id); it != node_by_server_id.end()) {
        return it->second;
    }
    return "server-" + std::to_string(server_id);
}

ServedByTally tally_reads(const std::vector<ReadSample>& samples,
                          const std::map<std::uint32_t, std::string>& node_by_server_id) {
    ServedByTally tally;
    for (const auto& sample : samples) {
        if (!sample.error.empty() || !sample.server_id) {
            ++tally.errors;
            continue;
        }
        ++tally.by_node[node_label(*sample.server_id, node_by_server_id)];
        tally.latencies.push_back(sample.latency);
    }
    return tally;
}

std::vector<std::string> served_by_columns(const SendRequestsResult& result) {
    std::vector<std::string> columns = result.nodes;
    // Numeric order for unknown ids, so server-9 comes before server-10.
    std::set<std::uint32_t> unknown;
    for (const auto& strategy : result.reads) {
        for (const auto& sample : strategy.samples) {
            if (!sample.error.empty() || !sample.server_id) continue;
            const auto label = node_label(*sample.server_id, result.node_by_server_id);
            if (std::find(columns.begin(), columns.end(), label) == columns.end()) {
                unknown.insert(*sample.server_id);
            }
        }
    }
    for (auto id : unknown)
        columns.push_back(node_label(id, result.node_by_server_id));
    return columns;
}

std::string format_latency(std::optional<std::chrono::nanoseconds> latency) {
    if (!latency) return "-";
    const double ms = std::chrono::duration<double, std::milli>(*latency).count();
    const int decimals = ms < 1.0 ? 2 : ms < 100.0 ? 1 : 0;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f ms", decimals, ms);
    return buffer;
}

namespace {

bool all_writes_acknowledged(const SendRequestsResult& result) {
    return std::all_of(result.writes.begin(), result.writes.end(),
                       [](const WriteTally& w) { return w.acknowledged == w.attempted; });
}

int failed_reads(const SendRequestsResult& result) {
    int failed = 0;
    for (const auto& strategy : result.reads) {
        for (const auto& sample : strategy.samples) {
            if (!sample.error.empty() || !sample.server_id) ++failed;
        }
    }
    return failed;
}

bool replication_ok(const SendRequestsResult& result) {
    if (result.nodes.empty()) return true;  // nothing was asked to be checked
    return result.replication_checked &&
           std::all_of(result.replication.begin(), result.replication.end(),
                       [](const TableReplication& t) { return t.converged; });
}

std::string seconds(std::chrono::milliseconds ms) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f s", static_cast<double>(ms.count()) / 1000.0);
    return buffer;
}

// Every block starts with a label column this wide, so the blocks line up with each other.
std::size_t label_width(const SendRequestsResult& result) {
    std::size_t width = std::string_view("replicated").size();
    for (const auto& strategy : result.reads)
        width = std::max(width, strategy.strategy.size());
    return width;
}

// Left-aligned columns separated by `gap` spaces; trailing blanks trimmed.
void print_columns(const std::vector<std::vector<std::string>>& rows, std::size_t first_width,
                   std::ostream& out, std::size_t gap = 2) {
    std::vector<std::size_t> widths{first_width};
    for (const auto& row : rows) {
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + gap, ' ');
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << '\n';
    }
}

// Identical messages (the usual case: one cause, many statements) are shown once with a count.
void print_grouped_errors(const std::string& what, const std::vector<std::string>& errors,
                          std::ostream& out) {
    constexpr std::size_t kMaxDistinct = 3;
    std::vector<std::pair<std::string, int>> grouped;
    for (const auto& error : errors) {
        auto it = std::find_if(grouped.begin(), grouped.end(),
                               [&](const auto& g) { return g.first == error; });
        if (it == grouped.end()) {
            grouped.emplace_back(error, 1);
        } else {
            ++it->second;
        }
    }
    for (std::size_t i = 0; i < grouped.size() && i < kMaxDistinct; ++i) {
        out << "  - " << what << ": " << grouped[i].first;
        if (grouped[i].second > 1) out << "  (x" << grouped[i].second << ")";
        out << '\n';
    }
    if (grouped.size() > kMaxDistinct) {
        out << "  - " << what << ": " << grouped.size() - kMaxDistinct
            << " more distinct errors not shown\n";
    }
}

void print_writes(const SendRequestsResult& result, std::ostream& out) {
    std::string line = std::string("writes").append(label_width(result) - 6 + 2, ' ');
    for (std::size_t i = 0; i < result.writes.size(); ++i) {
        const auto& w = result.writes[i];
        if (i > 0) line += "   ";
        line += w.table + " " + std::to_string(w.acknowledged) + "/" + std::to_string(w.attempted);
    }
    out << line << '\n';
}

std::string node_cell(const NodeCount& node, const NodeCount& reference, bool is_reference) {
    if (!node.error.empty() || !node.rows) return node.node + " error";
    std::string cell = node.node + " " + std::to_string(*node.rows);
    if (is_reference) return cell + " rows";
    if (!reference.rows || *node.rows != *reference.rows) cell += " (lagging)";
    return cell;
}

void print_replication(const SendRequestsResult& result, std::ostream& out) {
    if (result.nodes.empty()) {
        out << std::string("replicated").append(label_width(result) - 10 + 2, ' ')
            << "not checked (no --nodes given)\n";
        return;
    }
    if (!result.replication_checked) return;
    std::vector<std::vector<std::string>> rows;
    for (const auto& table : result.replication) {
        std::vector<std::string> row{"replicated", table.table + ":"};
        for (std::size_t i = 0; i < table.nodes.size(); ++i) {
            row.push_back(node_cell(table.nodes[i], table.nodes.front(), i == 0));
        }
        rows.push_back(std::move(row));
    }
    print_columns(rows, label_width(result), out);
}

void print_reads(const SendRequestsResult& result, std::ostream& out) {
    if (result.reads.empty()) return;
    const auto columns = served_by_columns(result);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"reads", "served by:"};
    header.insert(header.end(), columns.begin(), columns.end());
    header.insert(header.end(), {"p50", "p95", "errors"});
    rows.push_back(std::move(header));
    for (const auto& strategy : result.reads) {
        const auto tally = tally_reads(strategy.samples, result.node_by_server_id);
        std::vector<std::string> row{strategy.strategy, ""};
        for (const auto& column : columns) {
            auto it = tally.by_node.find(column);
            row.push_back(it == tally.by_node.end() ? "-" : std::to_string(it->second));
        }
        row.push_back(format_latency(percentile(tally.latencies, 50)));
        row.push_back(format_latency(percentile(tally.latencies, 95)));
        row.push_back(std::to_string(tally.errors));
        rows.push_back(std::move(row));
    }
    print_columns(rows, label_width(result), out);
}

void print_problems(const SendRequestsResult& result, std::ostream& out) {
    std::ostringstream problems;
    for (const auto& w : result.writes) {
        if (w.acknowledged != w.attempted && w.errors.empty()) {
            problems << "  - writes to " << w.table << ": " << w.attempted - w.acknowledged
                     << " INSERTs did not report one affected row\n";
        }
        print_grouped_errors("write to " + w.table, w.errors, problems);
    }
    for (const auto& strategy : result.reads) {
        std::vector<std::string> errors;
        for (const auto& sample : strategy.samples) {
            if (!sample.error.empty()) {
                errors.push_back(sample.error);
            } else if (!sample.server_id) {
                errors.push_back("the answer carried no @@server_id");
            }
        }
        print_grouped_errors(strategy.strategy + " read", errors, problems);
    }
    if (!result.nodes.empty() && result.replication_checked) {
        for (const auto& table : result.replication) {
            if (table.converged) continue;
            const auto& reference = table.nodes.front();
            for (const auto& node : table.nodes) {
                if (!node.error.empty() || !node.rows) {
                    problems << "  - " << node.node << " could not count " << table.table << ": "
                             << (node.error.empty() ? "no answer" : node.error) << '\n';
                } else if (reference.rows && *node.rows != *reference.rows) {
                    problems << "  - " << node.node << " has " << *node.rows << " rows in "
                             << table.table << ", " << reference.node << " has " << *reference.rows
                             << " (still different after " << seconds(result.replication_wait)
                             << ")\n";
                }
            }
        }
    }
    if (!problems.str().empty()) out << "problems:\n" << problems.str();
    for (const auto& warning : result.warnings)
        out << "note: " << warning << '\n';
}

void print_verdict(const SendRequestsResult& result, std::ostream& out) {
    if (succeeded(result)) {
        out << "result: OK";
        if (result.replication_checked) {
            out << " (replicas converged in " << seconds(result.replication_wait) << ")";
        }
        out << '\n';
        return;
    }
    auto count = [](int n, const char* noun) {
        return std::to_string(n) + " " + noun + (n == 1 ? "" : "s") + " failed";
    };
    std::vector<std::string> reasons;
    int failed_writes = 0;
    for (const auto& w : result.writes)
        failed_writes += w.attempted - w.acknowledged;
    if (failed_writes > 0) reasons.push_back(count(failed_writes, "write"));
    if (int failed = failed_reads(result); failed > 0) reasons.push_back(count(failed, "read"));
    if (!replication_ok(result)) {
        const bool unanswered = std::any_of(
            result.replication.begin(), result.replication.end(), [](const TableReplication& t) {
                return std::any_of(t.nodes.begin(), t.nodes.end(),
                                   [](const NodeCount& n) { return !n.error.empty() || !n.rows; });
            });
        reasons.push_back((unanswered ? "some nodes could not be counted within "
                                      : "replicas did not converge within ") +
                          seconds(result.replication_wait));
    }
    out << "result: FAILED";
    for (std::size_t i = 0; i < reasons.size(); ++i)
        out << (i == 0 ? " (" : ", ") << reasons[i];
    if (!reasons.empty()) out << ")";
    out << '\n';
}

}  // namespace

bool succeeded(const SendRequestsResult& result) {
    return result.fatal_error.empty() && all_writes_acknowledged(result) &&
           failed_reads(result) == 0 && replication_ok(result);
}

int exit_code(const SendRequestsResult& result) {
    if (!result.fatal_error.empty()) return 2;
    return succeeded(result) ? 0 : 1;
}

void print_report(const SendRequestsResult& result, std::ostream& out) {
    if (!result.fatal_error.empty()) {
        out << "send-requests: " << result.fatal_error << '\n';
        for (const auto& warning : result.warnings)
            out << "note: " << warning << '\n';
        out << "result: FAILED (the workload could not run)\n";
        return;
    }
    print_writes(result, out);
    print_replication(result, out);
    print_reads(result, out);
    print_problems(result, out);
    print_verdict(result, out);
}

}  // namespace sqlgate::workload
