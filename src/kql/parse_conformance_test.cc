// Parse + bind conformance on real Sentinel and Application Insights queries.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "kql/conformance_util.h"

namespace agentgate::kql {
namespace {

struct Rate {
  int total = 0;
  int ok = 0;
};

Rate runCorpus(const std::string& file, std::ofstream& fails) {
  Rate r;
  for (const auto& line :
       testing::readLines(std::string(AGENTGATE_SHARED_DIR) + "/fixtures/kql/" + file)) {
    auto c = parseJson(line);
    if (!c) continue;
    const JVal* okFlag = c->get("parse_ok");
    if (okFlag && okFlag->t == JVal::T::kBool && !okFlag->b) continue;  // not valid KQL upstream
    const JVal* qn = c->get("query_normalized");
    const JVal* q = (qn && qn->t == JVal::T::kStr) ? qn : c->get("query");
    if (!q) continue;
    BindOptions opts;
    opts.lenient_tables = true;
    if (const JVal* ext = c->get("functions_called_not_builtin")) {
      for (const auto& f : ext->a) opts.external_functions.push_back(f.s);
    }
    if (const JVal* ext = c->get("other_sources")) {
      for (const auto& f : ext->a) {
        if (f.t == JVal::T::kStr) opts.external_functions.push_back(f.s);
      }
    }
    ++r.total;
    auto b = kql::bind(q->s, builtinSchema(), opts);
    if (b.ok()) {
      ++r.ok;
    } else {
      fails << (c->get("id") ? c->get("id")->s : "?") << " " << b.error().message.substr(0, 300)
            << "\n";
    }
  }
  return r;
}

TEST(KqlParseConformance, SentinelAndAppInsights) {
  std::ofstream fails("kql-parse-failures.txt");
  Rate s = runCorpus("sentinel-queries.jsonl", fails);
  Rate a = runCorpus("appinsights-queries.jsonl", fails);
  ASSERT_GT(s.total, 1000);
  ASSERT_GT(a.total, 200);
  double sr = 100.0 * s.ok / s.total, ar = 100.0 * a.ok / a.total;
  std::printf("KQL parse+bind: sentinel %d/%d (%.1f%%), appinsights %d/%d (%.1f%%)\n", s.ok,
              s.total, sr, a.ok, a.total, ar);
  // Target 98%; thresholds track what the engine reaches today.
  EXPECT_GE(sr, 79.0);
  EXPECT_GE(ar, 80.0);
}

}  // namespace
}  // namespace agentgate::kql
