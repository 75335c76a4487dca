#include "exporterhelper/persistent_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "exporterhelper/crc32c.h"
#include "exporterhelper/test_util.h"

namespace agentgate::exporterhelper {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

std::unique_ptr<PersistentQueue> openQueue(const std::string& dir, uint64_t segment_bytes = 1 << 20,
                                           FsyncPolicy fsync = FsyncPolicy::kNever) {
  QueueOptions o;
  o.directory = dir;
  o.segment_bytes = segment_bytes;
  o.fsync = fsync;
  o.max_records = 100000;
  auto q = PersistentQueue::open(o);
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return q.ok() ? std::move(q.value()) : nullptr;
}

std::vector<fs::path> segmentFiles(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".seg") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Drains every available record, acknowledging each; returns the payloads.
std::vector<std::string> drainAll(PersistentQueue& q, bool ack = true) {
  std::vector<std::string> out;
  while (auto item = q.next(std::chrono::milliseconds(0))) {
    out.push_back(item->payload);
    if (ack) q.ack(item->id);
  }
  return out;
}

TEST(Crc32cTest, KnownVector) {
  // RFC 3720 B.4 check value for "123456789".
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
}

TEST(PersistentQueueTest, AppendReadAckInOrderWithSignalAndTime) {
  ScratchDir dir;
  auto q = openQueue(dir.path());
  ASSERT_TRUE(q->append(Signal::kTraces, "one", 1234).ok());
  ASSERT_TRUE(q->append(Signal::kMetrics, "two", 1235).ok());
  EXPECT_EQ(q->stats().records, 2u);
  auto a = q->next(std::chrono::milliseconds(0));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->payload, "one");
  EXPECT_EQ(a->signal, Signal::kTraces);
  EXPECT_EQ(a->enqueued_unix_ms, 1234);
  EXPECT_EQ(q->stats().oldest_unix_ms, 1234);
  auto b = q->next(std::chrono::milliseconds(0));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->payload, "two");
  EXPECT_FALSE(q->next(std::chrono::milliseconds(0)).has_value());
  q->ack(b->id);
  q->ack(a->id);
  q->ack(a->id);  // twice: ignored
  EXPECT_EQ(q->stats().records, 0u);
  EXPECT_EQ(q->stats().bytes, 0u);
}

TEST(PersistentQueueTest, ReopenRedeliversUnacknowledgedOnly) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    for (int i = 0; i < 10; ++i)
      ASSERT_TRUE(q->append(Signal::kLogs, "r" + std::to_string(i), 1).ok());
    // Acknowledge r0..r3 and r5; r4 and r6 are in flight when the "crash" happens.
    std::vector<QueueItem> items;
    for (int i = 0; i < 7; ++i) items.push_back(*q->next(std::chrono::milliseconds(0)));
    for (int i : {0, 1, 2, 3, 5}) q->ack(items[i].id);
    q->close();
  }
  auto q = openQueue(dir.path());
  // The durable cursor stops at r4 (the first unacknowledged record): r5, acknowledged out of
  // order, comes back as a duplicate (at-least-once), the in-flight r4 and r6 and the never
  // delivered r7..r9 come back too.
  EXPECT_EQ(q->recovery().records, 6u);
  auto got = drainAll(*q);
  std::set<std::string> s(got.begin(), got.end());
  for (const char* want : {"r4", "r6", "r7", "r8", "r9"}) EXPECT_TRUE(s.count(want)) << want;
  for (const char* acked : {"r0", "r1", "r2", "r3"}) EXPECT_FALSE(s.count(acked)) << acked;
}

TEST(PersistentQueueTest, ReopenWithoutCloseRedeliversInFlight) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    ASSERT_TRUE(q->append(Signal::kLogs, "a", 1).ok());
    ASSERT_TRUE(q->append(Signal::kLogs, "b", 1).ok());
    auto item = q->next(std::chrono::milliseconds(0));
    ASSERT_TRUE(item.has_value());  // handed out, never acknowledged: a crash mid-export
  }
  auto q = openQueue(dir.path());
  EXPECT_EQ(drainAll(*q), (std::vector<std::string>{"a", "b"}));
}

TEST(PersistentQueueTest, FullySentSegmentsAreDeleted) {
  ScratchDir dir;
  auto q = openQueue(dir.path(), /*segment_bytes=*/256);
  const std::string payload(100, 'x');
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(q->append(Signal::kLogs, payload, 1).ok());
  EXPECT_GE(segmentFiles(dir.path()).size(), 8u);
  EXPECT_EQ(drainAll(*q).size(), 20u);
  // Only the write head remains.
  EXPECT_EQ(segmentFiles(dir.path()).size(), 1u);
  EXPECT_EQ(q->stats().segments, 1u);
  q->close();
  q = openQueue(dir.path());
  EXPECT_EQ(q->recovery().records, 0u);
}

TEST(PersistentQueueTest, TornTailIsTruncatedAndTheRestDelivered) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(q->append(Signal::kLogs, "r" + std::to_string(i), 1).ok());
  }
  auto segs = segmentFiles(dir.path());
  ASSERT_EQ(segs.size(), 1u);
  const auto full = fs::file_size(segs[0]);
  // A crash in the middle of the last write: only part of the frame reached the file.
  fs::resize_file(segs[0], full - 3);
  auto q = openQueue(dir.path());
  EXPECT_EQ(q->recovery().torn_tails, 1u);
  EXPECT_EQ(q->recovery().quarantined_segments, 0u);
  EXPECT_EQ(drainAll(*q), (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
}

TEST(PersistentQueueTest, ZeroFilledTailIsATornWrite) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    ASSERT_TRUE(q->append(Signal::kLogs, "r0", 1).ok());
  }
  auto segs = segmentFiles(dir.path());
  {
    std::ofstream f(segs[0], std::ios::binary | std::ios::app);
    f << std::string(40, '\0');
  }
  auto q = openQueue(dir.path());
  EXPECT_EQ(q->recovery().torn_tails, 1u);
  EXPECT_EQ(q->recovery().quarantined_segments, 0u);
  EXPECT_EQ(drainAll(*q), (std::vector<std::string>{"r0"}));
}

TEST(PersistentQueueTest, FlippedByteQuarantinesTheSegmentAndDeliversTheRest) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path(), /*segment_bytes=*/100);
    for (int i = 0; i < 6; ++i)
      ASSERT_TRUE(
          q->append(Signal::kLogs, "record-" + std::to_string(i) + std::string(40, '.'), 1).ok());
  }
  auto segs = segmentFiles(dir.path());
  ASSERT_GE(segs.size(), 3u);
  // Flip one byte inside the payload of the first record of the second segment.
  {
    std::fstream f(segs[1], std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(12 + 12);
    char c;
    f.seekg(12 + 12);
    f.get(c);
    f.seekp(12 + 12);
    f.put(static_cast<char>(c ^ 0x20));
  }
  auto q = openQueue(dir.path(), 100);
  EXPECT_EQ(q->recovery().quarantined_segments, 1u);
  EXPECT_EQ(q->recovery().corrupt_records, 1u);
  EXPECT_TRUE(fs::exists(fs::path(dir.path()) / "quarantine" / segs[1].filename()));
  auto got = drainAll(*q);
  EXPECT_EQ(got.size(), 5u);
  std::set<std::string> s;
  for (auto& g : got) s.insert(g.substr(0, 8));
  EXPECT_FALSE(s.count("record-1"));
  for (const char* want : {"record-0", "record-2", "record-3", "record-4", "record-5"})
    EXPECT_TRUE(s.count(want)) << want;
  // Damage is found once: the next open sees a clean queue.
  q->close();
  q = openQueue(dir.path(), 100);
  EXPECT_EQ(q->recovery().quarantined_segments, 0u);
  EXPECT_EQ(q->recovery().records, 0u);
}

TEST(PersistentQueueTest, DamagedHeaderLosesOnlyTheRestOfThatSegment) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    for (int i = 0; i < 4; ++i)
      ASSERT_TRUE(q->append(Signal::kLogs, "r" + std::to_string(i), 1).ok());
  }
  auto segs = segmentFiles(dir.path());
  const uint64_t frame = 12 + 10 + 2;
  {
    std::fstream f(segs[0], std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(2 * frame));  // length field of r2
    f.put('\x7f');
  }
  auto q = openQueue(dir.path());
  EXPECT_EQ(q->recovery().quarantined_segments, 1u);
  EXPECT_EQ(drainAll(*q), (std::vector<std::string>{"r0", "r1"}));
}

TEST(PersistentQueueTest, FullQueueRefusesWithRetryAfter) {
  ScratchDir dir;
  QueueOptions o;
  o.directory = dir.path();
  o.max_records = 2;
  o.fsync = FsyncPolicy::kNever;
  o.full_retry_after = std::chrono::seconds(7);
  auto q = std::move(PersistentQueue::open(o).value());
  ASSERT_TRUE(q->append(Signal::kLogs, "a", 1).ok());
  ASSERT_TRUE(q->append(Signal::kLogs, "b", 1).ok());
  Status st = q->append(Signal::kLogs, "c", 1);
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.error().permanent);
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(st.error().retry_after, std::chrono::seconds(7));
  EXPECT_NE(st.error().message.find("sending queue is full"), std::string::npos);
  auto a = q->next(std::chrono::milliseconds(0));
  q->ack(a->id);
  EXPECT_TRUE(q->append(Signal::kLogs, "c", 1).ok());

  // Byte budget.
  ScratchDir dir2;
  o.directory = dir2.path();
  o.max_records = 1000;
  o.max_bytes = 100;
  auto q2 = std::move(PersistentQueue::open(o).value());
  ASSERT_TRUE(q2->append(Signal::kLogs, std::string(50, 'x'), 1).ok());
  EXPECT_FALSE(q2->append(Signal::kLogs, std::string(50, 'x'), 1).ok());
}

TEST(PersistentQueueTest, ConcurrentAppendersShareFsyncAndLoseNothing) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path(), 4096, FsyncPolicy::kAlways);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i)
          ASSERT_TRUE(
              q->append(Signal::kLogs, std::to_string(t) + ":" + std::to_string(i), 1).ok());
      });
    for (auto& th : threads) th.join();
  }
  auto q = openQueue(dir.path());
  auto got = drainAll(*q);
  EXPECT_EQ(got.size(), 200u);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 200u);
}

TEST(PersistentQueueTest, IntervalPolicyAndInterruptWakeReaders) {
  ScratchDir dir;
  auto q = openQueue(dir.path(), 1 << 20, FsyncPolicy::kInterval);
  std::thread reader([&] { EXPECT_FALSE(q->next(std::chrono::seconds(30)).has_value()); });
  q->interrupt();
  reader.join();
  EXPECT_TRUE(q->append(Signal::kLogs, "x", 1).ok());
}

TEST(PersistentQueueTest, ReadOnlyOpenRepairsNothing) {
  ScratchDir dir;
  {
    auto q = openQueue(dir.path());
    ASSERT_TRUE(q->append(Signal::kLogs, "r0", 1).ok());
    ASSERT_TRUE(q->append(Signal::kLogs, "r1", 1).ok());
  }
  auto segs = segmentFiles(dir.path());
  const auto full = fs::file_size(segs[0]);
  fs::resize_file(segs[0], full - 1);
  QueueOptions o;
  o.directory = dir.path();
  o.read_only = true;
  auto q = std::move(PersistentQueue::open(o).value());
  EXPECT_EQ(q->recovery().torn_tails, 1u);
  EXPECT_EQ(q->recovery().records, 1u);
  EXPECT_FALSE(q->append(Signal::kLogs, "x", 1).ok());
  EXPECT_EQ(fs::file_size(segs[0]), full - 1);
}

}  // namespace
}  // namespace agentgate::exporterhelper

namespace agentgate::exporterhelper {
namespace {

TEST(PersistentQueueTest, OneOwnerPerDirectory) {
  testing::ScratchDir dir;
  QueueOptions o;
  o.directory = dir.path();
  o.fsync = FsyncPolicy::kNever;
  auto first = PersistentQueue::open(o);
  ASSERT_TRUE(first.ok());
  auto second = PersistentQueue::open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
  QueueOptions ro = o;
  ro.read_only = true;  // inspect may look while the owner runs
  EXPECT_TRUE(PersistentQueue::open(ro).ok());
  first.value()->close();
  EXPECT_TRUE(PersistentQueue::open(o).ok());
}

}  // namespace
}  // namespace agentgate::exporterhelper
