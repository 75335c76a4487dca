#include "components/extension/azure_auth/token.h"

#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace agentgate::components::azure_auth {

namespace {

using std::chrono::seconds;

std::optional<int64_t> parseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Number or string of digits.
std::optional<int64_t> intField(simdjson::dom::object& obj, std::string_view key) {
  simdjson::dom::element el;
  if (obj[key].get(el)) return std::nullopt;
  int64_t i = 0;
  if (!el.get_int64().get(i)) return i;
  uint64_t u = 0;
  if (!el.get_uint64().get(u)) return static_cast<int64_t>(u);
  double d = 0;
  if (!el.get_double().get(d)) {
    if (!(d > -1e15 && d < 1e15)) return std::nullopt;  // NaN or beyond any sane time
    return static_cast<int64_t>(d);
  }
  std::string_view s;
  if (!el.get_string().get(s)) return parseInt(s);
  return std::nullopt;
}

// The date forms MSAL accepts for expires_on, as UTC.
std::optional<int64_t> parseDate(std::string_view s) {
  std::string str(s);
  int Y = 0, M = 0, D = 0, h = 0, m = 0, sec = 0;
  char tail = 0;
  bool ok =
      std::sscanf(str.c_str(), "%2d/%2d/%4d %2d:%2d:%2d", &M, &D, &Y, &h, &m, &sec) == 6 ||
      std::sscanf(str.c_str(), "%4d-%2d-%2d %2d:%2d:%2d", &Y, &M, &D, &h, &m, &sec) == 6 ||
      std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &Y, &M, &D, &h, &m, &sec, &tail) >= 6;
  if (!ok || M < 1 || M > 12 || D < 1 || D > 31) return std::nullopt;
  std::tm tm{};
  tm.tm_year = Y - 1900;
  tm.tm_mon = M - 1;
  tm.tm_mday = D;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = sec;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

WallClock::time_point refreshTime(WallClock::time_point now, WallClock::time_point expires_at,
                                  std::optional<seconds> refresh_in, bool managed_identity) {
  if (refresh_in && refresh_in->count() > 0) return now + *refresh_in;
  auto lifetime = expires_at - now;
  if (managed_identity && lifetime > std::chrono::hours(2)) return now + lifetime / 2;
  auto margin = std::min<WallClock::duration>(std::chrono::minutes(5), lifetime / 10);
  return expires_at - margin;
}

Result<AccessToken> parseTokenResponse(std::string_view body, WallClock::time_point now,
                                       bool managed_identity) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc))
    return Error::invalid("token response is not JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return Error::invalid("token response is not a JSON object");
  std::string_view token;
  if (obj["access_token"].get_string().get(token) || token.empty())
    return Error::invalid("token response has no access_token");
  AccessToken out;
  out.token = std::string(token);
  // Beyond ~2200 a nanosecond time_point overflows; no real token lives that long.
  constexpr int64_t kMaxSeconds = 9'000'000'000;   // epoch seconds (year 2255)
  constexpr int64_t kMaxLifetime = 1'000'000'000;  // ~31 years
  if (auto in = intField(obj, "expires_in")) {
    if (*in > kMaxLifetime || *in < -kMaxLifetime)
      return Error::invalid("token expires_in out of range");
    out.expires_at = now + seconds(*in);
  } else {
    std::optional<int64_t> on = intField(obj, "expires_on");
    std::string_view s;
    if (!on && !obj["expires_on"].get_string().get(s)) on = parseDate(s);
    if (!on) return Error::invalid("token response has neither expires_in nor expires_on");
    if (*on > kMaxSeconds || *on < 0) return Error::invalid("token expires_on out of range");
    out.expires_at = WallClock::time_point(seconds(*on));
  }
  if (out.expires_at <= now) return Error::invalid("token response holds an expired token");
  std::optional<seconds> refresh_in;
  if (auto r = intField(obj, "refresh_in")) refresh_in = seconds(*r);
  out.refresh_at = refreshTime(now, out.expires_at, refresh_in, managed_identity);
  return out;
}

std::string oauthErrorCode(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc)) return {};
  std::string_view code;
  if (doc["error"].get_string().get(code)) return {};
  std::string out;
  for (char c : code)  // an identifier; anything else is not shown
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-') out += c;
  return out.substr(0, 64);
}

std::string urlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += urlEncode(k);
    out += '=';
    out += urlEncode(v);
  }
  return out;
}

std::string scopeToResource(std::string_view scope) {
  constexpr std::string_view kSuffix = "/.default";
  if (scope.size() >= kSuffix.size() && scope.substr(scope.size() - kSuffix.size()) == kSuffix)
    scope.remove_suffix(kSuffix.size());
  return std::string(scope);
}

std::string urlHost(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  url.remove_prefix(scheme + 3);
  auto end = url.find_first_of("/?#");
  std::string_view host = url.substr(0, end);
  if (auto at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
  return std::string(host);
}

}  // namespace agentgate::components::azure_auth
