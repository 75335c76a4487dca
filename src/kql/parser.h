// KQL text -> syntax tree. Errors name the construct and its line:column.
#pragma once

#include <string>
#include <string_view>

#include "agentgate/result.h"
#include "kql/ast.h"

namespace agentgate::kql {

Result<Query> parseQuery(std::string_view text);

// "line L, column C" for a byte offset, used by parser and binder error messages.
std::string describePos(std::string_view text, size_t pos);

}  // namespace agentgate::kql
