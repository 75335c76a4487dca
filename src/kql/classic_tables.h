// Application Insights' classic table names (requests, traces, customDimensions, timestamp...) as
// views over the workspace tables (AppRequests, AppTraces, Properties, TimeGenerated...), so the
// queries and workbooks people wrote against an Application Insights resource run unchanged on
// the store. Renames follow spec/azure-monitor.md section 3.
#pragma once

#include <optional>
#include <string_view>

namespace agentgate::kql {

// The KQL that defines classic table `name` over the workspace tables; nullopt for other names.
std::optional<std::string_view> classicTableDefinition(std::string_view name);

}  // namespace agentgate::kql
