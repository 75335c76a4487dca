// buildschema(): the KQL aggregate that infers a schema from dynamic values (buildschema.cc).
#pragma once

#include <sqlite3.h>

namespace agentgate::kql {

// Registers the SQLite aggregate kql_buildschema(dynamic). Returns an SQLite result code.
int registerBuildSchema(sqlite3* db);

}  // namespace agentgate::kql
