// PersistentQueue: the per-exporter segment log behind "acknowledged data is never lost"
// (DESIGN sections 2 and 7). Records are serialized OTLP protobuf batches appended to segment
// files; consumers read them, export, and acknowledge; a segment file is deleted once every record
// in it is acknowledged. Records handed out but not acknowledged before a crash are delivered
// again after restart (at-least-once).
//
// On disk, in `directory`:
//   <16 hex digits>.seg   segments, in sequence order; each is a series of frames:
//                         u32 body length | u32 crc32c(length bytes) | u32 crc32c(body) | body
//                         body = u8 version (1) | u8 signal | i64 enqueue time (unix ms) | OTLP
//   cursor                durable read cursor: every record before (segment, offset) is
//                         acknowledged (u64 segment | u64 offset | u32 crc32c, rewritten in place
//                         as acknowledgements advance; a stale cursor only causes duplicates)
//   quarantine/           damaged segments moved aside on open, for forensics
//   lock                  flock'ed by the owning process
// Integers are little-endian.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agentgate/result.h"
#include "agentgate/signal.h"

namespace agentgate::exporterhelper {

enum class FsyncPolicy { kAlways, kInterval, kNever };

std::string_view fsyncPolicyName(FsyncPolicy p);

struct QueueOptions {
  std::string directory;
  uint64_t max_records = 1000;          // sending_queue.queue_size (batches)
  uint64_t max_bytes = 1024ull << 20;   // byte budget of unacknowledged frames
  uint64_t segment_bytes = 8ull << 20;  // a segment is sealed once it reaches this size
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  std::chrono::milliseconds fsync_interval{1000};  // FsyncPolicy::kInterval
  std::chrono::seconds full_retry_after{1};        // Retry-After given to clients when full
  bool read_only = false;  // inspect: no truncation, no quarantine, no new segment
};

struct RecordId {
  uint64_t segment = 0;
  uint64_t offset = 0;
  auto operator<=>(const RecordId&) const = default;
};

struct QueueItem {
  RecordId id;
  Signal signal = Signal::kLogs;
  int64_t enqueued_unix_ms = 0;
  std::string payload;  // serialized Export*ServiceRequest
};

// What open() found and repaired; logged once, exported as counters.
struct RecoveryReport {
  uint64_t segments = 0;              // segment files found
  uint64_t records = 0;               // unacknowledged records found (to be delivered)
  uint64_t torn_tails = 0;            // segments whose incomplete tail was truncated
  uint64_t torn_bytes = 0;            // bytes cut off by those truncations
  uint64_t quarantined_segments = 0;  // damaged segments moved to quarantine/
  uint64_t corrupt_records = 0;       // records lost to damage (checksum mismatch)
  uint64_t lost_bytes = 0;            // bytes after a damaged frame header (unreadable)
  uint64_t salvaged_records = 0;      // intact records of quarantined segments, re-queued
};

struct QueueStats {
  uint64_t records = 0;    // unacknowledged (pending + in flight)
  uint64_t bytes = 0;      // their frame bytes
  uint64_t in_flight = 0;  // handed to consumers, not yet acknowledged
  uint64_t segments = 0;
  int64_t oldest_unix_ms = 0;  // enqueue time of the oldest unacknowledged record (0 = empty)
  uint64_t corrupt_reads = 0;  // records that failed their checksum when read back (dropped)
};

class PersistentQueue {
 public:
  // Opens (creating) the directory, recovers the segments and starts a fresh write segment.
  static Result<std::unique_ptr<PersistentQueue>> open(QueueOptions options);
  ~PersistentQueue();
  PersistentQueue(const PersistentQueue&) = delete;
  PersistentQueue& operator=(const PersistentQueue&) = delete;

  // Appends one record. Returns only once the record is as durable as the policy says
  // (kAlways: fdatasync'ed, shared with concurrent appenders; otherwise written to the page
  // cache, which survives kill -9). A full queue or a failed write is a retryable error with
  // retry_after, and leaves nothing half-written.
  Status append(Signal signal, std::string_view payload, int64_t now_unix_ms);

  // The next unacknowledged record not yet handed out, waiting up to `wait`. nullopt on timeout
  // or after interrupt().
  std::optional<QueueItem> next(std::chrono::milliseconds wait);
  // Marks a record handed out by next() as done (delivered or permanently dropped).
  void ack(const RecordId& id);

  // Wakes every next() caller; later calls return nullopt at once.
  void interrupt();
  // Persists the cursor, stops the fsync thread and closes the files. Idempotent.
  void close();

  QueueStats stats() const;
  const RecoveryReport& recovery() const { return recovery_; }
  const QueueOptions& options() const { return options_; }

 private:
  struct File;
  struct Segment {
    uint64_t seq = 0;
    std::shared_ptr<File> file;
    uint64_t size = 0;
    uint64_t records = 0;  // indexed (unacknowledged at open, or appended since)
    uint64_t acked = 0;
    uint64_t committed = 0;                    // all records below this offset are acknowledged
    std::map<uint64_t, uint64_t> acked_ahead;  // acknowledged [offset, end) beyond `committed`
    bool sealed = false;
  };
  struct Loc {
    RecordId id;
    uint32_t frame_len = 0;
    int64_t enqueued_unix_ms = 0;
  };

  explicit PersistentQueue(QueueOptions options) : options_(std::move(options)) {}
  Status recover();
  Status openHead(uint64_t seq);
  Status appendLocked(std::string_view body, int64_t enqueued_unix_ms);
  Status syncTo(uint64_t write_seq);
  void ackLocked(const RecordId& id);
  void maybeDeleteLocked(Segment& seg);
  void persistCursorLocked();
  void fsyncLoop();

  QueueOptions options_;
  RecoveryReport recovery_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Segment> segments_;
  Segment* head_ = nullptr;
  std::deque<Loc> pending_;
  std::map<RecordId, Loc> in_flight_;
  uint64_t records_ = 0;
  uint64_t bytes_ = 0;
  uint64_t corrupt_reads_ = 0;
  uint64_t write_seq_ = 0;
  bool interrupted_ = false;
  bool closed_ = false;
  int cursor_fd_ = -1;
  int lock_fd_ = -1;
  std::string cursor_written_;  // last cursor bytes written (skip identical rewrites)

  // Group commit: one appender fsyncs for everyone who wrote before it started.
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  uint64_t synced_seq_ = 0;
  bool sync_running_ = false;

  std::thread fsync_thread_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
};

}  // namespace agentgate::exporterhelper
