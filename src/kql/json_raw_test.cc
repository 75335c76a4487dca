// The text-level member lookup (findMemberRaw / indexMembersRaw) must answer exactly as the full
// parse does whenever it answers at all: it feeds `Properties['key']` on every row.
#include <gtest/gtest.h>

#include "kql/json.h"

namespace agentgate::kql {
namespace {

// The answer of the slow path: the member's toJson text, or nullopt when absent / not an object.
std::optional<std::string> viaParse(std::string_view doc, std::string_view key) {
  auto j = parseJson(doc);
  if (!j || j->t != JVal::T::kObj) return std::nullopt;
  const JVal* m = j->get(key);
  if (!m) return std::nullopt;
  return toJson(*m);
}

TEST(JsonRaw, AgreesWithTheParserWheneverItAnswers) {
  const std::vector<std::string> docs = {
      R"({"event.name":"api_request","model":"claude-opus","input_tokens":"4421"})",
      R"( { "a" : 1 , "b" : [1, {"x": "}"}], "c": {"d": "e\"f"} } )",
      R"({"dup":"first","dup":"second"})",
      R"({"esc":"tab\there","uni":"caf\u00e9","raw":"café"})",
      R"({"n":-0,"big":123456789012345678901,"r":1.50,"t":true,"f":false,"z":null})",
      R"({})",
      R"({"k\"q":1,"k":2})",
      R"({"unterminated":"abc)",
      R"({"a":1} trailing)",
      R"([1,2,3])",
      R"({"a":"\\"})",
      R"({"a":"x\\\"y","b":"z"})",
  };
  const std::vector<std::string> keys = {
      "event.name", "model", "input_tokens", "a", "b", "c", "dup", "esc", "uni",
      "raw",        "n",     "big",          "r", "t", "f", "z",   "k",   "missing",
      "k\"q"};
  int answered = 0;
  for (const auto& doc : docs) {
    for (const auto& key : keys) {
      auto raw = findMemberRaw(doc, key);
      if (!raw) continue;
      ++answered;
      auto slow = viaParse(doc, key);
      if (raw->status == RawLookup::kAbsent) {
        EXPECT_FALSE(slow.has_value()) << doc << " [" << key << "]";
        continue;
      }
      ASSERT_TRUE(slow.has_value()) << doc << " [" << key << "]";
      // Raw text equals the re-serialised value only for canonical scalars; for others the
      // parsed value of the raw text must equal the slow answer.
      auto reparsed = parseJson(raw->value);
      ASSERT_TRUE(reparsed.has_value()) << raw->value;
      EXPECT_EQ(toJson(*reparsed), *slow) << doc << " [" << key << "]";
    }
  }
  EXPECT_GT(answered, 40);  // the fast path really is taken on ordinary objects
}

TEST(JsonRaw, LastDuplicateWinsLikeTheParser) {
  auto m = findMemberRaw(R"({"dup":"first","x":1,"dup":"second"})", "dup");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->value, "\"second\"");
}

TEST(JsonRaw, DeclinesWhatItCannotDecide) {
  EXPECT_FALSE(findMemberRaw(R"({"a":"b")", "a").has_value());      // truncated
  EXPECT_FALSE(findMemberRaw(R"({"a":"b"} x)", "a").has_value());   // trailing bytes
  EXPECT_FALSE(findMemberRaw(R"({"\u0061":1})", "a").has_value());  // escaped key
  EXPECT_FALSE(findMemberRaw(R"(["a"])", "a").has_value());         // not an object
  EXPECT_FALSE(plainStringRaw(R"("a\"b")").has_value());            // needs unescaping
  EXPECT_EQ(plainStringRaw(R"("plain text")").value_or(""), "plain text");
}

}  // namespace
}  // namespace agentgate::kql
