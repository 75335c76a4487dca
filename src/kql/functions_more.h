// Registration of the second set of KQL SQLite functions (functions_more.cc).
#pragma once

#include <sqlite3.h>

namespace agentgate::kql {

// Returns an SQLite result code.
int registerMoreFunctions(sqlite3* db);

}  // namespace agentgate::kql
