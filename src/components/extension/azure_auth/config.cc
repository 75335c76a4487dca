#include "components/extension/azure_auth/config.h"

namespace agentgate::components::azure_auth {

void readConfig(config::MapReader& reader, Config& cfg) {
  if (const config::ConfigNode* n = reader.child("managed_identity")) {
    ManagedIdentity mi;
    config::MapReader r(*n, reader.diags());
    r.read("client_id", mi.client_id);
    r.read("object_id", mi.object_id);
    r.read("resource_id", mi.resource_id);
    r.finish();
    int selectors = !mi.client_id.empty() + !mi.object_id.empty() + !mi.resource_id.empty();
    if (selectors > 1) r.error("client_id", "set at most one of client_id, object_id, resource_id");
    cfg.managed_identity = mi;
  }
  if (const config::ConfigNode* n = reader.child("workload_identity")) {
    WorkloadIdentity wi;
    config::MapReader r(*n, reader.diags());
    r.read("client_id", wi.client_id);
    r.read("tenant_id", wi.tenant_id);
    r.read("federated_token_file", wi.federated_token_file);
    r.finish();
    cfg.workload_identity = wi;
  }
  if (const config::ConfigNode* n = reader.child("service_principal")) {
    ServicePrincipal sp;
    config::MapReader r(*n, reader.diags());
    r.read("tenant_id", sp.tenant_id);
    r.read("client_id", sp.client_id);
    r.read("client_secret", sp.client_secret);
    r.read("client_certificate_path", sp.client_certificate_path);
    r.finish();
    cfg.service_principal = sp;
  }
  reader.read("use_default", cfg.use_default);
  reader.read("scopes", cfg.scopes);
  reader.finish();
  if (auto problem = validate(cfg)) reader.error("", *problem);
}

std::optional<std::string> validate(const Config& cfg) {
  int blocks = cfg.managed_identity.has_value() + cfg.workload_identity.has_value() +
               cfg.service_principal.has_value() + cfg.use_default;
  if (blocks == 0)
    return "authentication configuration is empty, please choose one of [use_default "
           "managed_identity workload_identity service_principal]";
  if (blocks > 1)
    return "choose only one of [use_default managed_identity workload_identity "
           "service_principal]";
  if (const auto& sp = cfg.service_principal) {
    if (sp->tenant_id.empty()) return "service_principal: tenant_id is required";
    if (sp->client_id.empty()) return "service_principal: client_id is required";
    if (!sp->client_secret.empty() && !sp->client_certificate_path.empty())
      return "service_principal: client_secret and client_certificate_path are mutually "
             "exclusive";
    if (sp->client_secret.empty() && sp->client_certificate_path.empty())
      return "service_principal: client_secret and client_certificate_path are both empty";
  }
  for (const auto& s : cfg.scopes)
    if (s.empty()) return "scopes: a scope must not be empty";
  return std::nullopt;
}

}  // namespace agentgate::components::azure_auth
