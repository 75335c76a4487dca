// A real HTTP client for tests (libcurl, one easy handle per request).
#pragma once

#include <curl/curl.h>

#include <map>
#include <string>
#include <vector>

#include "common/strings.h"

namespace agentgate::testlib {

struct CurlResponse {
  long status = 0;  // 0 = transport failure (see error)
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased, last value wins
  std::string error;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct CurlOptions {
  std::vector<std::string> headers;  // "Name: value"
  long timeout_seconds = 30;
  std::string ca_file;  // https: trust this CA
};

inline CurlResponse curlRequest(const std::string& method, const std::string& url,
                                const std::string& body, const CurlOptions& options = {}) {
  static const bool inited = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)inited;
  CurlResponse out;
  CURL* curl = curl_easy_init();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_slist* hdrs = nullptr;
  hdrs = curl_slist_append(hdrs, "Expect:");  // no 100-continue round trip
  for (const auto& h : options.headers) hdrs = curl_slist_append(hdrs, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, options.timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  if (method == "POST" || !body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  auto write_cb = +[](char* p, size_t s, size_t n, void* ud) -> size_t {
    static_cast<std::string*>(ud)->append(p, s * n);
    return s * n;
  };
  auto header_cb = +[](char* p, size_t s, size_t n, void* ud) -> size_t {
    std::string_view line(p, s * n);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      auto* m = static_cast<std::map<std::string, std::string>*>(ud);
      (*m)[strings::toLower(strings::trim(line.substr(0, colon)))] =
          std::string(strings::trim(line.substr(colon + 1)));
    }
    return s * n;
  };
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.headers);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  } else {
    out.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(curl);
  return out;
}

}  // namespace agentgate::testlib
