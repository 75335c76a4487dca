// THE explicit list of compiled-in factories (no static self-registration, DESIGN section 4).
#include "components/components.h"

// factory headers
// (each component adds its include here)
#include "components/exporter/azuremonitor/factory.h"
#include "components/exporter/debug/factory.h"
#include "components/exporter/file/factory.h"
#include "components/exporter/nop/factory.h"
#include "components/exporter/otlp_http/factory.h"
#include "components/exporter/store/factory.h"
#include "components/extension/azure_auth/factory.h"
#include "components/extension/bearertokenauth/factory.h"
#include "components/extension/file_storage/factory.h"
#include "components/extension/health_check/factory.h"
#include "components/processor/batch/factory.h"
#include "components/processor/cumulativetodelta/factory.h"
#include "components/processor/memory_limiter/factory.h"
#include "components/processor/privacy/factory.h"
#include "components/processor/redaction/factory.h"
#include "components/processor/resource/factory.h"
#include "components/processor/secrets/factory.h"
#include "components/receiver/otlp/factory.h"

namespace agentgate::components {

void registerAll(pipeline::Registry& registry) {
  // receivers
  registry.add(makeOtlpReceiverFactory());
  // processors
  registry.add(batch::makeBatchFactory());
  registry.add(cumulativetodelta::makeCumulativeToDeltaFactory());
  registry.add(memory_limiter::makeMemoryLimiterFactory());
  registry.add(privacy::makePrivacyFactory());
  registry.add(redaction::makeRedactionFactory());
  registry.add(resource::makeResourceFactory());
  registry.add(secrets_processor::makeSecretsFactory());
  // exporters
  registry.add(azuremonitor::makeAzureMonitorFactory());
  registry.add(debug::makeDebugFactory());
  registry.add(file::makeFileFactory());
  registry.add(nop::makeNopFactory());
  registry.add(otlp_http::makeOtlpHttpFactory());
  registry.add(store::makeStoreExporterFactory());
  // extensions
  registry.add(azure_auth::makeAzureAuthFactory());
  registry.add(bearertokenauth::makeBearerTokenAuthFactory());
  registry.add(file_storage::makeFileStorageFactory());
  registry.add(health_check::makeHealthCheckFactory());
  (void)registry;
}

}  // namespace agentgate::components
