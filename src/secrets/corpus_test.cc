// Scores the detector on corpus-dev with the rule of spec/secrets.md "Scoring rule":
//   line recall = positive lines where every labeled value overlaps some reported span;
//   FPR = negative lines with at least one finding.
// Misses and false positives go to secrets_corpus_report.txt in the working directory (the line id
// and the type only: the report must not become a second copy of the secrets).
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "secrets/detector.h"

namespace agentgate::secrets {
namespace {

constexpr double kMinLineRecall = 0.97;
constexpr double kMaxFpr = 0.01;

TEST(SecretsCorpus, DevRecallAndFalsePositiveRate) {
  std::string path = std::string(AGENTGATE_SHARED_DIR) + "/fixtures/secrets/corpus-dev.jsonl";
  std::ifstream in(path);
  // The corpus ships in shared/ beside the repo; without it the bar cannot be checked.
  if (!in) FAIL() << "corpus not found: " << path;
  auto det = Detector::create();
  ASSERT_TRUE(det.ok()) << det.error().message;

  std::ofstream report("secrets_corpus_report.txt");
  simdjson::dom::parser parser;
  std::string line;
  size_t pos_lines = 0, pos_hit = 0, neg_lines = 0, neg_fp = 0, secrets = 0, secrets_hit = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    simdjson::dom::element rec;
    ASSERT_EQ(parser.parse(line).get(rec), simdjson::SUCCESS);
    std::string_view id = rec["id"].get_string().value_unsafe();
    std::string text(rec["text"].get_string().value_unsafe());
    std::vector<Finding> found = (*det)->scan(text);
    simdjson::dom::array labels = rec["secrets"].get_array().value_unsafe();
    if (labels.size() == 0) {
      ++neg_lines;
      if (!found.empty()) {
        ++neg_fp;
        report << "FP " << id << " rule=" << found[0].rule_id << " at " << found[0].start << "-"
               << found[0].end << "\n";
      }
      continue;
    }
    ++pos_lines;
    bool all = true;
    for (auto label : labels) {
      std::string_view value = label["value"].get_string().value_unsafe();
      std::string_view type = label["type"].get_string().value_unsafe();
      ++secrets;
      // Every occurrence of the labeled value counts; the first is enough to be covered.
      bool covered = false;
      for (size_t at = text.find(value); at != std::string::npos && !covered;
           at = text.find(value, at + 1)) {
        for (const auto& f : found)
          if (f.start < at + value.size() && at < f.end) covered = true;
      }
      if (covered) {
        ++secrets_hit;
      } else {
        all = false;
        report << "MISS " << id << " type=" << type << "\n";
      }
    }
    if (all) ++pos_hit;
  }
  ASSERT_GT(pos_lines, 0u);
  ASSERT_GT(neg_lines, 0u);
  double recall = static_cast<double>(pos_hit) / pos_lines;
  double secret_recall = static_cast<double>(secrets_hit) / secrets;
  double fpr = static_cast<double>(neg_fp) / neg_lines;
  std::printf(
      "corpus-dev: line recall %.4f (%zu/%zu), secret recall %.4f (%zu/%zu), FPR %.4f "
      "(%zu/%zu)\n",
      recall, pos_hit, pos_lines, secret_recall, secrets_hit, secrets, fpr, neg_fp, neg_lines);
  report << "line_recall " << recall << " secret_recall " << secret_recall << " fpr " << fpr
         << "\n";
  EXPECT_GE(recall, kMinLineRecall);
  EXPECT_LE(fpr, kMaxFpr);
}

}  // namespace
}  // namespace agentgate::secrets
