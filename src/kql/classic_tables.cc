#include "kql/classic_tables.h"

#include <array>
#include <utility>

namespace agentgate::kql {
namespace {

// Columns every classic table has, by their classic names. `appName` was the resource's name:
// the last segment of the workspace's _ResourceId. `itemType` was the singular kind, not the
// table name that `Type` holds.
#define AG_CLASSIC_COMMON(item_type)                                                           \
  "timestamp = TimeGenerated, itemType = '" item_type                                          \
  "', customDimensions = Properties, operation_Name = OperationName, "                         \
  "operation_Id = OperationId, operation_ParentId = ParentId, "                                \
  "operation_SyntheticSource = SyntheticSource, session_Id = SessionId, user_Id = UserId, "    \
  "user_AuthenticatedId = UserAuthenticatedId, user_AccountId = UserAccountId, "               \
  "application_Version = AppVersion, client_Type = ClientType, client_Model = ClientModel, "   \
  "client_OS = ClientOS, client_IP = ClientIP, client_City = ClientCity, "                     \
  "client_StateOrProvince = ClientStateOrProvince, "                                           \
  "client_CountryOrRegion = ClientCountryOrRegion, client_Browser = ClientBrowser, "           \
  "cloud_RoleName = AppRoleName, cloud_RoleInstance = AppRoleInstance, appId = ResourceGUID, " \
  "appName = tostring(split(_ResourceId, '/')[-1]), iKey = IKey, sdkVersion = SDKVersion, "    \
  "_ResourceId"

// Classic `success` is a bool, as the workspace column is.
#define AG_CLASSIC_SUCCESS "success = Success"

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kClassic = {{
    {"requests",
     "AppRequests | project " AG_CLASSIC_COMMON(
         "request") ", id = Id, name = Name, url = Url, source = Source, " AG_CLASSIC_SUCCESS
                    ", resultCode = ResultCode, duration = DurationMs, "
                    "performanceBucket = PerformanceBucket, itemCount = ItemCount, "
                    "customMeasurements = Measurements"},
    {"dependencies",
     "AppDependencies | project " AG_CLASSIC_COMMON(
         "dependency") ", id = Id, target = Target, type = DependencyType, name = Name, "
                       "data = Data, " AG_CLASSIC_SUCCESS
                       ", resultCode = ResultCode, duration = DurationMs, "
                       "performanceBucket = PerformanceBucket, itemCount = ItemCount, "
                       "customMeasurements = Measurements"},
    {"traces", "AppTraces | project " AG_CLASSIC_COMMON(
                   "trace") ", message = Message, severityLevel = SeverityLevel, "
                            "itemCount = ItemCount, customMeasurements = Measurements"},
    {"exceptions",
     "AppExceptions | project " AG_CLASSIC_COMMON(
         "exception") ", problemId = ProblemId, handledAt = HandledAt, type = ExceptionType, "
                      "message = Message, assembly = Assembly, method = Method, "
                      "outerType = OuterType, outerMessage = OuterMessage, "
                      "outerAssembly = OuterAssembly, outerMethod = OuterMethod, "
                      "innermostType = InnermostType, innermostMessage = InnermostMessage, "
                      "innermostAssembly = InnermostAssembly, innermostMethod = InnermostMethod, "
                      "severityLevel = SeverityLevel, details = Details, itemCount = ItemCount, "
                      "customMeasurements = Measurements"},
    {"customEvents", "AppEvents | project " AG_CLASSIC_COMMON(
                         "customEvent") ", name = Name, itemCount = ItemCount, "
                                        "customMeasurements = Measurements"},
    {"customMetrics", "AppMetrics | project " AG_CLASSIC_COMMON(
                          "customMetric") ", name = Name, value = Sum, valueCount = ItemCount, "
                                          "valueSum = Sum, valueMin = Min, valueMax = Max, "
                                          "itemCount = ItemCount"},
    {"pageViews", "AppPageViews | project " AG_CLASSIC_COMMON(
                      "pageView") ", id = Id, name = Name, url = Url, duration = DurationMs, "
                                  "itemCount = ItemCount, customMeasurements = Measurements"},
    {"availabilityResults",
     "AppAvailabilityResults | project " AG_CLASSIC_COMMON(
         "availabilityResult") ", id = Id, name = Name, location = Location, "
                               "message = Message, " AG_CLASSIC_SUCCESS
                               ", duration = DurationMs, itemCount = ItemCount, "
                               "customMeasurements = Measurements"},
    {"browserTimings",
     "AppBrowserTimings | project " AG_CLASSIC_COMMON(
         "browserTiming") ", name = Name, url = Url, networkDuration = NetworkDurationMs, "
                          "sendDuration = SendDurationMs, receiveDuration = ReceiveDurationMs, "
                          "processingDuration = ProcessingDurationMs, "
                          "totalDuration = TotalDurationMs, itemCount = ItemCount, "
                          "customMeasurements = Measurements"},
    {"performanceCounters",
     "AppPerformanceCounters | project " AG_CLASSIC_COMMON(
         "performanceCounter") ", name = Name, category = Category, counter = Counter, "
                               "instance = Instance, value = Value"},
}};

#undef AG_CLASSIC_COMMON
#undef AG_CLASSIC_SUCCESS

}  // namespace

std::optional<std::string_view> classicTableDefinition(std::string_view name) {
  for (const auto& [classic, definition] : kClassic) {
    if (classic == name) return definition;
  }
  return std::nullopt;
}

}  // namespace agentgate::kql
