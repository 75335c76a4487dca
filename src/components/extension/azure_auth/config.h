// azure_auth configuration (the collector's azureauth keys, spec 4.6.1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agentgate/factory.h"
#include "config/map_reader.h"

namespace agentgate::components::azure_auth {

struct ManagedIdentity {
  // At most one selects a user-assigned identity; none = system-assigned. object_id and
  // resource_id are ours (the Azure SDKs accept them; the collector only has client_id).
  std::string client_id;
  std::string object_id;
  std::string resource_id;
};

struct WorkloadIdentity {
  std::string client_id;             // default $AZURE_CLIENT_ID
  std::string tenant_id;             // default $AZURE_TENANT_ID
  std::string federated_token_file;  // default $AZURE_FEDERATED_TOKEN_FILE
};

struct ServicePrincipal {
  std::string tenant_id;
  std::string client_id;
  std::string client_secret;
  std::string client_certificate_path;  // PEM holding CERTIFICATE and PRIVATE KEY
};

struct Config : ComponentConfig {
  std::optional<ManagedIdentity> managed_identity;
  std::optional<WorkloadIdentity> workload_identity;
  std::optional<ServicePrincipal> service_principal;
  bool use_default = false;
  std::vector<std::string> scopes;  // empty: https://<request host>/.default
};

void readConfig(config::MapReader& reader, Config& cfg);

// nullopt when valid; the collector's wording where it has one.
std::optional<std::string> validate(const Config& cfg);

}  // namespace agentgate::components::azure_auth
