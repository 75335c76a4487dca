// buildschema(dynamic): the minimal schema admitting every value of a group, in Kusto's model —
// a type is a primitive name ("long", "double", "string", "bool"), a container
// `{"name": type, ..., "indexer": type}` (bags and arrays share one container: an array's
// elements are its "indexer"), or a union `[type, ...]` when a place held several kinds.
// Members, properties and union entries keep the order in which they were first seen.
#include "kql/buildschema.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kql/json.h"

namespace agentgate::kql {
namespace {

class SchemaNode {
 public:
  void add(const JVal& v) {
    switch (v.t) {
      case JVal::T::kNull:
        return;  // null admits nothing new: it says no more than an absent value
      case JVal::T::kBool:
        return addPrimitive("bool");
      case JVal::T::kInt:
        return addPrimitive("long");
      case JVal::T::kReal:
        return addPrimitive("double");
      case JVal::T::kStr:
        return addPrimitive("string");
      case JVal::T::kObj:
        useContainer();
        for (const auto& [name, x] : v.o) {
          if (x.t != JVal::T::kNull) field(name).add(x);
        }
        return;
      case JVal::T::kArr: {
        useContainer();
        // An empty array still says "this is an array": its indexer is the empty union.
        SchemaNode& items = field("indexer");
        for (const auto& x : v.a) items.add(x);
        return;
      }
    }
  }

  void addPrimitive(const std::string& name) {
    for (const auto& m : members_) {
      if (m == name) return;
    }
    members_.push_back(name);
  }

  bool empty() const { return members_.empty(); }

  JVal describe() const {
    std::vector<JVal> out;
    for (const auto& m : members_) {
      if (!m.empty()) {
        out.push_back(JVal::str(m));
        continue;
      }
      JVal c = JVal::object();
      for (const auto& [name, node] : fields_) c.o.emplace_back(name, node->describe());
      out.push_back(std::move(c));
    }
    if (out.size() == 1) return std::move(out[0]);
    JVal u = JVal::array();
    u.a = std::move(out);
    return u;
  }

 private:
  // The container is the member with the empty name (no primitive is named "").
  void useContainer() {
    if (!hasContainer_) members_.emplace_back();
    hasContainer_ = true;
  }
  SchemaNode& field(const std::string& name) {
    auto it = index_.find(name);
    if (it != index_.end()) return *fields_[it->second].second;
    index_.emplace(name, fields_.size());
    fields_.emplace_back(name, std::make_unique<SchemaNode>());
    return *fields_.back().second;
  }

  std::vector<std::string> members_;
  bool hasContainer_ = false;
  std::vector<std::pair<std::string, std::unique_ptr<SchemaNode>>> fields_;
  std::map<std::string, size_t> index_;
};

struct SchemaAgg {
  SchemaNode* root;
};

std::string_view text(sqlite3_value* v) {
  const unsigned char* p = sqlite3_value_text(v);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v))};
}

void schemaStep(sqlite3_context* c, int, sqlite3_value** v) {
  auto* a = static_cast<SchemaAgg*>(sqlite3_aggregate_context(c, sizeof(SchemaAgg)));
  if (!a) return;
  if (!a->root) a->root = new SchemaNode();
  // dynamic is JSON text; a number may also arrive as an SQLite number.
  switch (sqlite3_value_type(v[0])) {
    case SQLITE_NULL:
      return;
    case SQLITE_INTEGER:
      return a->root->addPrimitive("long");
    case SQLITE_FLOAT:
      return a->root->addPrimitive("double");
    default:
      break;
  }
  auto j = parseJson(text(v[0]));
  if (j)
    a->root->add(*j);
  else
    a->root->addPrimitive("string");  // text that is not JSON is a plain string value
}

void schemaFinal(sqlite3_context* c) {
  auto* a = static_cast<SchemaAgg*>(sqlite3_aggregate_context(c, 0));
  if (!a || !a->root) return sqlite3_result_null(c);
  if (a->root->empty()) {
    sqlite3_result_null(c);  // only nulls: nothing to describe
  } else {
    std::string s = toJson(a->root->describe());
    sqlite3_result_text(c, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  delete a->root;
  a->root = nullptr;
}

}  // namespace

int registerBuildSchema(sqlite3* db) {
  return sqlite3_create_function_v2(db, "kql_buildschema", 1, SQLITE_UTF8, nullptr, nullptr,
                                    schemaStep, schemaFinal, nullptr);
}

}  // namespace agentgate::kql
