// Result conformance on the Kusto docs corpus (emulator-checked expected results).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <set>

#include "kql/conformance_util.h"

namespace agentgate::kql {
namespace {

using testing::compareRows;
using testing::netTypeToKql;

bool inSubset(const JVal& tags, const std::set<std::string>& feats) {
  static const std::set<std::string> kSyntax = {
      "dynamic", "datetime", "typeof",  "datatable", "print", "range",    "with",        "on",
      "inner",   "real",     "int",     "long",      "time",  "timespan", "bool",        "double",
      "string",  "guid",     "decimal", "union",     "view",  "toscalar", "materialize", "kind"};
  if (const JVal* ops = tags.get("operators")) {
    for (const auto& o : ops->a) {
      std::string n = o.s;
      if (n == "sort" || n == "order") n = "order by/sort by";
      if (n == "take" || n == "limit") n = "take/limit";
      if (n == "print" || n == "range" || n == "datatable") continue;
      if (!feats.count("op:" + n)) return false;
    }
  }
  if (const JVal* fns = tags.get("functions")) {
    for (const auto& f : fns->a) {
      if (kSyntax.count(f.s)) continue;
      if (!feats.count("fn:" + f.s) && !feats.count("agg:" + f.s)) return false;
    }
  }
  return true;
}

TEST(KqlDocsConformance, RunsCorpus) {
  auto lines =
      testing::readLines(std::string(AGENTGATE_SHARED_DIR) + "/fixtures/kql/docs-cases.jsonl");
  ASSERT_GT(lines.size(), 400u);
  auto feats = testing::recommendedSubset();
  ASSERT_FALSE(feats.empty());
  int total = 0, pass = 0, subTotal = 0, subPass = 0;
  std::ofstream fails("kql-conformance-failures.txt");
  std::map<std::string, int> reasons;
  for (const auto& line : lines) {
    auto c = parseJson(line);
    ASSERT_TRUE(c.has_value());
    const JVal* kql = c->get("kql");
    const JVal* exp = c->get("expected");
    const JVal* tags = c->get("tags");
    std::string id = c->get("id") ? c->get("id")->s : "?";
    bool sub = tags && inSubset(*tags, feats);
    ++total;
    subTotal += sub;
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    // A fixed clock keeps now()/ago() deterministic (those cases cannot match anyway).
    Engine eng(db, builtinSchema(), [] { return int64_t{17000000000000000}; });
    auto res = eng.run(kql->s);
    std::string reason;
    if (!res.ok()) {
      reason = "error: " + res.error().message;
    } else {
      const JVal* cols = exp->get("columns");
      const JVal* types = exp->get("column_types");
      if (cols->a.size() != res->columns.size()) {
        reason = "column count " + std::to_string(res->columns.size()) +
                 " != " + std::to_string(cols->a.size());
      } else {
        for (size_t i = 0; i < cols->a.size() && reason.empty(); ++i) {
          if (cols->a[i].s != res->columns[i].name)
            reason = "column " + std::to_string(i) + " name '" + res->columns[i].name + "' != '" +
                     cols->a[i].s + "'";
          std::string et = netTypeToKql(types->a[i].s);
          std::string gt = res->columns[i].type;
          if (reason.empty() && et != gt && !(et == "decimal" && gt == "real"))
            reason = "column '" + cols->a[i].s + "' type " + gt + " != " + et;
        }
      }
      if (reason.empty()) {
        const std::string& q = kql->s;
        bool ordered = q.find("sort by") != std::string::npos ||
                       q.find("order by") != std::string::npos ||
                       q.find("top ") != std::string::npos;
        reason = compareRows(*res, *exp->get("rows"), ordered);
      }
    }
    sqlite3_close(db);
    if (reason.empty()) {
      ++pass;
      subPass += sub;
    } else {
      fails << id << (sub ? " [subset] " : " ") << reason.substr(0, 400) << "\n";
    }
  }
  double rate = 100.0 * pass / total, subRate = subTotal ? 100.0 * subPass / subTotal : 0;
  std::printf("KQL docs conformance: %d/%d (%.1f%%) overall, %d/%d (%.1f%%) in A95uS80 subset\n",
              pass, total, rate, subPass, subTotal, subRate);
  fails << "# overall " << pass << "/" << total << ", subset " << subPass << "/" << subTotal
        << "\n";
  // Target is 95% on the subset; the threshold tracks what the engine reaches today.
  EXPECT_GE(subRate, 95.0);
  EXPECT_GE(rate, 37.0);
}

}  // namespace
}  // namespace agentgate::kql
