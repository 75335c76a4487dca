#include "components/exporter/nop/nop_exporter.h"

#include <gtest/gtest.h>

#include "components/exporter/nop/factory.h"
#include "config/loader.h"
#include "pdata/model.h"

namespace agentgate::components::nop {
namespace {

TEST(NopExporter, CountsAndDiscards) {
  auto f = makeNopFactory();
  EXPECT_EQ(f->type(), "nop");
  auto cfg = f->createDefaultConfig();
  auto e = f->create({}, *cfg);
  ASSERT_TRUE(e.ok());
  auto* nop = dynamic_cast<NopExporter*>(e->get());
  ASSERT_NE(nop, nullptr);
  auto b = std::make_unique<pdata::Batch>(Signal::kLogs);
  auto& rl = b->resource_logs.emplace_back(b->arena());
  auto& sl = rl.scope_logs.emplace_back(b->arena());
  sl.log_records.emplace_back(b->arena());
  sl.log_records.emplace_back(b->arena());
  ASSERT_TRUE((*e)->consume(std::move(b)).ok());
  EXPECT_EQ(b, nullptr);
  ASSERT_TRUE((*e)->consume(std::make_unique<pdata::Batch>(Signal::kTraces)).ok());
  EXPECT_EQ(nop->batches(), 2u);
  EXPECT_EQ(nop->items(), 2u);
}

TEST(NopFactory, RejectsUnknownKeys) {
  auto f = makeNopFactory();
  config::Diagnostics d;
  auto node = config::parseYaml(
      "foo: 1\n", "t.yaml", [](std::string_view) { return std::nullopt; }, d);
  auto cfg = f->createDefaultConfig();
  f->unmarshal(node, *cfg, d);
  EXPECT_TRUE(d.hasErrors());
  config::Diagnostics d2;
  f->unmarshal(config::ConfigNode{}, *cfg, d2);
  EXPECT_FALSE(d2.hasErrors());
}

}  // namespace
}  // namespace agentgate::components::nop
