// libprotobuf as the oracle for our OTLP decoder (tests and fuzzers only).
#pragma once

#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <memory>
#include <string>
#include <string_view>

#include "otlp_test.pb.h"
#include "pdata/codec.h"

namespace agentgate::pdata::testutil {

inline std::unique_ptr<google::protobuf::Message> newOracleRequest(Signal s) {
  switch (s) {
    case Signal::kLogs:
      return std::make_unique<agentgate::testproto::ExportLogsServiceRequest>();
    case Signal::kTraces:
      return std::make_unique<agentgate::testproto::ExportTraceServiceRequest>();
    case Signal::kMetrics:
      return std::make_unique<agentgate::testproto::ExportMetricsServiceRequest>();
  }
  return nullptr;
}

// Semantic equality of two parsed requests. EQUIVALENT treats an absent field like one set to
// its default: our model does not keep presence of empty sub-messages or of a zero oneof value,
// and proto3 defines those as equal data. NaN equals NaN. Unknown fields and
// Resource.entity_refs are outside our model and not compared.
inline std::string oracleDiff(google::protobuf::Message& a, google::protobuf::Message& b) {
  using google::protobuf::util::DefaultFieldComparator;
  using google::protobuf::util::MessageDifferencer;
  a.DiscardUnknownFields();
  b.DiscardUnknownFields();
  MessageDifferencer d;
  d.set_message_field_comparison(MessageDifferencer::EQUIVALENT);
  DefaultFieldComparator cmp;
  cmp.set_treat_nan_as_equal(true);
  d.set_field_comparator(&cmp);
  d.IgnoreField(agentgate::testproto::Resource::descriptor()->FindFieldByName("entity_refs"));
  std::string report;
  d.ReportDifferencesToString(&report);
  if (d.Compare(a, b)) return "";
  return report.empty() ? std::string("differ") : report;
}

// Compares libprotobuf's parse of `input` with our decoding of it (re-encoded by encodeProtobuf
// and parsed by libprotobuf). Returns "" when they agree; `*oracle_ok` tells whether libprotobuf
// accepted the input at all.
inline std::string oracleCompare(Signal s, std::string_view input, const Batch& ours,
                                 bool* oracle_ok = nullptr) {
  auto a = newOracleRequest(s);
  bool ok = a->ParseFromArray(input.data(), static_cast<int>(input.size()));
  if (oracle_ok) *oracle_ok = ok;
  if (!ok) return "libprotobuf rejects the input";
  auto b = newOracleRequest(s);
  std::string ours_pb = encodeProtobuf(ours);
  if (!b->ParseFromString(ours_pb)) return "libprotobuf rejects our encoding";
  return oracleDiff(*a, *b);
}

}  // namespace agentgate::pdata::testutil
