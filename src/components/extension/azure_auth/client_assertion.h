// Certificate credentials: the client assertion JWT (RS256, x5t header) that proves possession of
// a service principal's certificate to the Entra token endpoint.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "agentgate/result.h"

namespace agentgate::components::azure_auth {

class CertificateCredential {
 public:
  // `pem` holds a CERTIFICATE and an RSA PRIVATE KEY (either order, as Azure exports them).
  // Errors never quote the PEM.
  static Result<std::unique_ptr<CertificateCredential>> fromPem(std::string_view pem);
  static Result<std::unique_ptr<CertificateCredential>> fromFile(const std::string& path);
  ~CertificateCredential();

  // base64url(SHA-1(DER certificate)): the x5t header Entra matches the uploaded key by.
  const std::string& thumbprint() const { return x5t_; }

  // A JWT for `audience` (the token endpoint URL), issuer and subject `client_id`, valid 10
  // minutes from `now`, with a random jti.
  Result<std::string> assertion(std::string_view client_id, std::string_view audience,
                                std::chrono::system_clock::time_point now) const;

 private:
  struct Keys;
  explicit CertificateCredential(std::unique_ptr<Keys> keys, std::string x5t);
  std::unique_ptr<Keys> keys_;
  std::string x5t_;
};

std::string base64UrlEncode(std::string_view bytes);

}  // namespace agentgate::components::azure_auth
