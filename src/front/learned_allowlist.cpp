#include "front/learned_allowlist.hpp"

#include <stdexcept>
#include <system_error>

#include "config/toml_reader.hpp"
#include "obs/log.hpp"

namespace sqlgate::front {

policy::StatementAllowlist read_allowlist_file(const std::filesystem::path& file) {
    policy::ParsedAllowlist parsed = policy::parse_allowlist(config::read_config_file(file));
    if (!parsed.error.empty()) throw std::runtime_error(file.string() + ": " + parsed.error);
    return std::move(parsed.list);
}

LearnedAllowlist::LearnedAllowlist(std::filesystem::path file,
                                   const std::vector<config::FrontUser>& users)
    : file_(std::move(file)) {
    // A list someone checks against must exist: a missing one would refuse everything.
    bool checked = false;
    for (const config::FrontUser& user : users) {
        modes_.emplace(user.name, user.policy.firewall);
        checked = checked || user.policy.firewall == policy::FirewallMode::detect ||
                  user.policy.firewall == policy::FirewallMode::protect;
    }
    std::error_code ec;
    if (!checked && !std::filesystem::exists(file_, ec)) return;
    list_ = read_allowlist_file(file_);
}

policy::FirewallMode LearnedAllowlist::mode_of(const config::FrontUser& user) const noexcept {
    const auto it = modes_.find(user.name);
    return it != modes_.end() ? it->second : user.policy.firewall;
}

LearnedAllowlist::Learned LearnedAllowlist::learn(std::string_view user, std::string_view shape) {
    if (list_.contains(user, shape)) return Learned::known;
    if (list_.size(user) >= kMaxShapesPerUser) {
        if (full_users_.emplace(user).second) {
            obs::log(obs::LogLevel::warn, "allowlist_full",
                     {{"user", user},
                      {"file", file_.string()},
                      {"meaning",
                       "no more shapes are learned for this user; is the traffic "
                       "the application's?"}});
        }
        return Learned::full;
    }
    list_.add(user, shape);
    try {
        if (!writer_) {
            writer_.emplace(file_.string());
            // The header once, for whoever reviews the file.
            if (writer_->was_empty()) writer_->append(policy::StatementAllowlist().to_text());
        }
        if (writer_->append(policy::allowlist_line(user, shape))) return Learned::added;
    } catch (const std::system_error&) {
    }
    obs::log(obs::LogLevel::error, "allowlist_write_failed",
             {{"user", user},
              {"file", file_.string()},
              {"meaning", "the shape is allowed until the next reload or restart only"}});
    return Learned::added;
}

}  // namespace sqlgate::front
