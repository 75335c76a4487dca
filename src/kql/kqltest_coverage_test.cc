// Holds tests/kql/*.kqltest to the recommended KQL subset (recommended_union_A95_S80 of
// ../shared/spec/kql-recommended-subset.json): every feature of it is either used by some
// block's query or listed below as unsupported, with a query proving it fails naming it.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <iostream>
#include <regex>

#include "kql/conformance_util.h"

namespace agentgate::kql {
namespace {

// Subset features the engine does not support. Each must fail with an error containing
// `expect`; a feature that becomes supported must move to a .kqltest block instead.
struct Unsupported {
  const char* feature;
  const char* query;
  const char* expect;
};
const Unsupported kUnsupported[] = {
    // Fetching URLs is out of scope for an embedded store.
    {"op:externaldata", "externaldata (a:string) [\"https://example.com/x.csv\"] | take 1",
     "unsupported operator 'externaldata'"},
    // Graph semantics are not implemented.
    {"op:make-graph", "datatable(s:string, t:string) [\"a\", \"b\"] | make-graph s --> t",
     "unsupported operator 'make-graph'"},
    {"op:graph-match", "datatable(a:long) [1] | graph-match (x)-[e]->(y) project x",
     "unsupported operator 'graph-match'"},
    {"plugin:dcount_intersect",
     "datatable(a:long, b:long) [1, 2] | summarize ha = hll(a), hb = hll(b)"
     " | evaluate dcount_intersect(ha, hb)",
     "unsupported evaluate plugin 'dcount_intersect'"},
    // Workspace-saved functions (ASIM parsers and the like) are not in the store.
    {"external-function (workspace/ASIM fn)", "print x = _ASim_NetworkSession()",
     "unsupported function '_ASim_NetworkSession'"},
};

// The query with the contents of string literals blanked, so syntax scans do not look inside
// them; `adjacent` is set when a literal directly follows another (`"a" "b"`).
std::string withoutStrings(const std::string& q, bool* adjacent) {
  std::string out = q;
  size_t lastEnd = std::string::npos;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool verbatim = (c == '@' || c == 'h') && i + 1 < out.size() &&
                    (out[i + 1] == '"' || out[i + 1] == '\'') &&
                    (i == 0 || !std::isalnum(static_cast<unsigned char>(out[i - 1])));
    if (c != '"' && c != '\'' && !verbatim) continue;
    if (lastEnd != std::string::npos && out.find_first_not_of(" \t\r\n", lastEnd) == i)
      *adjacent = true;
    size_t j = verbatim ? i + 1 : i;
    char quote = out[j];
    size_t k = j + 1;
    while (k < out.size() && out[k] != quote) {
      if (!verbatim && out[k] == '\\') ++k;
      ++k;
    }
    for (size_t m = j + 1; m < k && m < out.size(); ++m) out[m] = ' ';
    i = k;
    lastEnd = k + 1;
  }
  return out;
}

// The subset's feature names for one query: scanFeatures (the token scan the parse conformance
// test classifies corpora with) plus what it does not classify: tabular sources at the start of
// a statement, `let` forms and the syntax features (syn:*).
std::set<std::string> featuresOf(const std::string& q, const std::set<std::string>& subset) {
  std::set<std::string> out;
  testing::QueryFeatures f = testing::scanFeatures(q);
  for (std::string o : f.ops) {
    if (o.find("(kind=<default>)") != std::string::npos)
      o = o.substr(0, o.find('(')) +
          (o.rfind("join", 0) == 0 ? "(kind=<default innerunique>)" : "(kind=<default leftouter>)");
    out.insert("op:" + o);
  }
  for (const auto& p : f.plugins) out.insert("plugin:" + p);
  for (const auto& e : f.exprs) out.insert("expr:" + e);
  for (const auto& c : f.calls) {
    out.insert(subset.count("agg:" + c) ? "agg:" + c : "fn:" + c);
  }
  bool adjacent = false;
  std::string s = withoutStrings(q, &adjacent);
  auto has = [&](const char* re) { return std::regex_search(s, std::regex(re)); };
  if (has(R"(\bdatatable\s*\()")) out.insert("op:datatable");
  if (has(R"(\brange\s*\()")) out.insert("fn:range");  // scanFeatures skips `range`
  if (has(R"(\brange\s+\w+\s+from\b)")) out.insert("op:range");
  if (has(R"((^|[;(])\s*union\b)")) out.insert("op:union");
  if (has(R"(\btypeof\s*\()")) out.insert("syn:lit:typeof(...)");
  if (has(R"(\bdatetime\s*\()")) out.insert("syn:lit:datetime(...)");
  if (has(R"(\bdynamic\s*\()")) out.insert("syn:lit:dynamic(...)");
  if (has(R"(\b\d+(\.\d+)?(d|h|m|s|ms|tick|microsecond)\b)"))
    out.insert("syn:lit:timespan (1h/5m/1d)");
  if (has(R"(\barg_m(ax|in)\s*\([^;|]*,\s*\*\s*\))")) out.insert("syn:arg: * (e.g. arg_max(x,*))");
  if (has(R"(((^|[^$\w])[A-Za-z_]\w*|\))\.[A-Za-z_])"))
    out.insert("syn:dyn:path a.b");  // not $left.x
  // d["k"] / d[0] on a name or after a member/index (not a datatable row list)
  if (has(R"([\w\]]\[\s*(["']|-?\d))")) out.insert("syn:dyn:index a['b']/a[0]");
  if (adjacent) out.insert("syn:lit:adjacent strings");
  std::smatch m;
  std::string rest = s;
  std::regex letRe(R"(\blet\s+\w+\s*=\s*([^;]*))");
  while (std::regex_search(rest, m, letRe)) {
    std::string v = m[1].str();
    if (std::regex_search(v, std::regex(R"(^(\(|view\b))")))
      out.insert("stmt:let (function/lambda)");
    else if (std::regex_search(
                 v, std::regex(R"(^(datatable|materialize|union|range\s+\w+\s+from)\b)")) ||
             v.find('|') != std::string::npos)
      out.insert("stmt:let (tabular)");
    else
      out.insert("stmt:let (scalar)");
    rest = m.suffix();
  }
  return out;
}

TEST(KqlTestCoverage, ClassifiesFeatures) {
  std::set<std::string> subset = {"agg:count"};
  auto f = featuresOf(
      "let n = 1;\nlet T = datatable(a:long) [1];\nlet f = (x:long) { x };\n"
      "T | extend s = \"a\" \"b\", d = dynamic({}).k, i = s[0], t = 1h"
      " | join (T) on $left.a == $right.a | summarize count()",
      subset);
  for (const char* want :
       {"stmt:let (scalar)", "stmt:let (tabular)", "stmt:let (function/lambda)",
        "syn:lit:adjacent strings", "syn:dyn:path a.b", "syn:dyn:index a['b']/a[0]",
        "syn:lit:timespan (1h/5m/1d)", "syn:lit:dynamic(...)", "op:datatable", "op:extend",
        "op:join(kind=<default innerunique>)", "agg:count"})
    EXPECT_TRUE(f.count(want)) << want;
  // nothing inside string literals counts, nor `$left.x`, nor strings separated by a comma
  auto g = featuresOf(
      "print a = \"x.y 1h d['k']\", b = 'z'\n| join (datatable(a:string) []) on $left.a == "
      "$right.a",
      subset);
  for (const char* unwanted : {"syn:lit:adjacent strings", "syn:dyn:path a.b",
                               "syn:dyn:index a['b']/a[0]", "syn:lit:timespan (1h/5m/1d)"})
    EXPECT_FALSE(g.count(unwanted)) << unwanted;
}

TEST(KqlTestCoverage, RecommendedSubsetCoveredOrProvenUnsupported) {
  std::set<std::string> subset = testing::recommendedSubset();
  ASSERT_GT(subset.size(), 100u) << "the A95 and S80 subsets were not found";

  std::map<std::string, std::string> usedBy;  // feature -> first block using it
  std::filesystem::path dir = std::filesystem::path(AGENTGATE_SOURCE_DIR) / "tests" / "kql";
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() != ".kqltest") continue;
    for (const auto& b : testing::parseKqlTestBlocks(testing::readFile(f.path().string()))) {
      // error blocks prove something fails; they do not exercise a feature
      if (b.header.rfind("error ", 0) == 0) continue;
      for (const auto& feat : featuresOf(b.query, subset))
        usedBy.emplace(feat, f.path().filename().string() + ":" + std::to_string(b.line));
    }
  }

  std::map<std::string, const Unsupported*> unsupported;
  for (const auto& u : kUnsupported) unsupported[u.feature] = &u;
  for (const auto& [feature, u] : unsupported) {
    SCOPED_TRACE(feature);
    EXPECT_TRUE(subset.count(feature)) << "listed unsupported but not in the subset";
    EXPECT_FALSE(usedBy.count(feature)) << "listed unsupported but used by " << usedBy[feature];
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    Engine eng(db, builtinSchema(), [] { return int64_t{17640000000000000}; });
    auto r = eng.run(u->query);
    EXPECT_FALSE(r.ok()) << u->query;
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find(u->expect), std::string::npos) << u->query << "\n"
                                                                      << r.error().message;
    }
    sqlite3_close(db);
  }

  int covered = 0, listed = 0;
  for (const auto& feature : subset) {
    if (usedBy.count(feature)) {
      ++covered;
    } else if (unsupported.count(feature)) {
      ++listed;
    } else {
      ADD_FAILURE() << "subset feature " << feature
                    << " is neither used by a .kqltest block nor listed as unsupported";
    }
  }
  std::cout << "recommended_union_A95_S80: " << subset.size() << " features, " << covered
            << " covered by .kqltest blocks, " << listed << " listed unsupported\n";
}

}  // namespace
}  // namespace agentgate::kql
