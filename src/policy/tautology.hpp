// The tautology family: OR followed by a predicate that is always true (OR 1=1, OR 'a'='a',
// OR x=x, || 2>1 ...) in a condition, where it widens the rows a statement touches.
#pragma once

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

// `op` is the OR or || the walk is at; notes the first constant-true predicate after it.
void check_tautology(const ScanCursor& at, const Token& op, Finding& tautology) noexcept;

}  // namespace sqlgate::policy::detail
