// `agentgate queue inspect|drain --dir DIR`: look into an exporter's persistent sending queue, or
// empty it into OTLP/JSON lines (for a destination that is gone for good). Run them while the
// collector is stopped: the queue directory has a single owner.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "exporterhelper/persistent_queue.h"
#include "pdata/codec.h"
#include "pdata/model.h"

namespace agentgate::cli {
namespace {

using exporterhelper::PersistentQueue;
using exporterhelper::QueueOptions;

struct QueueOpts {
  std::string dir;
  std::string output;  // drain: "" or "-" = stdout
};

int64_t nowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int inspect(const QueueOpts& o) {
  QueueOptions qo;
  qo.directory = o.dir;
  qo.read_only = true;
  auto opened = PersistentQueue::open(qo);
  if (!opened) {
    std::cerr << "agentgate queue inspect: " << opened.error().message << "\n";
    return 1;
  }
  PersistentQueue& q = *opened.value();
  const auto& r = q.recovery();
  const auto stats = q.stats();
  uint64_t records[3] = {}, items[3] = {}, undecodable = 0;
  while (auto item = q.next(std::chrono::milliseconds(0))) {
    auto batch = std::make_unique<pdata::Batch>(item->signal);
    std::string_view bytes = batch->adoptBuffer(std::move(item->payload));
    const auto s = static_cast<size_t>(item->signal);
    ++records[s];
    if (pdata::decodeProtobuf(*batch, bytes).ok())
      items[s] += batch->itemCount();
    else
      ++undecodable;
  }
  std::cout << "directory: " << o.dir << "\n"
            << "segments: " << r.segments << "\n"
            << "batches: " << stats.records << " (" << stats.bytes << " bytes)\n"
            << "  logs: " << records[0] << " batches, " << items[0] << " log records\n"
            << "  traces: " << records[1] << " batches, " << items[1] << " spans\n"
            << "  metrics: " << records[2] << " batches, " << items[2] << " data points\n";
  if (stats.oldest_unix_ms > 0)
    std::cout << "oldest: " << (nowUnixMs() - stats.oldest_unix_ms) / 1000 << "s ago\n";
  std::cout << "damage: " << r.torn_tails << " torn tail(s) (" << r.torn_bytes << " bytes), "
            << r.quarantined_segments << " damaged segment(s), " << r.corrupt_records
            << " corrupt record(s), " << undecodable + stats.corrupt_reads
            << " unreadable batch(es)\n";
  return 0;
}

int drain(const QueueOpts& o) {
  QueueOptions qo;
  qo.directory = o.dir;
  qo.fsync = exporterhelper::FsyncPolicy::kNever;
  auto opened = PersistentQueue::open(qo);
  if (!opened) {
    std::cerr << "agentgate queue drain: " << opened.error().message << "\n";
    return 1;
  }
  PersistentQueue& q = *opened.value();
  const bool to_stdout = o.output.empty() || o.output == "-";
  FILE* out = to_stdout ? stdout : std::fopen(o.output.c_str(), "ab");
  if (out == nullptr) {
    std::cerr << "agentgate queue drain: cannot open " << o.output << "\n";
    return 1;
  }
  std::vector<exporterhelper::RecordId> done;
  uint64_t batches = 0, undecodable = 0;
  while (auto item = q.next(std::chrono::milliseconds(0))) {
    auto batch = std::make_unique<pdata::Batch>(item->signal);
    std::string_view bytes = batch->adoptBuffer(std::move(item->payload));
    if (pdata::decodeProtobuf(*batch, bytes).ok()) {
      std::string line = pdata::encodeJson(*batch);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), out);
      ++batches;
    } else {
      ++undecodable;
    }
    done.push_back(item->id);
  }
  // Acknowledge only what is safely written out.
  const bool ok =
      std::fflush(out) == 0 && (to_stdout || (::fsync(fileno(out)) == 0 && std::fclose(out) == 0));
  if (!ok) {
    std::cerr << "agentgate queue drain: writing the output failed; the queue is unchanged\n";
    return 1;
  }
  for (const auto& id : done) q.ack(id);
  q.close();
  std::cerr << "drained " << batches << " batch(es) as OTLP/JSON lines";
  if (undecodable) std::cerr << ", dropped " << undecodable << " undecodable";
  std::cerr << "\n";
  return 0;
}

}  // namespace

void addQueueCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<QueueOpts>();
  CLI::App* cmd = app.add_subcommand(
      "queue", "Inspect or drain an exporter's persistent sending queue (collector stopped)");
  cmd->require_subcommand(1);
  CLI::App* ins = cmd->add_subcommand("inspect", "Show what the queue holds and any damage");
  ins->add_option("--dir", opts->dir, "Queue directory (<data dir>/queue/<exporter id>)")
      ->required();
  ins->callback([&action, opts] { action = [opts] { return inspect(*opts); }; });
  CLI::App* dr = cmd->add_subcommand(
      "drain", "Write every queued batch as OTLP/JSON lines and remove it from the queue");
  dr->add_option("--dir", opts->dir, "Queue directory (<data dir>/queue/<exporter id>)")
      ->required();
  dr->add_option("--output,-o", opts->output, "Output file (appended; default stdout)");
  dr->callback([&action, opts] { action = [opts] { return drain(*opts); }; });
}

}  // namespace agentgate::cli
