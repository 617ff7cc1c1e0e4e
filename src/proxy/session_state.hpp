// Session state a client set (schema, character set, session variables) kept as the chain
// of commands that set it, so any backend connection can be brought up to date by replay.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mysql/constants.hpp"

namespace sqlgate::proxy {

// One command of a session's state and every command before it. Steps are immutable and
// shared: a pooled backend connection keeps the last step it ran, and a session that
// borrows it finds out what is missing without copying either history.
struct StateStep {
    mysql::Command command;  // COM_QUERY, COM_INIT_DB or COM_SET_OPTION
    std::string argument;
    std::shared_ptr<const StateStep> previous;
    std::size_t depth = 1;  // how many steps end here, this one included
    // This step or one before chose a default schema: COM_RESET_CONNECTION keeps the
    // schema, so a connection where one was chosen cannot serve a session that chose none.
    bool chose_schema = false;
};
using StatePoint = std::shared_ptr<const StateStep>;  // nullptr: the state of a fresh login

class SessionState {
  public:
    // `chooses_schema`: USE or COM_INIT_DB.
    void record(mysql::Command command, std::string_view argument, bool chooses_schema) {
        const std::size_t depth = last_ ? last_->depth + 1 : 1;
        const bool chose = chooses_schema || chose_schema();
        last_ = std::make_shared<const StateStep>(
            StateStep{command, std::string(argument), last_, depth, chose});
    }
    bool chose_schema() const { return last_ && last_->chose_schema; }
    void clear() { last_.reset(); }
    const StatePoint& last() const { return last_; }

    // Whether a connection that has run up to `applied` has run nothing this session has
    // not (else it must be reset first). Equal steps recorded by different sessions count
    // as the same.
    bool continues(const StatePoint& applied) const {
        const std::size_t have = applied ? applied->depth : 0;
        if ((last_ ? last_->depth : 0) < have) return false;
        const StateStep* step = last_.get();
        while (step != nullptr && step->depth > have)
            step = step->previous.get();
        // Same length now: the histories must be the same steps.
        for (const StateStep* theirs = applied.get(); step != theirs;
             step = step->previous.get(), theirs = theirs->previous.get()) {
            if (step->command != theirs->command || step->argument != theirs->argument)
                return false;
        }
        return true;
    }

    // Whether a connection that has run up to `applied` is in exactly this session's state.
    bool is_at(const StatePoint& applied) const {
        return (applied ? applied->depth : 0) == (last_ ? last_->depth : 0) && continues(applied);
    }

    // The steps a connection that has run up to `applied` must still run, oldest first;
    // false when it must be reset first (see continues).
    bool missing_after(const StatePoint& applied, std::vector<const StateStep*>& missing) const {
        missing.clear();
        if (!continues(applied)) return false;
        const std::size_t have = applied ? applied->depth : 0;
        for (const StateStep* step = last_.get(); step != nullptr && step->depth > have;
             step = step->previous.get())
            missing.push_back(step);
        std::reverse(missing.begin(), missing.end());
        return true;
    }

  private:
    StatePoint last_;
};

}  // namespace sqlgate::proxy
