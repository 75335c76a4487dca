#include "components/exporter/file/rotating_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include "common/logging.h"

namespace agentgate::components::file {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTimeFormat = "%Y-%m-%dT%H-%M-%S";  // + ".mmm"
constexpr size_t kStampLen = 23;                               // 2006-01-02T15-04-05.000

std::string errnoText() { return std::strerror(errno); }

struct Parts {
  fs::path dir;
  std::string prefix;  // "name-"
  std::string ext;     // ".log"
};

Parts splitPath(const std::string& path) {
  fs::path p(path);
  return {p.parent_path().empty() ? fs::path(".") : p.parent_path(), p.stem().string() + "-",
          p.extension().string()};
}

std::string stamp(std::chrono::system_clock::time_point now, bool localtime) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  if (localtime) {
    localtime_r(&secs, &tm);
  } else {
    gmtime_r(&secs, &tm);
  }
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, std::string(kTimeFormat).c_str(), &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03lld", static_cast<long long>(ms % 1000));
  return buf;
}

// Parses a backup's timestamp; nullopt when `name` is not one of our backups.
std::optional<std::time_t> backupTime(const Parts& parts, const std::string& name, bool localtime) {
  if (name.size() != parts.prefix.size() + kStampLen + parts.ext.size()) return std::nullopt;
  if (name.compare(0, parts.prefix.size(), parts.prefix) != 0) return std::nullopt;
  if (name.compare(name.size() - parts.ext.size(), parts.ext.size(), parts.ext) != 0) {
    return std::nullopt;
  }
  std::string ts = name.substr(parts.prefix.size(), kStampLen);
  std::tm tm{};
  const char* end = strptime(ts.c_str(), std::string(kTimeFormat).c_str(), &tm);
  if (end == nullptr || *end != '.') return std::nullopt;
  return localtime ? mktime(&tm) : timegm(&tm);
}

}  // namespace

RotatingFile::~RotatingFile() { close(); }

Status RotatingFile::open(bool append) {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) return {};
  fs::path dir = fs::path(path_).parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | (append ? 0 : O_TRUNC);
  fd_ = ::open(path_.c_str(), flags, 0640);
  if (fd_ < 0) return Error::io("file: cannot open " + path_ + ": " + errnoText());
  struct stat st {};
  size_ = fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return {};
}

void RotatingFile::close() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status RotatingFile::write(std::string_view data) {
  std::lock_guard lock(mu_);
  if (fd_ < 0) return Error::io("file: " + path_ + " is not open");
  if (opt_.max_bytes > 0 && size_ > 0 && size_ + data.size() > opt_.max_bytes) {
    if (auto st = rotateLocked(); !st.ok()) return st;
  }
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::io("file: write to " + path_ + " failed: " + errnoText());
    }
    data.remove_prefix(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
  return {};
}

Status RotatingFile::rotateLocked() {
  ::close(fd_);
  fd_ = -1;
  Parts parts = splitPath(path_);
  std::string base = stamp(std::chrono::system_clock::now(), opt_.localtime);
  fs::path backup = parts.dir / (parts.prefix + base + parts.ext);
  std::error_code ec;
  // Two rotations in one millisecond: step the stamp forward rather than overwrite a backup.
  for (int i = 1; fs::exists(backup, ec) && i < 1000; ++i) {
    backup = parts.dir / (parts.prefix +
                          stamp(std::chrono::system_clock::now() + std::chrono::milliseconds(i),
                                opt_.localtime) +
                          parts.ext);
  }
  fs::rename(path_, backup, ec);
  if (ec) log::warn("file: cannot rotate {}: {}", path_, ec.message());
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | O_TRUNC, 0640);
  if (fd_ < 0) return Error::io("file: cannot reopen " + path_ + ": " + errnoText());
  size_ = 0;
  pruneLocked();
  return {};
}

void RotatingFile::pruneLocked() {
  if (opt_.max_backups <= 0 && opt_.max_days <= 0) return;
  Parts parts = splitPath(path_);
  std::vector<std::pair<std::string, fs::path>> backups;  // (file name, path); names sort by time
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parts.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (backupTime(parts, name, opt_.localtime)) backups.emplace_back(name, entry.path());
  }
  std::sort(backups.begin(), backups.end(), [](const auto& a, const auto& b) { return a > b; });
  std::time_t cutoff = std::time(nullptr) - static_cast<std::time_t>(opt_.max_days) * 86400;
  for (size_t i = 0; i < backups.size(); ++i) {
    bool too_many = opt_.max_backups > 0 && i >= static_cast<size_t>(opt_.max_backups);
    bool too_old = false;
    if (opt_.max_days > 0) {
      auto t = backupTime(parts, backups[i].first, opt_.localtime);
      too_old = t && *t < cutoff;
    }
    if (too_many || too_old) fs::remove(backups[i].second, ec);
  }
}

}  // namespace agentgate::components::file
