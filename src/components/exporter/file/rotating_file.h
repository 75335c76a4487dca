// An append-only file that rotates by size into timestamped backups and prunes old ones
// (the naming of the collector's lumberjack rotation: name-2006-01-02T15-04-05.000.ext).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "agentgate/result.h"

namespace agentgate::components::file {

struct RotationOptions {
  uint64_t max_bytes = 0;  // 0 = never rotate
  int max_days = 0;
  int max_backups = 0;
  bool localtime = false;
};

class RotatingFile {
 public:
  RotatingFile(std::string path, RotationOptions options) : path_(std::move(path)), opt_(options) {}
  ~RotatingFile();
  RotatingFile(const RotatingFile&) = delete;
  RotatingFile& operator=(const RotatingFile&) = delete;

  Status open(bool append);
  // Thread-safe. Rotates first when `data` would push the file past max_bytes.
  Status write(std::string_view data);
  void close();
  const std::string& path() const { return path_; }

 private:
  Status rotateLocked();
  void pruneLocked();

  std::string path_;
  RotationOptions opt_;
  std::mutex mu_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace agentgate::components::file
