#include "components/processor/resource/resource_processor.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/strings.h"

namespace agentgate::components::resource {
namespace {

using pdata::AnyValue;
using pdata::Attributes;
using pdata::KeyValue;
using pdata::ValueType;

KeyValue* findKey(Attributes& attrs, std::string_view key) {
  for (auto& kv : attrs)
    if (kv.key == key) return &kv;
  return nullptr;
}

AnyValue stringValue(pdata::Batch& batch, std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = batch.copyString(s);
  return v;
}

AnyValue literalValue(pdata::Batch& batch, const Literal& lit) {
  AnyValue v;
  if (const auto* s = std::get_if<std::string>(&lit)) return stringValue(batch, *s);
  if (const auto* b = std::get_if<bool>(&lit)) {
    v.type = ValueType::kBool;
    v.bool_value = *b;
  } else if (const auto* i = std::get_if<int64_t>(&lit)) {
    v.type = ValueType::kInt;
    v.int_value = *i;
  } else {
    v.type = ValueType::kDouble;
    v.double_value = std::get<double>(lit);
  }
  return v;
}

std::optional<std::string> contextValue(const pdata::RequestContext& ctx, std::string_view key) {
  if (key == "client.address") {
    if (ctx.client_address.empty()) return std::nullopt;
    return ctx.client_address;
  }
  if (strings::startsWith(key, "auth.")) {
    std::string_view attr = key.substr(5);
    if (attr == "subject") {
      if (ctx.auth_subject.empty()) return std::nullopt;
      return ctx.auth_subject;
    }
    for (const auto& [k, v] : ctx.auth_attributes)
      if (k == attr) return v;
    return std::nullopt;
  }
  if (strings::startsWith(key, "metadata.")) key = key.substr(9);
  std::optional<std::string> joined;
  for (const auto& [k, v] : ctx.metadata) {
    if (!strings::iequals(k, key)) continue;
    if (joined) {
      *joined += ";";
      *joined += v;
    } else {
      joined = v;
    }
  }
  return joined;
}

std::optional<AnyValue> sourceValue(const ActionConfig& a, Attributes& attrs, pdata::Batch& batch) {
  if (a.value) return literalValue(batch, *a.value);
  if (!a.from_attribute.empty()) {
    if (KeyValue* src = findKey(attrs, a.from_attribute)) return src->value;
    return std::nullopt;
  }
  if (auto s = contextValue(batch.context, a.from_context)) return stringValue(batch, *s);
  return std::nullopt;
}

void setValue(Attributes& attrs, pdata::Batch& batch, std::string_view key, AnyValue value,
              bool insert, bool update) {
  if (KeyValue* kv = findKey(attrs, key)) {
    if (update) kv->value = value;
    return;
  }
  if (insert) attrs.push_back(KeyValue{batch.copyString(key), value});
}

bool matches(const ActionConfig& a, std::string_view key) {
  if (!a.key.empty() && key == a.key) return true;
  return a.regex && std::regex_search(key.begin(), key.end(), *a.regex);
}

std::string formatDouble(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

void convert(AnyValue& v, const std::string& to, pdata::Batch& batch) {
  if (to == "int") {
    switch (v.type) {
      case ValueType::kBool:
        v.int_value = v.bool_value ? 1 : 0;
        v.type = ValueType::kInt;
        break;
      case ValueType::kDouble:
        if (std::isfinite(v.double_value) &&
            std::fabs(v.double_value) < 9.2e18) {  // int64 range; others stay unchanged
          v.int_value = static_cast<int64_t>(v.double_value);
          v.type = ValueType::kInt;
        }
        break;
      case ValueType::kString: {
        std::string_view s = v.string_value;
        int64_t i = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), i);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) {
          v.int_value = i;
          v.type = ValueType::kInt;
        }
        break;
      }
      default:
        break;
    }
  } else if (to == "double") {
    switch (v.type) {
      case ValueType::kBool:
        v.double_value = v.bool_value ? 1.0 : 0.0;
        v.type = ValueType::kDouble;
        break;
      case ValueType::kInt:
        v.double_value = static_cast<double>(v.int_value);
        v.type = ValueType::kDouble;
        break;
      case ValueType::kString: {
        std::string_view s = v.string_value;
        double d = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) {
          v.double_value = d;
          v.type = ValueType::kDouble;
        }
        break;
      }
      default:
        break;
    }
  } else if (to == "string") {
    switch (v.type) {
      case ValueType::kBool:
        v = stringValue(batch, v.bool_value ? "true" : "false");
        break;
      case ValueType::kInt:
        v = stringValue(batch, std::to_string(v.int_value));
        break;
      case ValueType::kDouble:
        v = stringValue(batch, formatDouble(v.double_value));
        break;
      default:
        break;  // strings stay; bytes/arrays/maps are left unchanged
    }
  }
}

void extract(const ActionConfig& a, Attributes& attrs, pdata::Batch& batch) {
  KeyValue* kv = findKey(attrs, a.key);
  if (kv == nullptr || kv->value.type != ValueType::kString || !a.regex) return;
  std::string_view s = kv->value.string_value;
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(s.begin(), s.end(), m, *a.regex)) return;
  // Copy the groups first: inserting may reallocate the vector `kv` points into.
  std::vector<std::pair<std::string, std::string>> groups;
  for (size_t i = 0; i < a.group_names.size() && i + 1 < m.size(); ++i) {
    groups.emplace_back(a.group_names[i], m[i + 1].matched ? m[i + 1].str() : std::string());
  }
  for (const auto& [name, value] : groups) {
    setValue(attrs, batch, name, stringValue(batch, value), true, true);
  }
}

}  // namespace

std::string hashValue(const AnyValue& value) {
  std::string bytes;
  switch (value.type) {
    case ValueType::kString:
      bytes = std::string(value.string_value);
      break;
    case ValueType::kBool:
      bytes.assign(1, value.bool_value ? '\1' : '\0');
      break;
    case ValueType::kInt:
    case ValueType::kDouble: {
      uint64_t u = 0;
      if (value.type == ValueType::kInt) {
        u = static_cast<uint64_t>(value.int_value);
      } else {
        std::memcpy(&u, &value.double_value, sizeof u);
      }
      for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
      break;
    }
    default:
      break;
  }
  if (bytes.empty()) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &md_len, EVP_sha256(), nullptr) != 1) return {};
  return strings::hexEncode(std::string_view(reinterpret_cast<const char*>(md), md_len));
}

void applyActions(const std::vector<ActionConfig>& actions, Attributes& attrs,
                  pdata::Batch& batch) {
  for (const auto& a : actions) {
    switch (a.action) {
      case Action::kInsert:
      case Action::kUpdate:
      case Action::kUpsert: {
        auto v = sourceValue(a, attrs, batch);
        if (!v) break;
        setValue(attrs, batch, a.key, *v, a.action != Action::kUpdate, a.action != Action::kInsert);
        break;
      }
      case Action::kDelete:
        std::erase_if(attrs, [&](const KeyValue& kv) { return matches(a, kv.key); });
        break;
      case Action::kHash:
        for (auto& kv : attrs) {
          if (matches(a, kv.key)) kv.value = stringValue(batch, hashValue(kv.value));
        }
        break;
      case Action::kExtract:
        extract(a, attrs, batch);
        break;
      case Action::kConvert:
        if (KeyValue* kv = findKey(attrs, a.key)) convert(kv->value, a.converted_type, batch);
        break;
    }
  }
}

Status ResourceProcessor::consume(BatchPtr&& batch) {
  for (auto& rl : batch->resource_logs)
    applyActions(cfg_.attributes, rl.resource.attributes, *batch);
  for (auto& rs : batch->resource_spans)
    applyActions(cfg_.attributes, rs.resource.attributes, *batch);
  for (auto& rm : batch->resource_metrics) {
    applyActions(cfg_.attributes, rm.resource.attributes, *batch);
  }
  return next_->consume(std::move(batch));
}

}  // namespace agentgate::components::resource
