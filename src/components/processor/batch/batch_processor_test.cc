#include "components/processor/batch/batch_processor.h"

#include <gtest/gtest.h>

#include "components/processor/batch/factory.h"
#include "config/loader.h"
#include "pdata/model.h"

namespace agentgate::components::batch {
namespace {

class Capture : public Consumer {
 public:
  Status consume(BatchPtr&& b) override {
    got.push_back(std::move(b));
    return {};
  }
  std::vector<BatchPtr> got;
};

bool parse(const std::string& yaml, Config& out) {
  auto f = makeBatchFactory();
  config::Diagnostics d;
  auto node = config::parseYaml(
      yaml, "t.yaml", [](std::string_view) { return std::nullopt; }, d);
  auto cfg = f->createDefaultConfig();
  f->unmarshal(node, *cfg, d);
  out = static_cast<Config&>(*cfg);
  return !d.hasErrors();
}

TEST(BatchProcessor, DefaultsAndValidation) {
  Config c;
  ASSERT_TRUE(parse("", c));
  EXPECT_EQ(c.send_batch_size, 8192u);
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(200));
  EXPECT_EQ(c.send_batch_max_size, 0u);
  EXPECT_EQ(c.metadata_cardinality_limit, 1000u);
  ASSERT_TRUE(
      parse("send_batch_size: 1024\ntimeout: 5s\nsend_batch_max_size: 2048\n"
            "metadata_keys: [x-tenant]\nmetadata_cardinality_limit: 10\n",
            c));
  EXPECT_EQ(c.send_batch_size, 1024u);
  EXPECT_EQ(c.timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.send_batch_max_size, 2048u);
  EXPECT_EQ(c.metadata_keys, std::vector<std::string>{"x-tenant"});
  EXPECT_FALSE(parse("send_batch_size: 100\nsend_batch_max_size: 50\n", c));
  EXPECT_FALSE(parse("timeout: soon\n", c));
  EXPECT_FALSE(parse("send_batch_sise: 1\n", c));
}

TEST(BatchProcessor, ForwardsBatchesUnchanged) {
  auto f = makeBatchFactory();
  auto cfg = f->createDefaultConfig();
  auto next = std::make_shared<Capture>();
  auto p = f->create({}, *cfg, Signal::kLogs, next);
  ASSERT_TRUE(p.ok());
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  b->resource_logs.emplace_back(b->arena());
  pdata::Batch* raw = b.get();
  ASSERT_TRUE((*p)->consume(std::move(b)).ok());
  ASSERT_EQ(next->got.size(), 1u);
  EXPECT_EQ(next->got[0].get(), raw);
  EXPECT_FALSE((*p)->mutatesData());
}

}  // namespace
}  // namespace agentgate::components::batch
