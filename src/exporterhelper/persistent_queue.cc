#include "exporterhelper/persistent_queue.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/logging.h"
#include "exporterhelper/crc32c.h"

namespace agentgate::exporterhelper {
namespace {

namespace fs = std::filesystem;

constexpr size_t kHeaderBytes = 12;
constexpr size_t kBodyPrefixBytes = 10;  // version, signal, enqueue time
constexpr uint8_t kVersion = 1;
constexpr uint32_t kMaxBodyBytes = 1u << 30;

void putU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void putU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t getU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint64_t getU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string errnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string segmentName(uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx.seg", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<uint64_t> parseSegmentName(const std::string& name) {
  if (name.size() != 20 || name.substr(16) != ".seg") return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

bool writeAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool readAll(int fd, std::string& out) {
  out.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) return true;
    out.append(buf, static_cast<size_t>(r));
  }
}

bool preadAll(int fd, char* p, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
    off += static_cast<uint64_t>(r);
  }
  return true;
}

void fsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string frameFor(std::string_view body) {
  std::string frame;
  frame.reserve(kHeaderBytes + body.size());
  std::string len;
  putU32(len, static_cast<uint32_t>(body.size()));
  frame += len;
  putU32(frame, crc32c(len));
  putU32(frame, crc32c(body));
  frame.append(body);
  return frame;
}

// A body is well-formed when it has the prefix, a known version and a known signal.
bool parseBody(std::string_view body, Signal& signal, int64_t& ts) {
  if (body.size() < kBodyPrefixBytes) return false;
  if (static_cast<uint8_t>(body[0]) != kVersion) return false;
  auto s = static_cast<uint8_t>(body[1]);
  if (s > static_cast<uint8_t>(Signal::kMetrics)) return false;
  signal = static_cast<Signal>(s);
  ts = static_cast<int64_t>(getU64(body.data() + 2));
  return true;
}

}  // namespace

std::string_view fsyncPolicyName(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kInterval:
      return "interval";
    case FsyncPolicy::kNever:
      return "never";
  }
  return "always";
}

struct PersistentQueue::File {
  int fd = -1;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

Result<std::unique_ptr<PersistentQueue>> PersistentQueue::open(QueueOptions options) {
  if (options.directory.empty()) return Error::config("persistent queue: no directory");
  std::unique_ptr<PersistentQueue> q(new PersistentQueue(std::move(options)));
  if (Status st = q->recover(); !st.ok()) return st.takeError();
  if (q->options_.fsync == FsyncPolicy::kInterval && !q->options_.read_only)
    q->fsync_thread_ = std::thread([p = q.get()] { p->fsyncLoop(); });
  return q;
}

PersistentQueue::~PersistentQueue() {
  close();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // open() failed after taking the lock
}

Status PersistentQueue::recover() {
  const std::string& dir = options_.directory;
  std::error_code ec;
  if (!options_.read_only) {
    fs::create_directories(dir, ec);
    if (ec) return Error::io("cannot create queue directory " + dir + ": " + ec.message());
  } else if (!fs::is_directory(dir, ec)) {
    return Error::io("no queue directory " + dir);
  }
  if (!options_.read_only) {
    // One owner per queue: a second collector on the same data directory (or `queue drain`
    // while the collector runs) would interleave writes and acknowledgements. The kernel drops
    // the lock when the owner dies, so kill -9 never leaves it stale.
    const std::string lock_path = dir + "/lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return Error::io(errnoText("cannot open", lock_path));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
      return Error::io("queue directory " + dir + " is in use by another process");
  }

  // Cursor: segment and offset below which every record is acknowledged.
  uint64_t cursor_seq = 0, cursor_off = 0;
  {
    int fd = ::open((dir + "/cursor").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      std::string c;
      if (readAll(fd, c) && c.size() == 20 &&
          getU32(c.data() + 16) == crc32c(std::string_view(c).substr(0, 16))) {
        cursor_seq = getU64(c.data());
        cursor_off = getU64(c.data() + 8);
      }
      ::close(fd);
    }
  }

  std::vector<uint64_t> seqs;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    if (auto seq = parseSegmentName(entry.path().filename().string())) seqs.push_back(*seq);
  }
  if (ec) return Error::io("cannot list queue directory " + dir + ": " + ec.message());
  std::sort(seqs.begin(), seqs.end());

  std::vector<std::string> salvaged;  // bodies of intact records from quarantined segments
  uint64_t max_seq = 0;
  for (uint64_t seq : seqs) {
    max_seq = std::max(max_seq, seq);
    const std::string path = dir + "/" + segmentName(seq);
    ++recovery_.segments;
    if (seq < cursor_seq) {  // fully acknowledged; its deletion was interrupted
      if (!options_.read_only) ::unlink(path.c_str());
      continue;
    }
    int fd = ::open(path.c_str(), (options_.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) return Error::io(errnoText("cannot open", path));
    auto file = std::make_shared<File>();
    file->fd = fd;
    std::string data;
    if (!readAll(fd, data)) return Error::io(errnoText("cannot read", path));

    const uint64_t skip_below = seq == cursor_seq ? cursor_off : 0;
    std::vector<Loc> locs;
    size_t pos = 0;
    bool damaged = false, torn = false;
    while (pos < data.size()) {
      const size_t left = data.size() - pos;
      if (left < kHeaderBytes) {
        torn = true;
        break;
      }
      const char* h = data.data() + pos;
      const uint32_t len = getU32(h);
      if (getU32(h + 4) != crc32c(std::string_view(h, 4))) {
        // A header that does not check out: zeros to the end are a torn write (the file grew but
        // the data never reached the disk); anything else means the framing is lost.
        if (std::all_of(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end(),
                        [](char c) { return c == 0; })) {
          torn = true;
        } else {
          damaged = true;
          ++recovery_.corrupt_records;
          recovery_.lost_bytes += left;
        }
        break;
      }
      if (len > kMaxBodyBytes || len > left - kHeaderBytes) {
        torn = true;  // the header made it to disk, the body did not
        break;
      }
      std::string_view body(h + kHeaderBytes, len);
      Signal signal = Signal::kLogs;
      int64_t ts = 0;
      if (getU32(h + 8) != crc32c(body) || !parseBody(body, signal, ts)) {
        damaged = true;  // framing intact: skip just this record
        ++recovery_.corrupt_records;
      } else if (pos >= skip_below) {
        locs.push_back(Loc{{seq, pos}, static_cast<uint32_t>(kHeaderBytes + len), ts});
      }
      pos += kHeaderBytes + len;
    }

    if (damaged) {
      if (options_.read_only) {
        ++recovery_.quarantined_segments;
        // Inspect reports the damage but still lists what can be read.
      } else {
        for (const Loc& l : locs)
          salvaged.emplace_back(
              data.substr(l.id.offset + kHeaderBytes, l.frame_len - kHeaderBytes));
        recovery_.salvaged_records += locs.size();
        ++recovery_.quarantined_segments;
        fs::create_directories(dir + "/quarantine", ec);
        const std::string target = dir + "/quarantine/" + segmentName(seq);
        if (::rename(path.c_str(), target.c_str()) != 0)
          return Error::io(errnoText("cannot quarantine", path));
        continue;
      }
    }
    if (torn) {
      ++recovery_.torn_tails;
      recovery_.torn_bytes += data.size() - pos;
      if (!options_.read_only && ::ftruncate(fd, static_cast<off_t>(pos)) != 0)
        return Error::io(errnoText("cannot truncate", path));
    }
    if (locs.empty() && !options_.read_only) {
      ::unlink(path.c_str());  // nothing left to deliver
      continue;
    }
    Segment& seg = segments_[seq];
    seg.seq = seq;
    seg.file = std::move(file);
    seg.size = torn ? pos : data.size();
    seg.sealed = true;
    seg.records = locs.size();
    seg.committed = skip_below;
    for (const Loc& l : locs) {
      pending_.push_back(l);
      ++records_;
      bytes_ += l.frame_len;
    }
  }
  recovery_.records = records_;

  if (options_.read_only) return {};
  const std::string cursor_path = dir + "/cursor";
  cursor_fd_ = ::open(cursor_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (cursor_fd_ < 0) return Error::io(errnoText("cannot open", cursor_path));
  if (Status st = openHead(max_seq + 1); !st.ok()) return st;
  for (const std::string& body : salvaged) {
    Signal s = Signal::kLogs;
    int64_t ts = 0;
    (void)parseBody(body, s, ts);
    if (Status st = appendLocked(body, ts); !st.ok()) return st;
  }
  recovery_.records = records_;
  if (options_.fsync != FsyncPolicy::kNever) {
    if (head_ != nullptr) ::fdatasync(head_->file->fd);
    fsyncDir(dir);
  }
  if (recovery_.torn_tails || recovery_.quarantined_segments) {
    log::warn(
        "persistent queue {}: repaired on open: {} torn tail(s) truncated ({} bytes), {} damaged "
        "segment(s) moved to quarantine/ ({} corrupt record(s), {} intact record(s) re-queued)",
        dir, recovery_.torn_tails, recovery_.torn_bytes, recovery_.quarantined_segments,
        recovery_.corrupt_records, recovery_.salvaged_records);
  }
  return {};
}

Status PersistentQueue::openHead(uint64_t seq) {
  const std::string path = options_.directory + "/" + segmentName(seq);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Error::io(errnoText("cannot create", path));
  if (options_.fsync != FsyncPolicy::kNever) fsyncDir(options_.directory);
  Segment& seg = segments_[seq];
  seg.seq = seq;
  seg.file = std::make_shared<File>();
  seg.file->fd = fd;
  head_ = &seg;
  return {};
}

Status PersistentQueue::appendLocked(std::string_view body, int64_t enqueued_unix_ms) {
  const std::string frame = frameFor(body);
  if (head_->size > 0 && head_->size + frame.size() > options_.segment_bytes) {
    // Seal: its records must be durable before the next segment takes the writes, because the
    // group commit only ever syncs the head.
    if (options_.fsync != FsyncPolicy::kNever) ::fdatasync(head_->file->fd);
    Segment* old = head_;
    old->sealed = true;
    if (Status st = openHead(old->seq + 1); !st.ok()) {
      old->sealed = false;
      head_ = old;
      return Error::unavailable(st.error().message, options_.full_retry_after);
    }
    maybeDeleteLocked(*old);
  }
  const int fd = head_->file->fd;
  if (!writeAll(fd, frame.data(), frame.size())) {
    Error e = Error::unavailable(errnoText("cannot append to", options_.directory),
                                 options_.full_retry_after);
    // Nothing half-written: a partial frame would read back as a torn tail, but cut it now.
    if (::ftruncate(fd, static_cast<off_t>(head_->size)) != 0) {
      log::error("persistent queue {}: cannot truncate after a failed write: {}",
                 options_.directory, std::strerror(errno));
    }
    return e;
  }
  Loc loc{{head_->seq, head_->size}, static_cast<uint32_t>(frame.size()), enqueued_unix_ms};
  head_->size += frame.size();
  ++head_->records;
  ++records_;
  bytes_ += frame.size();
  pending_.push_back(loc);
  ++write_seq_;
  cv_.notify_one();
  return {};
}

Status PersistentQueue::append(Signal signal, std::string_view payload, int64_t now_unix_ms) {
  std::string body;
  body.reserve(kBodyPrefixBytes + payload.size());
  body.push_back(static_cast<char>(kVersion));
  body.push_back(static_cast<char>(signal));
  putU64(body, static_cast<uint64_t>(now_unix_ms));
  body.append(payload);
  if (body.size() > kMaxBodyBytes) return Error::invalid("batch too large for the queue");

  uint64_t my_seq = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_ || options_.read_only || head_ == nullptr)
      return Error::unavailable("sending queue is closed", options_.full_retry_after);
    const uint64_t frame = kHeaderBytes + body.size();
    if (records_ + 1 > options_.max_records || bytes_ + frame > options_.max_bytes)
      return Error::unavailable("sending queue is full", options_.full_retry_after);
    if (Status st = appendLocked(body, now_unix_ms); !st.ok()) return st;
    my_seq = write_seq_;
  }
  if (options_.fsync == FsyncPolicy::kAlways) return syncTo(my_seq);
  return {};
}

Status PersistentQueue::syncTo(uint64_t write_seq) {
  std::unique_lock lock(sync_mu_);
  while (synced_seq_ < write_seq) {
    if (sync_running_) {
      sync_cv_.wait(lock);
      continue;
    }
    sync_running_ = true;
    lock.unlock();
    uint64_t target = 0;
    std::shared_ptr<File> file;
    {
      std::lock_guard g(mu_);
      target = write_seq_;
      if (head_ != nullptr) file = head_->file;
    }
    const int rc = file ? ::fdatasync(file->fd) : 0;
    const int err = errno;
    lock.lock();
    sync_running_ = false;
    if (rc == 0) synced_seq_ = std::max(synced_seq_, target);
    sync_cv_.notify_all();
    if (rc != 0) {
      return Error::unavailable(std::string("fdatasync failed: ") + std::strerror(err),
                                options_.full_retry_after);
    }
  }
  return {};
}

void PersistentQueue::fsyncLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_) {
    stop_cv_.wait_for(lock, options_.fsync_interval);
    if (stop_) break;
    lock.unlock();
    uint64_t seq;
    {
      std::lock_guard g(mu_);
      seq = write_seq_;
    }
    (void)syncTo(seq);
    lock.lock();
  }
}

std::optional<QueueItem> PersistentQueue::next(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::unique_lock lock(mu_);
  for (;;) {
    if (!cv_.wait_until(lock, deadline, [&] { return interrupted_ || !pending_.empty(); }))
      return std::nullopt;
    if (interrupted_) return std::nullopt;
    Loc loc = pending_.front();
    pending_.pop_front();
    in_flight_[loc.id] = loc;
    auto it = segments_.find(loc.id.segment);
    std::shared_ptr<File> file = it == segments_.end() ? nullptr : it->second.file;
    lock.unlock();

    std::string frame(loc.frame_len, '\0');
    QueueItem item;
    bool good = file && preadAll(file->fd, frame.data(), frame.size(), loc.id.offset);
    if (good) {
      std::string_view body = std::string_view(frame).substr(kHeaderBytes);
      good = getU32(frame.data()) == body.size() && getU32(frame.data() + 8) == crc32c(body) &&
             parseBody(body, item.signal, item.enqueued_unix_ms);
      if (good) {
        item.id = loc.id;
        item.payload = std::string(body.substr(kBodyPrefixBytes));
        return item;
      }
    }
    // Damaged after open (or unreadable): counted and skipped, the queue must keep moving.
    lock.lock();
    ++corrupt_reads_;
    ackLocked(loc.id);
  }
}

void PersistentQueue::ack(const RecordId& id) {
  std::lock_guard lock(mu_);
  ackLocked(id);
}

void PersistentQueue::ackLocked(const RecordId& id) {
  auto fl = in_flight_.find(id);
  if (fl == in_flight_.end()) return;  // unknown or acknowledged twice
  const Loc loc = fl->second;
  in_flight_.erase(fl);
  --records_;
  bytes_ -= loc.frame_len;
  auto it = segments_.find(id.segment);
  if (it == segments_.end()) return;
  Segment& seg = it->second;
  ++seg.acked;
  if (id.offset == seg.committed) {
    seg.committed = id.offset + loc.frame_len;
    for (auto a = seg.acked_ahead.begin(); a != seg.acked_ahead.end() && a->first == seg.committed;
         a = seg.acked_ahead.erase(a)) {
      seg.committed = a->second;
    }
  } else {
    seg.acked_ahead[id.offset] = id.offset + loc.frame_len;
  }
  // The cursor only moves when the oldest segment's acknowledged prefix grows or it is deleted.
  const bool oldest = it == segments_.begin();
  maybeDeleteLocked(seg);
  if (oldest) persistCursorLocked();
}

void PersistentQueue::maybeDeleteLocked(Segment& seg) {
  if (!seg.sealed || seg.acked < seg.records || &seg == head_) return;
  const std::string path = options_.directory + "/" + segmentName(seg.seq);
  ::unlink(path.c_str());
  segments_.erase(seg.seq);
}

void PersistentQueue::persistCursorLocked() {
  if (options_.read_only || segments_.empty()) return;
  const Segment& first = segments_.begin()->second;
  std::string c;
  putU64(c, first.seq);
  putU64(c, first.committed);
  putU32(c, crc32c(c));
  if (c == cursor_written_) return;
  // One 20-byte pwrite in place, on every advance: cheap enough, and after kill -9 the page cache
  // has it. Not fsync'ed: a cursor that lags behind after a power loss only means duplicates, and
  // a torn one fails its checksum and is ignored (everything unacknowledged is delivered again).
  if (cursor_fd_ >= 0 && ::pwrite(cursor_fd_, c.data(), c.size(), 0) == ssize_t(c.size()))
    cursor_written_ = c;
}

void PersistentQueue::interrupt() {
  std::lock_guard lock(mu_);
  interrupted_ = true;
  cv_.notify_all();
}

void PersistentQueue::close() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
    stop_cv_.notify_all();
  }
  if (fsync_thread_.joinable()) fsync_thread_.join();
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  interrupted_ = true;
  cv_.notify_all();
  if (options_.read_only) return;
  if (head_ != nullptr && options_.fsync != FsyncPolicy::kNever) ::fdatasync(head_->file->fd);
  persistCursorLocked();
  if (cursor_fd_ >= 0) {
    if (options_.fsync != FsyncPolicy::kNever) ::fdatasync(cursor_fd_);
    ::close(cursor_fd_);
    cursor_fd_ = -1;
  }
  segments_.clear();  // closes the segment files before the lock goes
  head_ = nullptr;
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

QueueStats PersistentQueue::stats() const {
  std::lock_guard lock(mu_);
  QueueStats s;
  s.records = records_;
  s.bytes = bytes_;
  s.in_flight = in_flight_.size();
  s.segments = segments_.size();
  s.corrupt_reads = corrupt_reads_;
  int64_t oldest = 0;
  if (!in_flight_.empty()) oldest = in_flight_.begin()->second.enqueued_unix_ms;
  if (!pending_.empty() && (oldest == 0 || pending_.front().enqueued_unix_ms < oldest))
    oldest = pending_.front().enqueued_unix_ms;
  s.oldest_unix_ms = oldest;
  return s;
}

}  // namespace agentgate::exporterhelper
