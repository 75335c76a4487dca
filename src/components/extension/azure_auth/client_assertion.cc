#include "components/extension/azure_auth/client_assertion.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace agentgate::components::azure_auth {

struct CertificateCredential::Keys {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  ~Keys() {
    if (cert) X509_free(cert);
    if (key) EVP_PKEY_free(key);
  }
};

namespace {

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string uuid4() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) return {};
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace

std::string base64UrlEncode(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = p[i] << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

CertificateCredential::CertificateCredential(std::unique_ptr<Keys> keys, std::string x5t)
    : keys_(std::move(keys)), x5t_(std::move(x5t)) {}
CertificateCredential::~CertificateCredential() = default;

Result<std::unique_ptr<CertificateCredential>> CertificateCredential::fromPem(
    std::string_view pem) {
  auto keys = std::make_unique<Keys>();
  {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    keys->cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    keys->key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  }
  if (!keys->cert) return Error::config("client certificate: no CERTIFICATE block could be read");
  if (!keys->key)
    return Error::config("client certificate: no unencrypted PRIVATE KEY block could be read");
  if (EVP_PKEY_base_id(keys->key) != EVP_PKEY_RSA)
    return Error::config("client certificate: the private key is not RSA (RS256 needs RSA)");
  if (X509_check_private_key(keys->cert, keys->key) != 1)
    return Error::config("client certificate: the private key does not match the certificate");
  unsigned char* der = nullptr;
  int len = i2d_X509(keys->cert, &der);
  if (len <= 0) return Error::config("client certificate: cannot encode the certificate");
  unsigned char sha1[SHA_DIGEST_LENGTH];
  SHA1(der, static_cast<size_t>(len), sha1);
  OPENSSL_free(der);
  std::string x5t =
      base64UrlEncode(std::string_view(reinterpret_cast<const char*>(sha1), sizeof sha1));
  return std::unique_ptr<CertificateCredential>(
      new CertificateCredential(std::move(keys), std::move(x5t)));
}

Result<std::unique_ptr<CertificateCredential>> CertificateCredential::fromFile(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::config("client_certificate_path: cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto cred = fromPem(ss.str());
  if (!cred) {
    Error e = cred.takeError();
    e.message = path + ": " + e.message;
    return e;
  }
  return cred;
}

Result<std::string> CertificateCredential::assertion(
    std::string_view client_id, std::string_view audience,
    std::chrono::system_clock::time_point now) const {
  const int64_t t =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::string header = R"({"alg":"RS256","typ":"JWT","x5t":)" + jsonString(x5t_) + "}";
  std::string claims = "{\"aud\":" + jsonString(audience) + ",\"iss\":" + jsonString(client_id) +
                       ",\"sub\":" + jsonString(client_id) + ",\"jti\":" + jsonString(uuid4()) +
                       ",\"nbf\":" + std::to_string(t) + ",\"iat\":" + std::to_string(t) +
                       ",\"exp\":" + std::to_string(t + 600) + "}";
  std::string signing_input = base64UrlEncode(header) + "." + base64UrlEncode(claims);

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return Error::internal("client assertion: out of memory");
  size_t sig_len = 0;
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, keys_->key) == 1 &&
            EVP_DigestSign(ctx, nullptr, &sig_len,
                           reinterpret_cast<const unsigned char*>(signing_input.data()),
                           signing_input.size()) == 1;
  std::string sig(sig_len, '\0');
  ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                            reinterpret_cast<const unsigned char*>(signing_input.data()),
                            signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Error::internal("client assertion: signing failed");
  sig.resize(sig_len);
  return signing_input + "." + base64UrlEncode(sig);
}

}  // namespace agentgate::components::azure_auth
