// Telemetry -> store rows, in the two shapes Azure keeps it: the Application Insights tables
// (AppTraces, AppDependencies, ... from envelopes, spec section 3) and the native OTLP tables
// (OTelLogs, OTelSpans, OTelEvents, OTelResources straight from pdata, spec section 4.4).
#pragma once

#include <cstdint>
#include <vector>

#include "appinsights/envelope.h"
#include "appinsights/mapper.h"
#include "pdata/model.h"
#include "store/rows.h"

namespace agentgate::store {

// Appends one row per envelope to the App* table its kind lands in.
void appendAppInsightsRows(const std::vector<appinsights::Envelope>& envelopes, RowBatch& out);

// Appends OTelLogs rows (logs), OTelSpans + OTelEvents + one OTelResources row per distinct
// resource (traces). Metrics have no Log Analytics table on this path. `now_unix_nano` stamps
// OTelResources rows.
void appendOtelRows(const pdata::Batch& batch, uint64_t now_unix_nano, RowBatch& out);

// Appends one AgentSecretFindings row per secret finding in the batch: log records whose body
// is kSecretFindingName and span events of that name (what the secrets processor emits). The
// row holds the finding's attributes only, which never include the secret.
void appendSecretFindingRows(const pdata::Batch& batch, RowBatch& out);

// "<250ms", "250ms-500ms", ... ">=5min": Application Insights' duration buckets.
std::string_view performanceBucket(uint64_t duration_nanos);

// Id of a resource for OTelSpans.ResourceAttributesId / OTelResources.Id: 16 hex digits of a
// stable hash over its attributes.
std::string resourceId(const pdata::Resource& resource);

}  // namespace agentgate::store
