#include "kql/kql_time.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace agentgate::kql {

int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

bool readInt(std::string_view s, size_t& i, int maxDigits, int64_t& out, int minDigits = 1) {
  size_t st = i;
  out = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) &&
         static_cast<int>(i - st) < maxDigits) {
    out = out * 10 + (s[i] - '0');
    ++i;
  }
  return static_cast<int>(i - st) >= minDigits;
}

int64_t readFraction(std::string_view s, size_t& i) {
  int64_t frac = 0;
  int digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (digits < 7) {
      frac = frac * 10 + (s[i] - '0');
      ++digits;
    }
    ++i;
  }
  while (digits < 7) {
    frac *= 10;
    ++digits;
  }
  return frac;
}

const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                         "jul", "aug", "sep", "oct", "nov", "dec"};

}  // namespace

std::optional<int64_t> parseDateTime(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty() || s == "null") return std::nullopt;
  size_t i = 0;
  int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, frac = 0;
  // MM/DD/YYYY [HH:MM[:SS]]
  size_t slash = s.find('/');
  char sep = '/';
  if ((slash == std::string_view::npos || slash > 2) && s.size() >= 10 &&
      std::isdigit(static_cast<unsigned char>(s[0])) && (s[1] == '-' || s[2] == '-') &&
      s.find('-', 3) != std::string_view::npos && s.find('-', 3) <= 5) {
    slash = s[1] == '-' ? 1 : 2;  // MM-DD-YYYY
    sep = '-';
  }
  if (slash != std::string_view::npos && slash <= 2) {
    if (!readInt(s, i, 2, mo) || i >= s.size() || s[i] != sep) return std::nullopt;
    ++i;
    if (!readInt(s, i, 2, d) || i >= s.size() || s[i] != sep) return std::nullopt;
    ++i;
    if (!readInt(s, i, 4, y, 4)) return std::nullopt;
  } else if (s.size() > 4 && std::isalpha(static_cast<unsigned char>(s[0]))) {
    // RFC 822-ish: [Sat, ]8 Nov 14 15:05:02 GMT  (minimal support)
    size_t comma = s.find(',');
    if (comma != std::string_view::npos) {
      i = comma + 1;
    }
    while (i < s.size() && s[i] == ' ') ++i;
    if (!readInt(s, i, 2, d)) return std::nullopt;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i + 3 > s.size()) return std::nullopt;
    std::string mon;
    for (int k = 0; k < 3; ++k) mon.push_back(static_cast<char>(std::tolower(s[i + k])));
    i += 3;
    mo = 0;
    for (int k = 0; k < 12; ++k) {
      if (mon == kMonths[k]) mo = k + 1;
    }
    if (mo == 0) return std::nullopt;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    size_t st = i;
    if (!readInt(s, i, 4, y)) return std::nullopt;
    if (i - st == 2) y += 2000;
  } else {
    if (!readInt(s, i, 4, y, 4)) return std::nullopt;
    if (i < s.size() && s[i] == '-') {
      ++i;
      if (!readInt(s, i, 2, mo)) return std::nullopt;
      if (i >= s.size() || s[i] != '-') return std::nullopt;
      ++i;
      if (!readInt(s, i, 2, d)) return std::nullopt;
    } else {
      // yyyyMMdd
      if (!readInt(s, i, 2, mo, 2) || !readInt(s, i, 2, d, 2)) return std::nullopt;
    }
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ' || s[i] == 't')) {
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i < s.size()) {
      if (!readInt(s, i, 2, h)) return std::nullopt;
      if (i < s.size() && s[i] == ':') {
        ++i;
        if (!readInt(s, i, 2, mi)) return std::nullopt;
        if (i < s.size() && s[i] == ':') {
          ++i;
          if (!readInt(s, i, 2, sec)) return std::nullopt;
          if (i < s.size() && s[i] == '.') {
            ++i;
            frac = readFraction(s, i);
          }
        }
      }
    }
  }
  int64_t offset = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s.substr(i) == "GMT" || s.substr(i) == "UTC") {
      i = s.size();
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      ++i;
      int64_t oh = 0, om = 0;
      if (!readInt(s, i, 2, oh)) return std::nullopt;
      if (i < s.size() && s[i] == ':') ++i;
      readInt(s, i, 2, om, 0);
      offset = sign * (oh * 3600 + om * 60) * kTicksPerSecond;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  int64_t days = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kTicksPerDay + (h * 3600 + mi * 60 + sec) * kTicksPerSecond + frac - offset;
}

std::optional<int64_t> parseTimeOfDay(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  size_t i = 0;
  int64_t h = 0, mi = 0, sec = 0, frac = 0;
  if (!readInt(s, i, 2, h) || i >= s.size() || s[i] != ':') return std::nullopt;
  ++i;
  if (!readInt(s, i, 2, mi, 2)) return std::nullopt;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!readInt(s, i, 2, sec, 2)) return std::nullopt;
    if (i < s.size() && s[i] == '.') {
      ++i;
      frac = readFraction(s, i);
    }
  }
  while (i < s.size() && s[i] == ' ') ++i;
  std::string_view rest = s.substr(i);
  auto isWord = [&rest](const char* w) {
    return rest.size() == 2 && std::tolower(static_cast<unsigned char>(rest[0])) == w[0] &&
           std::tolower(static_cast<unsigned char>(rest[1])) == w[1];
  };
  bool am = isWord("am"), pm = isWord("pm");
  if (!rest.empty() && !am && !pm) return std::nullopt;
  if (am || pm) {
    if (h < 1 || h > 12) return std::nullopt;
    h = h % 12 + (pm ? 12 : 0);  // 12 AM is midnight, 12 PM noon
  }
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  return (h * 3600 + mi * 60 + sec) * kTicksPerSecond + frac;
}

std::string formatDateTime(int64_t ticks) {
  int64_t days = ticks >= 0 ? ticks / kTicksPerDay : -((-ticks + kTicksPerDay - 1) / kTicksPerDay);
  int64_t rem = ticks - days * kTicksPerDay;
  int64_t y;
  unsigned m, d;
  civilFromDays(days, y, m, d);
  int64_t secs = rem / kTicksPerSecond;
  int64_t frac = rem % kTicksPerSecond;
  char buf[64];
  snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m,
           d, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
           static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac) {
    char fb[16];
    snprintf(fb, sizeof fb, ".%07lld", static_cast<long long>(frac));
    std::string f = fb;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::optional<int64_t> parseTimespan(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty() || s == "null") return std::nullopt;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  } else if (s[0] == '+') {
    s.remove_prefix(1);
  }
  int64_t ticks = 0;
  if (s.find(':') != std::string_view::npos) {
    // [d.]hh:mm[:ss[.fffffff]]
    size_t i = 0;
    int64_t a = 0, days = 0, h = 0, m = 0, sec = 0, frac = 0;
    if (!readInt(s, i, 9, a)) return std::nullopt;
    if (i < s.size() && s[i] == '.') {
      days = a;
      ++i;
      if (!readInt(s, i, 2, h)) return std::nullopt;
    } else {
      h = a;
    }
    if (i >= s.size() || s[i] != ':') return std::nullopt;
    ++i;
    if (!readInt(s, i, 2, m)) return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!readInt(s, i, 2, sec)) return std::nullopt;
      if (i < s.size() && s[i] == '.') {
        ++i;
        frac = readFraction(s, i);
      }
    }
    if (i != s.size()) return std::nullopt;
    ticks = ((days * 24 + h) * 3600 + m * 60 + sec) * kTicksPerSecond + frac;
  } else {
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    std::string num(s.substr(0, i));
    std::string_view unit = s.substr(i);
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    double v = std::strtod(num.c_str(), nullptr);
    double mult;
    if (unit.empty() || unit == "d" || unit == "day" || unit == "days")
      mult = kTicksPerDay;
    else if (unit == "h" || unit == "hr" || unit == "hrs" || unit == "hour" || unit == "hours")
      mult = 3600.0 * kTicksPerSecond;
    else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes")
      mult = 60.0 * kTicksPerSecond;
    else if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds")
      mult = kTicksPerSecond;
    else if (unit == "ms" || unit == "milli" || unit == "millis" || unit == "millisecond" ||
             unit == "milliseconds")
      mult = 10000;
    else if (unit == "microsecond" || unit == "microseconds" || unit == "micro" || unit == "micros")
      mult = 10;
    else if (unit == "tick" || unit == "ticks")
      mult = 1;
    else if (unit == "nanosecond" || unit == "nanoseconds")
      mult = 0.01;
    else
      return std::nullopt;
    ticks = static_cast<int64_t>(std::llround(v * mult));
  }
  return neg ? -ticks : ticks;
}

std::string formatTimespan(int64_t ticks) {
  std::string out;
  uint64_t t;
  if (ticks < 0) {
    out = "-";
    t = static_cast<uint64_t>(-(ticks + 1)) + 1;
  } else {
    t = static_cast<uint64_t>(ticks);
  }
  uint64_t days = t / kTicksPerDay;
  uint64_t rem = t % kTicksPerDay;
  uint64_t secs = rem / kTicksPerSecond;
  uint64_t frac = rem % kTicksPerSecond;
  char buf[64];
  if (days) {
    snprintf(buf, sizeof buf, "%llu.", static_cast<unsigned long long>(days));
    out += buf;
  }
  snprintf(buf, sizeof buf, "%02llu:%02llu:%02llu", static_cast<unsigned long long>(secs / 3600),
           static_cast<unsigned long long>(secs / 60 % 60),
           static_cast<unsigned long long>(secs % 60));
  out += buf;
  if (frac) {
    snprintf(buf, sizeof buf, ".%07llu", static_cast<unsigned long long>(frac));
    out += buf;
  }
  return out;
}

std::string formatDateTimePattern(int64_t ticks, std::string_view p) {
  int64_t days = ticks >= 0 ? ticks / kTicksPerDay : -((-ticks + kTicksPerDay - 1) / kTicksPerDay);
  int64_t rem = ticks - days * kTicksPerDay;
  int64_t y;
  unsigned mo, d;
  civilFromDays(days, y, mo, d);
  int64_t secs = rem / kTicksPerSecond;
  int64_t frac = rem % kTicksPerSecond;
  int64_t H = secs / 3600, M = secs / 60 % 60, S = secs % 60;
  std::string out;
  size_t i = 0;
  auto num = [&](int64_t v, int width) {
    char b[32];
    snprintf(b, sizeof b, "%0*lld", width, static_cast<long long>(v));
    out += b;
  };
  while (i < p.size()) {
    char c = p[i];
    size_t n = 1;
    while (i + n < p.size() && p[i + n] == c) ++n;
    switch (c) {
      case 'y':
        if (n <= 2)
          num(y % 100, static_cast<int>(n));
        else
          num(y, static_cast<int>(n));
        break;
      case 'M':
        num(mo, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 'd':
        num(d, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 'H':
        num(H, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 'h':
        num(H % 12 == 0 ? 12 : H % 12, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 'm':
        num(M, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 's':
        num(S, static_cast<int>(std::min<size_t>(n, 2)));
        break;
      case 'f':
      case 'F': {
        char b[16];
        snprintf(b, sizeof b, "%07lld", static_cast<long long>(frac));
        std::string f(b, std::min<size_t>(n, 7));
        if (c == 'F') {
          while (!f.empty() && f.back() == '0') f.pop_back();
        }
        out += f;
        break;
      }
      case 't':
        out += H < 12 ? (n == 1 ? "A" : "AM") : (n == 1 ? "P" : "PM");
        break;
      default:
        out.append(n, c);
    }
    i += n;
  }
  return out;
}

}  // namespace agentgate::kql
