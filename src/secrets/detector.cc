#include "secrets/detector.h"

#include <hs/hs.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bitset>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_set>

#include "secrets/rules.h"

namespace agentgate::secrets {

std::string_view confidenceName(Confidence c) {
  switch (c) {
    case Confidence::kHigh:
      return "high";
    case Confidence::kMedium:
      return "medium";
    case Confidence::kLow:
      return "low";
  }
  return "low";
}

double shannonEntropy(std::string_view s) {
  if (s.empty()) return 0;
  std::array<uint32_t, 256> counts{};
  for (unsigned char c : s) ++counts[c];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (uint32_t k : counts) {
    if (k == 0) continue;
    double p = k / n;
    h -= p * std::log2(p);
  }
  return h;
}

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

uint32_t crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

}  // namespace

bool checksumTokenValid(std::string_view token) {
  if (token.size() != 40 || token[3] != '_') return false;
  std::string_view body = token.substr(4, 30);
  uint32_t crc = crc32(body);
  char enc[6];
  for (int i = 5; i >= 0; --i) {
    enc[i] = kBase62[crc % 62];
    crc /= 62;
  }
  return std::string_view(enc, 6) == token.substr(34, 6);
}

std::string fingerprint(std::string_view key, std::string_view secret) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(8, '0');
  for (int i = 0; i < 4; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

namespace {

using CharClass = std::bitset<256>;

struct Segment {
  CharClass cls;
  uint32_t min = 1;
  uint32_t max = 1;
};

// Parses the detector's mini-pattern: literals (with \ escapes), [classes] with ranges, and the
// quantifiers {m}, {m,}, {m,n}, ?, *, +. Returns false on malformed input.
bool parsePattern(std::string_view p, std::vector<Segment>& out) {
  size_t i = 0;
  while (i < p.size()) {
    Segment seg;
    if (p[i] == '[') {
      ++i;
      bool closed = false;
      while (i < p.size()) {
        if (p[i] == ']') {
          closed = true;
          ++i;
          break;
        }
        unsigned char lo = static_cast<unsigned char>(p[i]);
        if (p[i] == '\\' && i + 1 < p.size()) lo = static_cast<unsigned char>(p[++i]);
        if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
          unsigned char hi = static_cast<unsigned char>(p[i + 2]);
          if (hi < lo) return false;
          for (unsigned c = lo; c <= hi; ++c) seg.cls.set(c);
          i += 3;
        } else {
          seg.cls.set(lo);
          ++i;
        }
      }
      if (!closed || seg.cls.none()) return false;
    } else {
      unsigned char c = static_cast<unsigned char>(p[i]);
      if (c == '\\') {
        if (i + 1 >= p.size()) return false;
        c = static_cast<unsigned char>(p[++i]);
      } else if (c == '{' || c == '}' || c == '?' || c == '*' || c == '+' || c == ']') {
        return false;
      }
      seg.cls.set(c);
      ++i;
    }
    if (i < p.size()) {
      if (p[i] == '?') {
        seg.min = 0, seg.max = 1, ++i;
      } else if (p[i] == '*') {
        seg.min = 0, seg.max = UINT32_MAX, ++i;
      } else if (p[i] == '+') {
        seg.min = 1, seg.max = UINT32_MAX, ++i;
      } else if (p[i] == '{') {
        size_t close = p.find('}', i);
        if (close == std::string_view::npos) return false;
        std::string_view q = p.substr(i + 1, close - i - 1);
        size_t comma = q.find(',');
        auto num = [](std::string_view s, uint32_t& v) {
          if (s.empty() || s.size() > 6) return false;
          v = 0;
          for (char c : s) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + static_cast<uint32_t>(c - '0');
          }
          return true;
        };
        if (comma == std::string_view::npos) {
          if (!num(q, seg.min)) return false;
          seg.max = seg.min;
        } else {
          if (!num(q.substr(0, comma), seg.min)) return false;
          std::string_view hi = q.substr(comma + 1);
          if (hi.empty()) {
            seg.max = UINT32_MAX;
          } else if (!num(hi, seg.max) || seg.max < seg.min) {
            return false;
          }
        }
        i = close + 1;
      }
    }
    out.push_back(seg);
  }
  return !out.empty();
}

// Possessive match of `segs` at `pos`; returns the end offset or npos.
size_t matchForward(std::string_view t, size_t pos, const std::vector<Segment>& segs) {
  for (const auto& s : segs) {
    uint32_t n = 0;
    while (n < s.max && pos < t.size() && s.cls.test(static_cast<unsigned char>(t[pos]))) {
      ++pos;
      ++n;
    }
    if (n < s.min) return std::string_view::npos;
  }
  return pos;
}

bool isAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
char lower(char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Values that are documentation placeholders, not secrets. `runs` also rejects filler runs
// (AAAAAA, an alphabet walk); PEM bodies skip that test because DER has long runs of 'A'.
bool isPlaceholder(std::string_view v, bool runs = true) {
  static constexpr std::string_view kWords[] = {
      "example",     "xxxxx",      "<your",     "your_",      "your-",     "placeholder",
      "redacted",    "dummy",      "changeme",  "${",         "{{",        "<",
      "insert",      "sample",     "fake",      "replace_me", "replaceme", "notreal",
      "secret_here", "token_here", "tokenhere", "keyhere",    "...."};
  for (auto w : kWords)
    if (icontains(v, w)) return true;
  if (!runs) return false;
  // A long run of one letter (AAAAAA, xxxxxx) or digit (000000000000), or an alphabet walk
  // (klmnopqr), is filler.
  size_t same = 1, walk = 1;
  for (size_t i = 1; i < v.size(); ++i) {
    same = v[i] == v[i - 1] ? same + 1 : 1;
    walk = (v[i] == v[i - 1] + 1 && !isDigit(v[i])) ? walk + 1 : 1;
    if (same >= (isDigit(v[i]) ? 16u : 6u) || walk >= 8) return true;
  }
  return false;
}

bool hasDigit(std::string_view v) { return std::any_of(v.begin(), v.end(), isDigit); }
bool hasLetter(std::string_view v) {
  return std::any_of(v.begin(), v.end(), [](char c) { return isLower(c) || isUpper(c); });
}

struct CompiledRule {
  const RuleSpec* spec = nullptr;  // built-in
  std::string id, type;            // owned (custom rules)
  RuleKind kind = RuleKind::kToken;
  std::vector<std::string> anchors;
  bool caseless = false;
  bool has_left = false;
  Segment left;
  std::vector<Segment> value;
  bool include_anchor = true;
  double min_entropy = 0;
  Check check = Check::kNone;
  Confidence confidence = Confidence::kMedium;
};

struct PatternRef {
  uint32_t rule;
  uint32_t anchor_len;
};

struct Hit {
  uint32_t pattern;
  size_t end;  // end of the anchor
};

std::vector<std::string> splitAnchors(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    if (comma > start) out.emplace_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string hexEscape(std::string_view lit) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : lit) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Splits an identifier into lower-case words at separators and lower->upper case changes.
void identifierWords(std::string_view id, std::vector<std::string>& words) {
  words.clear();
  std::string cur;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (!isAlnum(c)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (isUpper(c) && i > 0 && isLower(id[i - 1]) && !cur.empty()) {
      words.push_back(std::move(cur));
      cur.clear();
    }
    cur += lower(c);
  }
  if (!cur.empty()) words.push_back(std::move(cur));
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Whether an identifier names a credential; fills `type` with the best type name.
bool secretIdentifier(std::string_view id, std::string_view& type) {
  thread_local std::vector<std::string> words;
  // `process.env.SYSTEM_ACCESSTOKEN`: the last member names the value.
  size_t dot = id.rfind('.');
  identifierWords(dot == std::string_view::npos ? id : id.substr(dot + 1), words);
  bool secret = false;
  bool password = false;
  for (const auto& w : words) {
    // Whole words only: `tokenizationId`, `keyboard`, `path`, `author` are not credentials.
    if (w == "key" || w == "token" || w == "secret" || w == "pat" || w == "apikey" ||
        w == "accesskey" || w == "secretkey" || w == "accesstoken" || w == "authtoken" ||
        w == "apitoken" || w == "credential" || w == "credentials" || w == "secrets" ||
        endsWith(w, "apikey") || endsWith(w, "accesskey") || endsWith(w, "accesstoken") ||
        endsWith(w, "authtoken") || endsWith(w, "secret") || w == "auth" || w == "authorization" ||
        w == "bearer" || endsWith(w, "accountkey") || endsWith(w, "storagekey") ||
        endsWith(w, "masterkey") || endsWith(w, "privatekey") || endsWith(w, "signingkey") ||
        endsWith(w, "sharedkey") || endsWith(w, "encryptionkey")) {
      secret = true;
    }
    if (w == "password" || w == "passwd" || w == "pwd" || w == "pass" || endsWith(w, "password") ||
        w == "passphrase") {
      secret = password = true;
    }
    // Identifiers that name a public/non-secret value.
    if (w == "public" || w == "pub" || w == "publishable" || w == "id" || w == "name" ||
        w == "file" || w == "path" || w == "url" || w == "type" || w == "count" || w == "length" ||
        w == "size" || w == "limit" || w == "usage" || w == "tokens" || w == "input" ||
        w == "output" || w == "max" || w == "min" || w == "ref" || w == "env" || w == "hash" ||
        w == "fingerprint" || w == "sha" || w == "digest" || w == "expires" || w == "expiry" ||
        w == "endpoint" || w == "header") {
      if (w != "header" || !icontains(id, "auth")) return false;
    }
  }
  if (!secret) return false;
  if (password) {
    type = "generic-password";
  } else if (icontains(id, "aws")) {
    type = "aws-secret-access-key";
  } else if (icontains(id, "twilio")) {
    type = "twilio-auth-token";
  } else if (icontains(id, "datadog") || icontains(id, "dd_api")) {
    type = "datadog-api-key";
  } else if (icontains(id, "snyk")) {
    type = "snyk-token";
  } else if (icontains(id, "okta")) {
    type = "okta-api-token";
  } else if (icontains(id, "openai")) {
    type = "azure-openai-api-key";
  } else if (icontains(id, "cloudflare")) {
    type = "cloudflare-api-token";
  } else if (icontains(id, "facebook")) {
    type = "facebook-secret";
  } else if (icontains(id, "sumo")) {
    type = "sumologic-access-token";
  } else {
    type = "generic-api-key";
    // Provider named in the identifier (`ADAFRUIT_IO_KEY`, `fastlyApiToken`): the semi-generic
    // types of spec/secrets.md, confirmed by the same value checks as any assignment.
    static constexpr std::pair<std::string_view, std::string_view> kProviders[] = {
        {"adafruit", "adafruit-api-key"},
        {"airtable", "airtable-api-key"},
        {"algolia", "algolia-api-key"},
        {"alibaba", "alibaba-secret-key"},
        {"asana", "asana-client-secret"},
        {"atlassian", "atlassian-api-token"},
        {"jira", "atlassian-api-token"},
        {"confluence", "atlassian-api-token"},
        {"beamer", "beamer-api-token"},
        {"bitbucket", "bitbucket-client-secret"},
        {"bittrex", "bittrex-secret-key"},
        {"meraki", "cisco-meraki-api-key"},
        {"codecov", "codecov-access-token"},
        {"cohere", "cohere-api-token"},
        {"coinbase", "coinbase-access-token"},
        {"confluent", "confluent-secret-key"},
        {"contentful", "contentful-delivery-api-token"},
        {"dnkey", "defined-networking-api-token"},
        {"discord", "discord-api-token"},
        {"droneci", "droneci-access-token"},
        {"dropbox", "dropbox-api-token"},
        {"etsy", "etsy-access-token"},
        {"fastly", "fastly-api-token"},
        {"finicity", "finicity-client-secret"},
        {"finnhub", "finnhub-access-token"},
        {"flickr", "flickr-access-token"},
        {"freshbooks", "freshbooks-access-token"},
        {"gitter", "gitter-access-token"},
        {"gocardless", "gocardless-api-token"},
        {"heroku", "heroku-api-key"},
        {"hubspot", "hubspot-api-key"},
        {"intercom", "intercom-api-key"},
        {"jfrog", "jfrog-api-key"},
        {"artifactory", "jfrog-api-key"},
        {"kraken", "kraken-access-token"},
        {"kucoin", "kucoin-secret-key"},
        {"launchdarkly", "launchdarkly-access-token"},
        {"linear", "linear-client-secret"},
        {"linkedin", "linkedin-client-secret"},
        {"looker", "looker-client-secret"},
        {"mailchimp", "mailchimp-api-key"},
        {"mailgun", "mailgun-private-api-token"},
        {"mapbox", "mapbox-api-token"},
        {"mattermost", "mattermost-access-token"},
        {"messagebird", "messagebird-api-token"},
        {"netlify", "netlify-access-token"},
        {"newrelic", "new-relic-user-api-key"},
        {"new_relic", "new-relic-user-api-key"},
        {"nytimes", "nytimes-access-token"},
        {"plaid", "plaid-secret-key"},
        {"privateai", "privateai-api-token"},
        {"rapidapi", "rapidapi-access-token"},
        {"sendbird", "sendbird-access-token"},
        {"sentry", "sentry-access-token"},
        {"sonar", "sonar-api-token"},
        {"squarespace", "squarespace-access-token"},
        {"telegram", "telegram-bot-api-token"},
        {"travis", "travisci-access-token"},
        {"twitch", "twitch-api-token"},
        {"twitter", "twitter-api-secret"},
        {"yandex", "yandex-api-key"},
        {"zendesk", "zendesk-secret-key"},
        {"github", "github-token"},
        {"gitlab", "gitlab-token"},
        {"slack", "slack-token"},
        {"stripe", "stripe-secret-key"},
        {"anthropic", "anthropic-api-key"},
        {"azure", "azure-key"},
        {"gcp", "gcp-api-key"},
        {"google", "gcp-api-key"},
    };
    for (const auto& [keyword, provider_type] : kProviders) {
      if (icontains(id, keyword)) {
        type = provider_type;
        break;
      }
    }
  }
  return true;
}

bool isIdentChar(char c) { return isAlnum(c) || c == '_' || c == '-' || c == '.'; }

bool isQuoteChar(char c) { return c == '"' || c == '\'' || c == '`' || c == '\\'; }

bool isValueTerminator(char c) {
  switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
    case '"':
    case '\'':
    case '`':
    case '\\':
    case ',':
    case ';':
    case ')':
    case '}':
    case ']':
    case '<':
    case '>':
    case '|':
    case '&':
      return true;
    default:
      return false;
  }
}

// Whether `v` is standard base64 that decodes to printable ASCII containing a space.
bool base64Text(std::string_view v) {
  auto val = [](char c) -> int {
    if (isUpper(c)) return c - 'A';
    if (isLower(c)) return c - 'a' + 26;
    if (isDigit(c)) return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  uint32_t acc = 0;
  int bits = 0;
  bool space = false;
  for (char c : v) {
    if (c == '=') break;
    int x = val(c);
    if (x < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(x);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned char b = static_cast<unsigned char>((acc >> bits) & 0xff);
      if (b == ' ') space = true;
      if (b < 0x20 || b > 0x7e) return false;
    }
  }
  return space;
}

// A JWT's first segment is base64url of a JSON object naming alg, typ or kid.
bool jwtHeaderValid(std::string_view token) {
  std::string_view seg = token.substr(0, token.find('.'));
  std::string json;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : seg) {
    int x = isUpper(c)   ? c - 'A'
            : isLower(c) ? c - 'a' + 26
            : isDigit(c) ? c - '0' + 52
            : c == '-'   ? 62
            : c == '_'   ? 63
                         : -1;
    if (x < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(x);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      json += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return !json.empty() && json.front() == '{' &&
         (json.find("\"alg\"") != std::string::npos || json.find("\"typ\"") != std::string::npos ||
          json.find("\"kid\"") != std::string::npos);
}

// Value shapes that are ids, hashes or references rather than secrets.
bool looksLikeNonSecret(std::string_view v) {
  static constexpr std::string_view kPrefixes[] = {
      "sha256:",   "sha512-",  "sha384-", "sha1-",    "sha256-", "toolu_",   "msg_",  "req_",
      "chatcmpl-", "resp_",    "run_",    "call_",    "file_",   "process.", "os.",   "env.",
      "http://",   "https://", "arn:",    "secrets.", "vars.",   "self.",    "this.", "config.",
      "settings.", "$",        "%",       "@",        "#"};
  for (auto p : kPrefixes)
    if (v.size() >= p.size() && std::equal(p.begin(), p.end(), v.begin(),
                                           [](char a, char b) { return lower(a) == lower(b); }))
      return true;
  if (v.find("://") != std::string_view::npos) return true;
  // A file path: starts like one and has only path characters (base64 keys have + or =).
  if (v.front() == '/' || v.front() == '.' || v.front() == '~') {
    bool path = std::all_of(v.begin(), v.end(), [](char c) {
      return isAlnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~';
    });
    if (path) return true;
  }
  // Base64 of plain text with spaces ("dummy text data") is documentation, not key material.
  if (v.size() >= 16 && v.size() % 4 == 0 && base64Text(v)) return true;
  // An all-lower-case word with separators (a config name, a function call) is not a secret.
  bool ident = std::all_of(v.begin(), v.end(), [](char c) {
    return isLower(c) || c == '_' || c == '.' || c == '-' || c == '(' || c == ')';
  });
  if (ident) return true;
  // snake_case / dotted names with digits (`cache_creation_5m_tokens`, `bash_argv0`, the OTLP/JSON
  // `"key": "<attribute name>"`): short lower-case segments are words, not random characters.
  bool lowerish = std::all_of(v.begin(), v.end(), [](char c) {
    return isLower(c) || isDigit(c) || c == '_' || c == '.' || c == '-';
  });
  if (lowerish && v.find_first_of("_.-") != std::string_view::npos) {
    bool words = true;
    size_t seg = 0;
    for (char c : v) {
      seg = (c == '_' || c == '.' || c == '-') ? 0 : seg + 1;
      if (seg > 10) words = false;
    }
    if (words) return true;
  }
  // Dotted member access: `settings.apiKey`, `os.environ.get`.
  if (v.find('(') != std::string_view::npos) return true;
  return false;
}

}  // namespace

struct Detector::Impl {
  std::vector<CompiledRule> rules;
  std::vector<PatternRef> patterns;
  hs_database_t* db = nullptr;
  std::unordered_set<std::string> allow_values;
  bool report_examples = false;
  // Identifies the database for per-thread scratch (a freed database's address can be reused).
  uint64_t generation = 0;
  ~Impl() {
    if (db != nullptr) hs_free_database(db);
  }

  void confirm(std::string_view t, const Hit& h, std::vector<Finding>& out) const;
  void confirmToken(std::string_view t, const CompiledRule& r, size_t astart, size_t aend,
                    std::vector<Finding>& out) const;
  void confirmPem(std::string_view t, const CompiledRule& r, size_t astart,
                  std::vector<Finding>& out) const;
  void confirmUrl(std::string_view t, const CompiledRule& r, size_t astart,
                  std::vector<Finding>& out) const;
  void confirmAssignment(std::string_view t, const CompiledRule& r, size_t astart, size_t aend,
                         std::vector<Finding>& out) const;
  void confirmBearer(std::string_view t, const CompiledRule& r, size_t astart, size_t aend,
                     std::vector<Finding>& out) const;
  void confirmCurlUser(std::string_view t, const CompiledRule& r, size_t astart, size_t aend,
                       std::vector<Finding>& out) const;
  bool allowed(std::string_view v) const {
    return !allow_values.empty() && allow_values.count(std::string(v)) > 0;
  }
  void emit(const CompiledRule& r, std::string_view type, Confidence c, size_t s, size_t e,
            std::vector<Finding>& out) const {
    Finding f;
    f.type = type;
    f.rule_id = r.spec != nullptr ? r.spec->id : std::string_view(r.id);
    f.confidence = c;
    f.start = s;
    f.end = e;
    out.push_back(f);
  }
};

void Detector::Impl::confirmToken(std::string_view t, const CompiledRule& r, size_t astart,
                                  size_t aend, std::vector<Finding>& out) const {
  size_t vend = matchForward(t, aend, r.value);
  if (vend == std::string_view::npos) return;
  // The token must not continue: a longer run of the same alphabet is a different string.
  if (vend < t.size() && r.value.back().max != UINT32_MAX &&
      r.value.back().cls.test(static_cast<unsigned char>(t[vend])) && isAlnum(t[vend]))
    return;
  size_t start = r.include_anchor ? astart : aend;
  if (r.has_left) {
    size_t p = astart;
    uint32_t n = 0;
    while (p > 0 && n < r.left.max && r.left.cls.test(static_cast<unsigned char>(t[p - 1]))) {
      --p;
      ++n;
    }
    if (n < r.left.min) return;
    if (r.check == Check::kOpenAi) {
      // Project/service/admin keys and the legacy format all start with "sk-".
      std::string_view run = t.substr(p, astart - p);
      size_t sk = run.find("sk-");
      if (sk == std::string_view::npos) return;
      p += sk;
    } else if (p > 0 && isAlnum(t[p - 1])) {
      return;
    }
    start = p;
  } else if (r.include_anchor && astart > 0 && isAlnum(t[astart - 1]) && isAlnum(t[astart])) {
    return;  // the anchor is the middle of a longer word
  }
  std::string_view secret = t.substr(start, vend - start);
  std::string_view body = t.substr(aend, vend - aend);
  if (r.check == Check::kAadSecret && (secret.size() < 37 || secret.size() > 40)) return;
  if (r.check == Check::kSlack && std::count_if(body.begin(), body.end(), isDigit) < 8) return;
  // A run of lower-case letters only is a word (`hf_servingcellpriority...`), not a token.
  if (body.size() >= 16 && std::all_of(body.begin(), body.end(),
                                       [](char c) { return isLower(c) || c == '_' || c == '-'; }))
    return;
  if (allowed(secret)) return;
  bool example = false;
  if ((r.check == Check::kGithubCrc && !checksumTokenValid(secret)) ||
      (r.check == Check::kJwt && !jwtHeaderValid(secret)) || isPlaceholder(secret) ||
      (r.min_entropy > 0 && shannonEntropy(r.has_left ? secret : body) < r.min_entropy)) {
    // Only provider formats with a distinctive prefix are worth reporting as examples.
    if (!report_examples || r.confidence != Confidence::kHigh || r.has_left) return;
    example = true;
  }
  std::string_view type = r.spec != nullptr ? r.spec->type : std::string_view(r.type);
  if (r.check == Check::kAnnotatedKey) {
    if (secret.size() != 84) return;
    std::string_view provider = secret.substr(76, 4);
    if (provider == "AZDO") {
      type = "azure-devops-pat";
    } else if (provider == "ACOG") {
      type = "azure-openai-api-key";
    }
  }
  emit(r, type, example ? Confidence::kLow : r.confidence, start, vend, out);
  if (example) out.back().example = true;
}

void Detector::Impl::confirmPem(std::string_view t, const CompiledRule& r, size_t astart,
                                std::vector<Finding>& out) const {
  // Header: -----BEGIN <LABEL>----- with LABEL ending in PRIVATE KEY [BLOCK].
  size_t label_start = astart + 11;
  size_t dash = t.find("-----", label_start);
  if (dash == std::string_view::npos || dash - label_start > 40) return;
  std::string_view label = t.substr(label_start, dash - label_start);
  if (label.find("PRIVATE KEY") == std::string_view::npos) return;
  size_t body_start = dash + 5;
  constexpr size_t kMaxPem = 64 * 1024;
  std::string_view window = t.substr(body_start, std::min(kMaxPem, t.size() - body_start));
  size_t end_marker = window.find("-----END");
  size_t end;
  if (end_marker == std::string_view::npos) {
    end = body_start + window.size();  // truncated key: redact to the end of what we have
  } else {
    size_t close = window.find("-----", end_marker + 8);
    end = body_start + (close == std::string_view::npos ? window.size() : close + 5);
  }
  // A real key has a body: count base64 characters (line prefixes and escapes add few).
  std::string_view body =
      t.substr(body_start, std::min(end, body_start + window.size()) - body_start);
  size_t b64 = 0;
  for (char c : body)
    if (isAlnum(c) || c == '+' || c == '/') ++b64;
  if (b64 < 64 || isPlaceholder(body.substr(0, std::min<size_t>(body.size(), 200)), false)) return;
  std::string_view type = "private-key";
  if (label == "RSA PRIVATE KEY") {
    type = "private-key-rsa";
  } else if (label == "EC PRIVATE KEY") {
    type = "private-key-ec";
  } else if (label == "OPENSSH PRIVATE KEY") {
    type = "private-key-openssh";
  } else if (label == "PGP PRIVATE KEY BLOCK") {
    type = "private-key-pgp";
  } else if (label == "PRIVATE KEY") {
    type = "private-key-pkcs8";
  }
  emit(r, type, Confidence::kHigh, astart, end, out);
}

void Detector::Impl::confirmUrl(std::string_view t, const CompiledRule& r, size_t astart,
                                std::vector<Finding>& out) const {
  // scheme
  size_t s = astart;
  while (s > 0 && (isAlnum(t[s - 1]) || t[s - 1] == '+' || t[s - 1] == '.' || t[s - 1] == '-')) --s;
  if (s == astart) return;
  std::string_view scheme = t.substr(s, astart - s);
  size_t p = astart + 3;
  // user: up to 64 chars without ':', '/', '@' or spaces
  size_t user_start = p;
  while (p < t.size() && p - user_start < 128) {
    char c = t[p];
    if (c == ':' || c == '/' || c == '@' || c == ' ' || c == '\n' || c == '"' || c == '\'' ||
        c == '\\' || c == '<' || c == '>')
      break;
    ++p;
  }
  if (p >= t.size() || t[p] != ':') return;
  std::string_view user = t.substr(user_start, p - user_start);
  size_t pw_start = ++p;
  // password: up to '@'; stop at whitespace, '/', or a closing quote of the surrounding string.
  while (p < t.size() && p - pw_start < 128) {
    char c = t[p];
    if (c == '@' || c == ' ' || c == '\n' || c == '\t' || c == '/' || c == '\r') break;
    ++p;
  }
  if (p >= t.size() || t[p] != '@' || p == pw_start) return;
  // a host must follow
  if (p + 1 >= t.size() || !(isAlnum(t[p + 1]) || t[p + 1] == '[')) return;
  std::string_view pw = t.substr(pw_start, p - pw_start);
  if (std::all_of(pw.begin(), pw.end(), isDigit)) return;  // host:port@ is not a password
  static constexpr std::string_view kFake[] = {"passwd", "pwd", "secret", "changeme",
                                               "****",   "xxx", "token",  "username"};
  for (auto f : kFake)
    if (pw.size() == f.size() && icontains(pw, f)) return;
  if (icontains(pw, "password") || pw.size() < 4) return;
  if (std::all_of(pw.begin(), pw.end(), [&](char c) { return c == pw.front(); })) return;
  bool web = icontains(scheme, "http") || icontains(scheme, "ftp") || icontains(scheme, "git");
  // Trivial database passwords in connection-string examples (admin:pass@localhost).
  static constexpr std::string_view kTrivial[] = {"pass", "root", "admin", "test", "1234"};
  if (!web)
    for (auto f : kTrivial)
      if (pw.size() == f.size() && icontains(pw, f)) return;
  if (pw.front() == '$' || pw.front() == '<' || pw.front() == '{' || pw.front() == '%' ||
      pw.front() == '*' || isPlaceholder(pw) || user.find('<') != std::string_view::npos ||
      user.find('$') != std::string_view::npos || allowed(pw))
    return;
  emit(r, web ? "url-basic-auth-password" : "database-url-password", r.confidence, pw_start, p,
       out);
}

void Detector::Impl::confirmAssignment(std::string_view t, const CompiledRule& r, size_t astart,
                                       size_t aend, std::vector<Finding>& out) const {
  // The whole identifier around the keyword.
  size_t is = astart;
  while (is > 0 && isIdentChar(t[is - 1]) && astart - is < 64) --is;
  size_t ie = aend;
  while (ie < t.size() && isIdentChar(t[ie]) && ie - aend < 64) ++ie;
  // Only act on the last keyword of an identifier (one finding per assignment).
  std::string_view ident = t.substr(is, ie - is);
  while (!ident.empty() && (ident.back() == '.' || ident.back() == '-')) ident.remove_suffix(1);
  size_t p = is + ident.size();
  // closing quotes of a JSON/YAML key, possibly escaped: "key\": or \\\"key\\\":
  for (int k = 0; k < 8 && p < t.size() && isQuoteChar(t[p]); ++k) ++p;
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  if (p >= t.size()) return;
  // operator
  if (t.compare(p, 2, ":=") == 0 || t.compare(p, 2, "=>") == 0 || t.compare(p, 2, "||") == 0 ||
      t.compare(p, 2, "??") == 0) {
    p += 2;
  } else if (t[p] == '=' || t[p] == ':') {
    ++p;
  } else {
    return;
  }
  if (p < t.size() && t[p] == '=') return;  // == comparison
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  for (int k = 0; k < 10 && p < t.size() && isQuoteChar(t[p]); ++k) ++p;
  size_t vs = p;
  while (p < t.size() && p - vs < 256 && !isValueTerminator(t[p])) ++p;
  size_t ve = p;
  if (ve > vs && t[ve - 1] == ':' && ve + 1 < t.size() && t[ve] == '\'') {
    // user:'password' (a quoted password after a user name) continues past the quote.
    size_t close = t.find('\'', ve + 1);
    if (close != std::string_view::npos && close - ve < 128) ve = close + 1;
  } else {
    // A trailing '.' or ':' ends a sentence, not the value.
    while (ve > vs && (t[ve - 1] == '.' || t[ve - 1] == ':')) --ve;
  }
  std::string_view v = t.substr(vs, ve - vs);
  if (v.size() < 8 || v.size() > 200) return;
  if (!hasDigit(v) || !hasLetter(v)) return;
  if (looksLikeNonSecret(v) || isPlaceholder(v) || allowed(v)) return;
  double h = shannonEntropy(v);
  if (h < (v.size() <= 16 ? 2.7 : 3.2)) return;
  // The identifier is checked last: splitting it into words is the costly step, and most keyword
  // hits (`"key": "service.name"`, `max_tokens: 4096`) already fail on the value.
  std::string_view type;
  if (!secretIdentifier(ident, type)) return;
  // An AWS secret access key is exactly 40 base64 characters; other lengths under an AWS name are
  // encrypted blobs or ids.
  if (type == "aws-secret-access-key" && v.size() != 40) return;
  emit(r, type, r.confidence, vs, ve, out);
}

void Detector::Impl::confirmBearer(std::string_view t, const CompiledRule& r, size_t astart,
                                   size_t aend, std::vector<Finding>& out) const {
  if (astart > 0 && isAlnum(t[astart - 1])) return;
  size_t p = aend;
  size_t spaces = 0;
  while (p < t.size() && t[p] == ' ') ++p, ++spaces;
  if (spaces == 0 || spaces > 2) return;
  size_t vs = p;
  while (p < t.size() && p - vs < 2048 &&
         (isAlnum(t[p]) || t[p] == '-' || t[p] == '.' || t[p] == '_' || t[p] == '~' ||
          t[p] == '+' || t[p] == '/' || t[p] == '=' || t[p] == ':'))
    ++p;
  std::string_view v = t.substr(vs, p - vs);
  if (v.size() < 12) return;
  if (!hasDigit(v) && v.size() < 24) return;
  if (looksLikeNonSecret(v) || isPlaceholder(v) || allowed(v)) return;
  if (shannonEntropy(v) < r.min_entropy) return;
  emit(r, r.spec->type, r.confidence, vs, p, out);
}

void Detector::Impl::confirmCurlUser(std::string_view t, const CompiledRule& r, size_t astart,
                                     size_t aend, std::vector<Finding>& out) const {
  if (astart > 0 && t[astart - 1] != ' ' && t[astart - 1] != '\t') return;
  size_t p = aend;
  while (p < t.size() && t[p] == ' ') ++p;
  size_t vs = p;
  // Quoted ('..', "..", \"..\") or bare user:password.
  while (p < t.size() && isQuoteChar(t[p]) && p - vs < 4) ++p;
  size_t inner = p;
  while (p < t.size() && !(t[p] == ' ' || t[p] == '\n' || t[p] == '\t' || t[p] == '"' ||
                           t[p] == '\'' || t[p] == '\\'))
    ++p;
  std::string_view cred = t.substr(inner, p - inner);
  size_t colon = cred.find(':');
  if (colon == std::string_view::npos || cred.size() < 4 || cred.size() > 200) return;
  if (isPlaceholder(cred) || cred.front() == '$' || icontains(cred, "password") || allowed(cred))
    return;
  size_t ve = p;
  while (ve < t.size() && isQuoteChar(t[ve]) && ve - p < 4) ++ve;
  emit(r, r.spec->type, r.confidence, vs, ve, out);
}

void Detector::Impl::confirm(std::string_view t, const Hit& h, std::vector<Finding>& out) const {
  const PatternRef& ref = patterns[h.pattern];
  const CompiledRule& r = rules[ref.rule];
  size_t aend = h.end;
  size_t astart = aend - ref.anchor_len;
  switch (r.kind) {
    case RuleKind::kToken:
      confirmToken(t, r, astart, aend, out);
      break;
    case RuleKind::kPem:
      confirmPem(t, r, astart, out);
      break;
    case RuleKind::kUrlAuth:
      confirmUrl(t, r, astart, out);
      break;
    case RuleKind::kAssignment:
      confirmAssignment(t, r, astart, aend, out);
      break;
    case RuleKind::kBearer:
      confirmBearer(t, r, astart, aend, out);
      break;
    case RuleKind::kCurlUser:
      confirmCurlUser(t, r, astart, aend, out);
      break;
  }
}

namespace {

// Anchor hits kept per scan. Input made only of anchors stops here; the rest of the text is then
// reported as one unscanned span (fail closed) instead of being passed on unchecked.
constexpr size_t kMaxHits = 1'000'000;

struct ScanContext {
  std::vector<Hit>* hits;
  bool limited = false;
};

int onMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
            unsigned int /*flags*/, void* ctx) {
  auto* c = static_cast<ScanContext*>(ctx);
  // Bound the work on adversarial input (a body made only of anchors).
  if (c->hits->size() >= kMaxHits) {
    c->limited = true;
    return 1;
  }
  c->hits->push_back(Hit{id, static_cast<size_t>(to)});
  return 0;
}

// Per-thread scratch, grown for every database it has been used with.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  uint64_t generation = 0;
  std::vector<Hit> hits;
  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

}  // namespace

Detector::Detector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Detector::~Detector() = default;

size_t Detector::ruleCount() const { return impl_->rules.size(); }

std::vector<std::string_view> Detector::builtinTypes() {
  std::vector<std::string_view> out;
  for (const auto& r : builtinRules()) out.push_back(r.type);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::shared_ptr<const Detector>> Detector::create(const DetectorOptions& options) {
  auto impl = std::make_unique<Impl>();
  for (const auto& spec : builtinRules()) {
    if (!options.generic_rules &&
        (spec.kind == RuleKind::kAssignment || spec.kind == RuleKind::kBearer ||
         spec.kind == RuleKind::kUrlAuth || spec.kind == RuleKind::kCurlUser))
      continue;
    CompiledRule r;
    r.spec = &spec;
    r.kind = spec.kind;
    r.anchors = splitAnchors(spec.anchors);
    r.caseless = spec.caseless;
    r.include_anchor = spec.include_anchor;
    r.min_entropy = spec.min_entropy;
    r.check = spec.check;
    r.confidence = spec.confidence;
    if (!spec.left.empty()) {
      std::vector<Segment> segs;
      if (!parsePattern(spec.left, segs) || segs.size() != 1)
        return Error::internal("secrets: bad left pattern in rule " + std::string(spec.id));
      r.has_left = true;
      r.left = segs[0];
    }
    if (spec.kind == RuleKind::kToken && !parsePattern(spec.value, r.value))
      return Error::internal("secrets: bad value pattern in rule " + std::string(spec.id));
    impl->rules.push_back(std::move(r));
  }
  for (const auto& c : options.custom_rules) {
    CompiledRule r;
    r.id = c.id;
    r.type = c.type.empty() ? c.id : c.type;
    r.kind = RuleKind::kToken;
    if (c.anchor.empty()) return Error::config("secrets rule " + c.id + ": anchor is empty");
    r.anchors = {c.anchor};
    r.caseless = c.caseless;
    r.include_anchor = c.include_anchor;
    r.min_entropy = c.min_entropy;
    r.confidence = Confidence::kMedium;
    if (!parsePattern(c.value_pattern, r.value))
      return Error::config("secrets rule " + c.id + ": cannot parse value pattern");
    impl->rules.push_back(std::move(r));
  }
  for (const auto& v : options.allow_values) impl->allow_values.insert(v);
  impl->report_examples = options.report_examples;
  static std::atomic<uint64_t> next_generation{1};
  impl->generation = next_generation.fetch_add(1, std::memory_order_relaxed);

  std::vector<std::string> exprs;
  std::vector<unsigned> flags, ids;
  for (uint32_t i = 0; i < impl->rules.size(); ++i) {
    for (const auto& a : impl->rules[i].anchors) {
      ids.push_back(static_cast<unsigned>(impl->patterns.size()));
      impl->patterns.push_back(PatternRef{i, static_cast<uint32_t>(a.size())});
      exprs.push_back(hexEscape(a));
      flags.push_back(impl->rules[i].caseless ? HS_FLAG_CASELESS : 0);
    }
  }
  std::vector<const char*> cexprs;
  for (const auto& e : exprs) cexprs.push_back(e.c_str());
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(cexprs.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(cexprs.size()), HS_MODE_BLOCK, nullptr, &impl->db,
                       &err) != HS_SUCCESS) {
    std::string msg = err != nullptr && err->message != nullptr ? err->message : "unknown";
    if (err != nullptr) hs_free_compile_error(err);
    return Error::internal("secrets: hyperscan compile failed: " + msg);
  }
  return std::shared_ptr<const Detector>(new Detector(std::move(impl)));
}

void Detector::scan(std::string_view text, std::vector<Finding>& out) const {
  if (text.empty()) return;
  thread_local ThreadScratch ts;
  if (ts.generation != impl_->generation) {
    // Grows the thread's scratch to fit this database too (it stays valid for earlier ones).
    if (hs_alloc_scratch(impl_->db, &ts.scratch) != HS_SUCCESS) {
      // Fail closed: without scratch nothing can be scanned, so report the whole text.
      out.push_back(Finding{"unscanned", "scratch-unavailable", Confidence::kLow, 0, text.size()});
      return;
    }
    ts.generation = impl_->generation;
  }
  ts.hits.clear();
  ScanContext ctx{&ts.hits};
  // Hyperscan takes an unsigned int length: scan huge inputs in overlapping pieces.
  constexpr size_t kPiece = size_t{1} << 30;
  bool failed = false;
  if (text.size() <= kPiece) {
    hs_error_t rc = hs_scan(impl_->db, text.data(), static_cast<unsigned>(text.size()), 0,
                            ts.scratch, onMatch, &ctx);
    failed = rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED;
  } else {
    for (size_t off = 0; off < text.size(); off += kPiece - 64) {
      size_t n = std::min(kPiece, text.size() - off);
      size_t before = ts.hits.size();
      hs_scan(impl_->db, text.data() + off, static_cast<unsigned>(n), 0, ts.scratch, onMatch, &ctx);
      for (size_t i = before; i < ts.hits.size(); ++i) ts.hits[i].end += off;
      if (off + n >= text.size()) break;
    }
  }
  size_t first = out.size();
  if (failed) {
    out.push_back(Finding{"unscanned", "scan-error", Confidence::kLow, 0, text.size()});
    return;
  }
  for (const Hit& h : ts.hits) impl_->confirm(text, h, out);
  if (ctx.limited && !ts.hits.empty() && ts.hits.back().end < text.size())
    out.push_back(
        Finding{"unscanned", "hit-limit", Confidence::kLow, ts.hits.back().end, text.size()});
  sortAndMerge(out, first);
  addRepeats(text, out, first);
  addBase64(text, out, first);
}

namespace {

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes a padded base64 (or base64url) run; false when it is not one.
bool decodeBase64(std::string_view run, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  for (char c : run) {
    if (c == '=') break;
    int v = base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}

thread_local int base64_depth = 0;

}  // namespace

void Detector::addBase64(std::string_view text, std::vector<Finding>& out, size_t first) const {
  // Base64 hides a secret from every anchor (a Docker `auth`, a Kubernetes Secret's data). Padded
  // runs are found from their '=' (memchr-fast, so text without padding costs almost nothing),
  // decoded, and scanned once more; a finding inside marks the whole encoded run.
  constexpr size_t kMinRun = 24;
  constexpr size_t kMaxRun = 64 * 1024;
  constexpr size_t kMaxRuns = 256;
  if (base64_depth > 0) return;
  std::string decoded;
  std::vector<Finding> inner;
  const size_t found = out.size();
  size_t runs = 0;
  for (size_t eq = text.find('='); eq != std::string_view::npos && runs < kMaxRuns;
       eq = text.find('=', eq + 1)) {
    if (eq > 0 && text[eq - 1] == '=') continue;  // the second pad of "=="
    size_t start = eq;
    while (start > 0 && eq - start < kMaxRun && base64Value(text[start - 1]) >= 0) --start;
    size_t end = eq + 1;
    if (end < text.size() && text[end] == '=') ++end;
    size_t len = end - start;
    if (eq - start < kMinRun || len % 4 != 0) continue;
    if (end < text.size() && base64Value(text[end]) >= 0) continue;  // not the end of the run
    bool covered = false;
    for (size_t i = first; i < out.size() && !covered; ++i)
      covered = out[i].start < end && start < out[i].end;
    if (covered) continue;
    ++runs;
    if (!decodeBase64(text.substr(start, len), decoded)) continue;
    size_t printable = std::count_if(decoded.begin(), decoded.end(), [](char c) {
      return (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
    });
    if (printable * 10 < decoded.size() * 9) continue;  // binary: a hash, an image, a key blob
    inner.clear();
    ++base64_depth;
    scan(decoded, inner);
    --base64_depth;
    const Finding* best = nullptr;
    for (const auto& f : inner)
      if (f.type != "unscanned" && !f.example &&
          (best == nullptr || f.confidence > best->confidence))
        best = &f;
    if (best == nullptr) continue;
    out.push_back(Finding{best->type, "base64-encoded", best->confidence, start, end});
  }
  if (out.size() != found) sortAndMerge(out, first);
}

void Detector::sortAndMerge(std::vector<Finding>& out, size_t first) {
  // Sort and merge overlapping findings: keep the widest span, the most confident rule's name.
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
            [](const Finding& a, const Finding& b) {
              return a.start != b.start ? a.start < b.start : a.end > b.end;
            });
  size_t w = first;
  for (size_t i = first; i < out.size(); ++i) {
    if (w > first && out[i].start < out[w - 1].end) {
      Finding& prev = out[w - 1];
      if (out[i].confidence > prev.confidence || (prev.example && !out[i].example)) {
        prev.type = out[i].type;
        prev.rule_id = out[i].rule_id;
        prev.confidence = out[i].confidence;
        prev.example = out[i].example;
      }
      prev.end = std::max(prev.end, out[i].end);
      continue;
    }
    out[w++] = out[i];
  }
  out.resize(w);
}

void Detector::addRepeats(std::string_view text, std::vector<Finding>& out, size_t first) {
  // A confirmed secret's bytes are a secret wherever else they occur in the same text, even where
  // the context alone would not confirm them (glued to a word, cut from its keyword). Short spans
  // are left alone: a 6-byte password also occurs inside ordinary words.
  constexpr size_t kMinRepeat = 12;
  constexpr size_t kMaxSecrets = 64;
  constexpr size_t kMaxRepeats = 256;
  // Each search reads the whole text: bounded so one huge string costs at most a few passes.
  constexpr size_t kSearchBudget = size_t{4} << 20;
  const size_t found = out.size();
  if (found == first) return;
  size_t budget = kSearchBudget;
  auto covered = [&](size_t s, size_t e) {
    for (size_t i = first; i < out.size(); ++i)
      if (out[i].start < e && s < out[i].end) return true;
    return false;
  };
  for (size_t i = first; i < found && i - first < kMaxSecrets; ++i) {
    const Finding f = out[i];
    if (f.end - f.start < kMinRepeat || f.type == "unscanned") continue;
    std::string_view secret = text.substr(f.start, f.end - f.start);
    bool seen = false;  // the same bytes were searched for already
    for (size_t j = first; j < i && !seen; ++j)
      seen = text.substr(out[j].start, out[j].end - out[j].start) == secret;
    if (seen) continue;
    if (budget < text.size()) break;
    budget -= text.size();
    size_t added = 0;
    for (size_t at = text.find(secret); at != std::string_view::npos && added < kMaxRepeats;
         at = text.find(secret, at + 1)) {
      if (covered(at, at + secret.size())) continue;
      Finding r = f;
      r.start = at;
      r.end = at + secret.size();
      out.push_back(r);
      ++added;
    }
  }
  if (out.size() != found) sortAndMerge(out, first);
}

}  // namespace agentgate::secrets
