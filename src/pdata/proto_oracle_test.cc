// Differential test: our decoder against libprotobuf (tests/proto/otlp_test.proto) on every
// captured protobuf body, and on libprotobuf's own re-serialization of it.
#include <gtest/gtest.h>

#include <cstdio>

#include "pdata/codec.h"
#include "proto/otlp_oracle.h"
#include "proto/pdata_test_util.h"

namespace agentgate::pdata {
namespace {

TEST(ProtoOracle, FixturesAgreeWithLibprotobuf) {
  size_t compared = 0;
  for (const auto& f : testutil::agentFixtures()) {
    if (f.is_json) continue;
    std::string bytes = testutil::fixtureBytes(f);
    Batch ours(f.signal);
    Status st = decodeProtobuf(ours, ours.adoptBuffer(bytes));
    ASSERT_TRUE(st.ok()) << f.body << ": " << st.error().message;
    bool oracle_ok = false;
    EXPECT_EQ(testutil::oracleCompare(f.signal, bytes, ours, &oracle_ok), "") << f.body;
    EXPECT_TRUE(oracle_ok) << f.body;

    // libprotobuf's serialization (its own field order) decodes to the same data.
    auto ref = testutil::newOracleRequest(f.signal);
    ASSERT_TRUE(ref->ParseFromString(bytes));
    Batch from_ref(f.signal);
    ASSERT_TRUE(decodeProtobuf(from_ref, from_ref.adoptBuffer(ref->SerializeAsString())).ok());
    EXPECT_EQ(encodeJson(from_ref), encodeJson(ours)) << f.body;
    ++compared;
  }
  std::printf("[ oracle ] %zu protobuf fixtures agree with libprotobuf\n", compared);
  EXPECT_GT(compared, 100u);
}

TEST(ProtoOracle, DetectsADifference) {
  Batch b(Signal::kLogs);
  auto& r = b.resource_logs.emplace_back(b.arena())
                .scope_logs.emplace_back(b.arena())
                .log_records.emplace_back(b.arena());
  r.severity_number = 9;
  std::string pb = encodeProtobuf(b);
  r.severity_number = 10;
  EXPECT_NE(testutil::oracleCompare(Signal::kLogs, pb, b), "");
}

TEST(ProtoOracle, OneofZeroAndEmptyMessagesAreEquivalent) {
  // A data point without a value and a present-but-empty status: our model re-encodes them as
  // as_double = 0 and no status; proto3 says that is the same data.
  agentgate::testproto::ExportMetricsServiceRequest req;
  auto* m = req.add_resource_metrics()->add_scope_metrics()->add_metrics();
  m->set_name("g");
  m->mutable_gauge()->add_data_points()->set_time_unix_nano(5);
  std::string in = req.SerializeAsString();
  Batch b(Signal::kMetrics);
  ASSERT_TRUE(decodeProtobuf(b, b.adoptBuffer(in)).ok());
  EXPECT_EQ(testutil::oracleCompare(Signal::kMetrics, in, b), "");

  agentgate::testproto::ExportTraceServiceRequest t;
  t.add_resource_spans()->add_scope_spans()->add_spans()->mutable_status();
  std::string tin = t.SerializeAsString();
  Batch tb(Signal::kTraces);
  ASSERT_TRUE(decodeProtobuf(tb, tb.adoptBuffer(tin)).ok());
  EXPECT_EQ(testutil::oracleCompare(Signal::kTraces, tin, tb), "");
}

}  // namespace
}  // namespace agentgate::pdata
