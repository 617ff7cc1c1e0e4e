#include "obs/status_report.hpp"

#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sqlgate::obs {
namespace {

using nlohmann::json;

struct Paint {
    bool on;
    std::string operator()(std::string_view text, std::string_view code) const {
        if (!on) return std::string(text);
        std::string s = "\033[";
        s += code;
        s += 'm';
        s += text;
        s += "\033[0m";
        return s;
    }
    std::string good(std::string_view t) const { return (*this)(t, "32"); }
    std::string bad(std::string_view t) const { return (*this)(t, "31"); }
    std::string warn(std::string_view t) const { return (*this)(t, "33"); }
    std::string bold(std::string_view t) const { return (*this)(t, "1"); }
};

// Pads to `width` columns, counting the visible text only (colour codes take none).
std::string cell(const std::string& painted, std::size_t visible, std::size_t width) {
    return painted + std::string(width > visible ? width - visible : 1, ' ');
}

std::string text_of(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

bool write_proxy(std::ostream& out, const json& status, const Paint& paint) {
    bool healthy = true;
    out << "  failover " << text_of(status, "failover_mode");
    if (status.value("primary_down", false)) {
        out << "; " << paint.bad("primary down") << ": " << text_of(status, "failover");
    }
    out << "\n";
    out << "  " << std::left << std::setw(14) << "server" << std::setw(22) << "address"
        << std::setw(9) << "role" << std::setw(6) << "up" << std::setw(14) << "replication"
        << std::setw(9) << "lag s" << std::setw(7) << "reads"
        << "statements\n";
    const json servers = status.value("servers", json::array());
    for (const json& s : servers) {
        const bool up = s.value("up", false);
        const std::string replication = s.value("replication", "");
        healthy = healthy && up;
        std::uint64_t statements = 0;
        const json by_route = s.value("statements", json::object());
        for (const auto& [route, count] : by_route.items()) {
            if (count.is_number_unsigned()) statements += count.get<std::uint64_t>();
        }
        const std::string up_text = up ? "yes" : "NO";
        const std::string reads = s.value("serves_reads", false) ? "yes" : "no";
        std::ostringstream lag;
        lag << std::fixed << std::setprecision(1) << s.value("lag_s", 0.0);
        out << "  " << std::left << std::setw(14) << s.value("name", "") << std::setw(22)
            << s.value("address", "") << std::setw(9) << s.value("role", "")
            << cell(up ? paint.good(up_text) : paint.bad(up_text), up_text.size(), 6)
            << cell(replication == "streaming" || replication == "primary"
                        ? paint.good(replication)
                        : paint.warn(replication),
                    replication.size(), 14)
            << std::setw(9) << lag.str() << std::setw(7) << reads << statements << "\n";
        const std::string error = s.value("last_error", "");
        if (!up && !error.empty()) out << "      " << paint.bad(error) << "\n";
    }
    return healthy;
}

void write_front(std::ostream& out, const json& status) {
    const json statements = status.value("statements", json::object());
    out << "  upstream " << text_of(status, "upstream") << ", " << text_of(status, "users")
        << " users, " << text_of(status, "sessions") << " sessions; statements allowed "
        << text_of(statements, "allowed") << ", refused " << text_of(statements, "refused") << "\n";
    const json refusals = status.value("refusals", json::object());
    if (!refusals.empty()) {
        out << "  refused by rule:";
        for (const auto& [rule, count] : refusals.items())
            out << " " << rule << " " << count.dump();
        out << "\n";
    }
}

}  // namespace

bool write_status_report(std::ostream& out, const std::vector<RoleStatus>& roles, bool colour) {
    const Paint paint{colour};
    bool healthy = true;
    for (const RoleStatus& role : roles) {
        if (role.http_status != 200) {
            healthy = false;
            out << paint.bold(role.admin) << "  " << paint.bad("no answer") << ": " << role.body
                << "\n";
            continue;
        }
        const json status = json::parse(role.body, nullptr, false);
        if (status.is_discarded() || !status.is_object()) {
            healthy = false;
            out << paint.bold(role.admin) << "  " << paint.bad("not a status answer") << "\n";
            continue;
        }
        try {
            const std::string name = status.value("role", "?");
            out << paint.bold(name) << " (" << role.admin << ", sqlgate "
                << status.value("version", "") << ")\n";
            if (name == "proxy") {
                healthy = write_proxy(out, status, paint) && healthy;
            } else {
                write_front(out, status);
            }
        } catch (const json::exception& e) {  // a field of the wrong type
            healthy = false;
            out << "  " << paint.bad("unexpected status answer") << ": " << e.what() << "\n";
        }
    }
    return healthy;
}

}  // namespace sqlgate::obs
