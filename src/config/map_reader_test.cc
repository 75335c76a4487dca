#include "config/map_reader.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace agentgate::config {
namespace {

using std::chrono::nanoseconds;
using namespace std::chrono_literals;

ConfigNode parse(std::string_view text) {
  Diagnostics diags;
  ConfigNode root = parseYaml(
      text, "m.yaml", [](std::string_view) { return std::nullopt; }, diags);
  EXPECT_FALSE(diags.hasErrors()) << diags.report();
  return root;
}

TEST(MapReaderTest, ReadsEveryType) {
  ConfigNode root = parse(
      "s: hello\n"
      "b1: true\n"
      "b2: False\n"
      "i64: -9223372036854775808\n"
      "i: 0x10\n"
      "u32: 4294967295\n"
      "u64: 18446744073709551615\n"
      "d: 2.5\n"
      "d2: 3\n"
      "list: [a, b]\n"
      "map: {x: '1', y: }\n"
      "dur: 1m30s\n"
      "dur_ns: 250\n"
      "mode: Normal\n"
      "absent_null:\n");
  Diagnostics diags;
  MapReader r(root, diags);
  std::string s;
  bool b1 = false, b2 = true;
  int64_t i64 = 0;
  int i = 0;
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  double d = 0, d2 = 0;
  std::vector<std::string> list;
  std::map<std::string, std::string> map;
  nanoseconds dur{0}, dur_ns{0};
  std::string mode;
  EXPECT_TRUE(r.read("s", s));
  EXPECT_TRUE(r.read("b1", b1));
  EXPECT_TRUE(r.read("b2", b2));
  EXPECT_TRUE(r.read("i64", i64));
  EXPECT_TRUE(r.read("i", i));
  EXPECT_TRUE(r.read("u32", u32));
  EXPECT_TRUE(r.read("u64", u64));
  EXPECT_TRUE(r.read("d", d));
  EXPECT_TRUE(r.read("d2", d2));
  EXPECT_TRUE(r.read("list", list));
  EXPECT_TRUE(r.read("map", map));
  EXPECT_TRUE(r.readDuration("dur", dur));
  EXPECT_TRUE(r.readDuration("dur_ns", dur_ns));
  EXPECT_TRUE(r.readEnum("mode", mode, {"basic", "normal", "detailed"}));
  std::string keep = "default";
  EXPECT_FALSE(r.read("absent_null", keep));
  EXPECT_FALSE(r.read("not_there", keep));
  EXPECT_EQ(keep, "default");
  r.finish();
  EXPECT_FALSE(diags.hasErrors()) << diags.report();

  EXPECT_EQ(s, "hello");
  EXPECT_TRUE(b1);
  EXPECT_FALSE(b2);
  EXPECT_EQ(i64, INT64_MIN);
  EXPECT_EQ(i, 16);
  EXPECT_EQ(u32, 4294967295u);
  EXPECT_EQ(u64, UINT64_MAX);
  EXPECT_DOUBLE_EQ(d, 2.5);
  EXPECT_DOUBLE_EQ(d2, 3);
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(map, (std::map<std::string, std::string>{{"x", "1"}, {"y", ""}}));
  EXPECT_EQ(dur, 90s);
  EXPECT_EQ(dur_ns, 250ns);
  EXPECT_EQ(mode, "normal");
}

TEST(MapReaderTest, TypeErrorsNamePositionAndExpectation) {
  ConfigNode root = parse(
      "b: yes\n"
      "i: 1.5\n"
      "neg: -1\n"
      "big: 2147483648\n"
      "d: abc\n"
      "s: {a: 1}\n"
      "list: x\n"
      "list2: [a, {b: 1}]\n"
      "map: [1]\n"
      "dur: 5x\n"
      "dur2: -1s\n"
      "mode: loud\n");
  Diagnostics diags;
  MapReader r(root, diags);
  bool b = true;
  int i = 7, big = 0;
  uint32_t neg = 0;
  double d = 0;
  std::string s, mode;
  std::vector<std::string> list, list2;
  std::map<std::string, std::string> map;
  nanoseconds dur{0}, dur2{0};
  EXPECT_FALSE(r.read("b", b));
  EXPECT_FALSE(r.read("i", i));
  EXPECT_FALSE(r.read("neg", neg));
  EXPECT_FALSE(r.read("big", big));
  EXPECT_FALSE(r.read("d", d));
  EXPECT_FALSE(r.read("s", s));
  EXPECT_FALSE(r.read("list", list));
  EXPECT_FALSE(r.read("list2", list2));
  EXPECT_FALSE(r.read("map", map));
  EXPECT_FALSE(r.readDuration("dur", dur));
  EXPECT_FALSE(r.readDuration("dur2", dur2));
  EXPECT_FALSE(r.readEnum("mode", mode, {"basic", "normal"}));
  r.finish();
  EXPECT_TRUE(b);
  EXPECT_EQ(i, 7);
  EXPECT_TRUE(list2.empty());
  EXPECT_EQ(diags.report(),
            "m.yaml:1:4: b: expected a boolean (true or false), got \"yes\"\n"
            "m.yaml:2:4: i: expected an integer between -2147483648 and 2147483647, got \"1.5\"\n"
            "m.yaml:3:6: neg: expected a non-negative integer up to 4294967295, got \"-1\"\n"
            "m.yaml:4:6: big: expected an integer between -2147483648 and 2147483647, got "
            "\"2147483648\"\n"
            "m.yaml:5:4: d: expected a number, got \"abc\"\n"
            "m.yaml:6:1: s: expected a string, got a map\n"
            "m.yaml:7:7: list: expected a list of strings, got \"x\"\n"
            "m.yaml:8:12: list2[1]: expected a string, got a map\n"
            "m.yaml:9:1: map: expected a map of strings, got a list\n"
            "m.yaml:10:6: dur: invalid duration \"5x\" (expected a number with a unit: ns, us, ms, "
            "s, m or h, e.g. \"5s\", \"200ms\", \"1m30s\")\n"
            "m.yaml:11:7: dur2: duration \"-1s\" must not be negative\n"
            "m.yaml:12:7: mode: invalid value \"loud\" (expected one of: basic, normal)\n");
}

TEST(MapReaderTest, UnknownKeysChildIgnoreAndError) {
  ConfigNode root = parse(
      "protocols:\n"
      "  http:\n"
      "    endpointt: x\n"
      "kept: 1\n"
      "legacy: 2\n"
      "typo: 3\n");
  Diagnostics diags;
  MapReader r(root, diags);
  const ConfigNode* protocols = r.child("protocols");
  ASSERT_NE(protocols, nullptr);
  MapReader pr(*protocols, diags);
  const ConfigNode* http = pr.child("http");
  ASSERT_NE(http, nullptr);
  MapReader hr(*http, diags);
  std::string endpoint = "default";
  hr.read("endpoint", endpoint);
  hr.finish();
  pr.finish();
  int kept = 0;
  r.read("kept", kept);
  r.ignore("legacy");
  EXPECT_TRUE(r.has("kept"));
  EXPECT_FALSE(r.has("missing"));
  EXPECT_EQ(r.child("missing"), nullptr);
  r.error("kept", "must be even");
  r.error("endpoint", "is required");
  r.finish();
  EXPECT_EQ(endpoint, "default");
  EXPECT_EQ(diags.report(),
            "m.yaml:1:1: endpoint: is required\n"
            "m.yaml:3:16: protocols.http.endpointt: unknown key \"endpointt\"\n"
            "m.yaml:4:7: kept: must be even\n"
            "m.yaml:6:7: typo: unknown key \"typo\"\n");
}

TEST(MapReaderTest, NullNodeKeepsDefaultsAndScalarNodeIsAnError) {
  Diagnostics diags;
  ConfigNode null_node = ConfigNode::null(Mark{"m.yaml", 2, 3}, "exporters.debug");
  MapReader r(null_node, diags);
  std::string v = "d";
  EXPECT_FALSE(r.read("verbosity", v));
  r.finish();
  EXPECT_FALSE(diags.hasErrors());
  EXPECT_EQ(v, "d");

  ConfigNode scalar = ConfigNode::scalar("oops", Mark{"m.yaml", 4, 9}, "exporters.debug");
  MapReader r2(scalar, diags);
  EXPECT_FALSE(r2.read("verbosity", v));
  r2.finish();
  EXPECT_EQ(diags.report(), "m.yaml:4:9: exporters.debug: expected a map, got \"oops\"\n");
}

TEST(DurationTest, GoGrammar) {
  struct Case {
    const char* text;
    int64_t ns;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"0", 0},
           {"5s", 5'000'000'000},
           {"200ms", 200'000'000},
           {"1m30s", 90'000'000'000},
           {"1h", 3'600'000'000'000},
           {"1h30m", 5'400'000'000'000},
           {"1.5s", 1'500'000'000},
           {".5s", 500'000'000},
           {"1.s", 1'000'000'000},
           {"10us", 10'000},
           {"10\xC2\xB5s", 10'000},  // U+00B5 micro sign
           {"10\xCE\xBCs", 10'000},  // U+03BC Greek mu
           {"7ns", 7},
           {"1h2m3s4ms5us6ns", 3'723'004'005'006},
           {"-1.5h", -5'400'000'000'000},
           {"+3s", 3'000'000'000},
           {"2562047h47m16.854775807s", INT64_MAX},
           {"-2562047h47m16.854775808s", INT64_MIN},
       }) {
    auto d = parseDuration(c.text);
    ASSERT_TRUE(d.has_value()) << c.text;
    EXPECT_EQ(d->count(), c.ns) << c.text;
  }
  for (const char* bad : {"", "5", "s", "-", ".s", "5x", "1h 30m", "5S", "1..5s", "9999999999999h",
                          "2562047h47m16.854775808s", "1e3s", " 5s"}) {
    EXPECT_FALSE(parseDuration(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace agentgate::config
