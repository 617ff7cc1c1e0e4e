#include "front/allowlist_import.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <system_error>

#include "config/toml_reader.hpp"
#include "front/learned_allowlist.hpp"
#include "sql/digest.hpp"

namespace sqlgate::front {
namespace {

// One audit line; false when it is not one.
bool import_audit_line(std::string_view line, std::string_view user,
                       policy::StatementAllowlist& into, ImportTally& tally) {
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) return false;
    const auto field = [&](const char* name) -> std::string {
        const auto it = record.find(name);
        return it != record.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string name = field("user");
    const std::string statement = field("statement");
    const std::string digest = field("digest");
    if (name.empty() || statement.empty() || digest.empty()) return false;
    if (!user.empty() && name != user) {
        ++tally.other_users;
    } else if (field("verdict") != "allow") {
        ++tally.refused;
    } else if (digest != sql::hex64(sql::fnv1a64(statement))) {
        ++tally.abridged;
    } else if (into.add(name, statement)) {
        ++tally.added;
    }
    return true;
}

}  // namespace

std::string import_allowlist_entries(std::string_view text, std::string_view user,
                                     policy::StatementAllowlist& into, ImportTally& tally) {
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '{') {
        std::size_t number = 0;
        while (!text.empty()) {
            ++number;
            const std::size_t end = text.find('\n');
            const std::string_view line = text.substr(0, end);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
            if (!import_audit_line(line, user, into, tally)) {
                return "line " + std::to_string(number) + ": not an audit record";
            }
        }
        return {};
    }
    policy::ParsedAllowlist parsed = policy::parse_allowlist(text);
    if (!parsed.error.empty()) return parsed.error;
    if (!user.empty()) tally.other_users += parsed.list.size() - parsed.list.size(user);
    tally.added += into.merge(parsed.list, user);
    return {};
}

void write_allowlist_file(const std::filesystem::path& file,
                          const policy::StatementAllowlist& list) {
    const std::string text = list.to_text();
    const std::filesystem::path temporary = file.string() + ".tmp";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot write " + temporary.string());
    }
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0 && errno != EINTR) {
            const int error = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            throw std::system_error(error, std::generic_category(),
                                    "cannot write " + temporary.string());
        }
        if (n > 0) done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    std::filesystem::rename(temporary, file);
}

int run_firewall_import(const FirewallImport& import, std::ostream& out, std::ostream& err) {
    try {
        std::error_code ec;
        policy::StatementAllowlist list;
        if (std::filesystem::exists(import.into, ec)) list = read_allowlist_file(import.into);
        const std::size_t before = list.size();
        ImportTally tally;
        for (const std::filesystem::path& source : import.sources) {
            const std::string error = import_allowlist_entries(config::read_config_file(source),
                                                               import.user, list, tally);
            if (!error.empty()) {
                err << "sqlgate firewall import: " << source.string() << ": " << error
                    << "; nothing written\n";
                return 1;
            }
        }
        write_allowlist_file(import.into, list);
        out << import.into.string() << ": " << list.size() << " shapes (" << before << " before, "
            << tally.added << " added)";
        if (tally.refused > 0) out << "; " << tally.refused << " refused statements not imported";
        if (tally.abridged > 0) {
            out << "; " << tally.abridged
                << " statements cut in their audit line not imported (learn them instead)";
        }
        if (tally.other_users > 0) out << "; " << tally.other_users << " of other users skipped";
        out << "\nreload the role (SIGHUP) to apply it\n";
        return 0;
    } catch (const std::exception& e) {
        err << "sqlgate firewall import: " << e.what() << '\n';
        return 1;
    }
}

}  // namespace sqlgate::front
