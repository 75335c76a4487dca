#include "components/extension/bearertokenauth/bearer_token_auth.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/logging.h"
#include "common/strings.h"

namespace agentgate::components::bearertokenauth {
namespace {

Result<std::vector<std::string>> readTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io("bearertokenauth: cannot read token file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Error::io("bearertokenauth: cannot read token file " + path);
  return parseTokenFile(ss.str());
}

}  // namespace

std::vector<std::string> parseTokenFile(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : strings::split(text, '\n')) {
    std::string_view t = strings::trim(line);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

BearerTokenAuth::BearerTokenAuth(std::string id, Config cfg)
    : id_(std::move(id)), cfg_(std::move(cfg)) {
  if (cfg_.filename.empty()) {
    setTokens(cfg_.token.empty() ? cfg_.tokens : std::vector<std::string>{cfg_.token});
  } else {
    setTokens({});
  }
}

BearerTokenAuth::~BearerTokenAuth() { shutdown(); }

void BearerTokenAuth::setTokens(const std::vector<std::string>& tokens) {
  auto values = std::make_shared<Values>();
  values->reserve(tokens.size());
  for (const auto& t : tokens) values->push_back(cfg_.scheme.empty() ? t : cfg_.scheme + " " + t);
  std::lock_guard lock(mu_);
  values_ = std::move(values);
}

std::shared_ptr<const BearerTokenAuth::Values> BearerTokenAuth::values() const {
  std::lock_guard lock(mu_);
  return values_;
}

Status BearerTokenAuth::reload() {
  auto tokens = readTokenFile(cfg_.filename);
  if (!tokens.ok()) return tokens.takeError();
  // An emptied file revokes every token (fail closed); a vanished file keeps the last set, since
  // secret mounts replace files by rename and the file may be briefly absent.
  setTokens(*tokens);
  return {};
}

Status BearerTokenAuth::start(Host& host) {
  (void)host;
  if (cfg_.filename.empty() || watcher_.joinable()) return {};
  int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (ifd < 0) return Error::config(std::string("bearertokenauth: inotify: ") + strerror(errno));
  std::filesystem::path dir = std::filesystem::path(cfg_.filename).parent_path();
  if (dir.empty()) dir = ".";
  // Watching the directory (not the file) survives editors and secret mounts replacing the file.
  constexpr uint32_t kMask =
      IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB;
  if (inotify_add_watch(ifd, dir.c_str(), kMask) < 0) {
    std::string msg = strerror(errno);
    close(ifd);
    return Error::config("bearertokenauth: cannot watch " + dir.string() + ": " + msg);
  }
  // The watch exists before the first read, so no change between the two can be missed.
  auto loaded = reload();
  if (loaded.ok() && values()->empty()) {
    loaded = Error::config("bearertokenauth: token file " + cfg_.filename + " holds no token");
  }
  if (!loaded.ok()) {
    close(ifd);
    return Error::config(loaded.error().message);
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    close(ifd);
    return Error::config(std::string("bearertokenauth: eventfd: ") + strerror(errno));
  }
  watcher_ = std::thread([this, ifd, sfd = stop_fd_] { watchLoop(ifd, sfd); });
  return {};
}

void BearerTokenAuth::watchLoop(int inotify_fd, int stop_fd) {
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd fds[2] = {{inotify_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents != 0) break;
    bool changed = false;
    while (read(inotify_fd, buf, sizeof buf) > 0) changed = true;
    if (changed) {
      if (auto st = reload(); !st.ok()) {
        log::warn("{}: keeping previous tokens: {}", id_, st.error().message);
      }
    }
  }
  close(inotify_fd);
}

void BearerTokenAuth::shutdown() {
  if (watcher_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    watcher_.join();
  }
  if (stop_fd_ >= 0) {
    close(stop_fd_);
    stop_fd_ = -1;
  }
}

Result<AuthIdentity> BearerTokenAuth::authenticate(const HeaderLookup& headers) const {
  auto presented = headers.get(cfg_.header);
  if (!presented || presented->empty()) {
    return Error{
        ErrorCode::kUnauthenticated, "missing or empty " + cfg_.header + " header", true, {}};
  }
  auto vals = values();
  // Compare against every value without an early exit so timing does not reveal which matched.
  bool matched = false;
  size_t index = 0;
  for (size_t i = 0; i < vals->size(); ++i) {
    bool eq = strings::constantTimeEquals(*presented, (*vals)[i]);
    index = (eq && !matched) ? i : index;
    matched = matched || eq;
  }
  if (!matched) {
    return Error{ErrorCode::kUnauthenticated, "scheme or token does not match", true, {}};
  }
  AuthIdentity identity;
  identity.subject = id_ + "#" + std::to_string(index);
  identity.attributes.emplace_back("token_index", std::to_string(index));
  return identity;
}

Result<std::vector<std::pair<std::string, std::string>>> BearerTokenAuth::requestHeaders() {
  auto vals = values();
  if (vals->empty()) return Error::unavailable(id_ + ": no token available");
  return std::vector<std::pair<std::string, std::string>>{{cfg_.header, vals->front()}};
}

}  // namespace agentgate::components::bearertokenauth
