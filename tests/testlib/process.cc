#include "testlib/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace agentgate::testlib {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The interval at which exit and ready-file conditions are re-checked.
constexpr auto kPollInterval = std::chrono::milliseconds(10);

ExitCode decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Environment for the child: ours, with entries of `extra` replacing same-named ones.
std::vector<std::string> childEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto key_of = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv(*e);
    bool replaced = false;
    for (const auto& x : extra) replaced = replaced || key_of(x) == key_of(kv);
    if (!replaced) env.push_back(std::move(kv));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> cstrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// fork + execve with stdin from /dev/null and stdout/stderr into files. The child dies with the
// test process (PR_SET_PDEATHSIG) so a crashed test never leaves a collector holding ports.
Result<pid_t> spawn(const std::string& binary, const std::vector<std::string>& args,
                    const std::vector<std::string>& extra_env, const fs::path& out_path,
                    const fs::path& err_path) {
  if (binary.empty()) return Error::config("AGENTGATE_BINARY is not set (run through ctest)");
  if (::access(binary.c_str(), X_OK) != 0) {
    return Error::io("binary not executable: " + binary);
  }
  std::vector<std::string> argv_s{binary};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s = childEnv(extra_env);
  std::vector<char*> argv = cstrings(argv_s);
  std::vector<char*> envp = cstrings(env_s);

  int in_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) {
    for (int fd : {in_fd, out_fd, err_fd}) {
      if (fd >= 0) ::close(fd);
    }
    return Error::io(std::string("cannot open capture files: ") + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int saved = errno;
  ::close(in_fd);
  ::close(out_fd);
  ::close(err_fd);
  if (pid < 0) return Error::io(std::string("fork failed: ") + std::strerror(saved));
  return pid;
}

// Reaps `pid` if it exited within `timeout` (zero: just check).
std::optional<ExitCode> waitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decodeStatus(status);
    if (r < 0 && errno != EINTR) return -1;  // not our child any more
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/agentgate-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) {
    // Tests cannot run without a scratch dir; fail loudly rather than write into the cwd.
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (std::getenv("AGENTGATE_KEEP_TEST_TMP") != nullptr) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(std::string_view name, std::string_view content) const {
  fs::path p = path_ / name;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  return p;
}

std::string agentgateBinary() {
  const char* b = std::getenv("AGENTGATE_BINARY");
  return b != nullptr ? std::string(b) : std::string();
}

std::string readFile(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

CommandResult runCommand(const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env,
                         std::chrono::milliseconds deadline, const std::string& binary) {
  CommandResult result;
  TempDir dir;
  auto out_path = dir.path() / "stdout";
  auto err_path = dir.path() / "stderr";
  auto pid =
      spawn(binary.empty() ? agentgateBinary() : binary, args, extra_env, out_path, err_path);
  if (!pid.ok()) {
    result.err = pid.error().message;
    return result;
  }
  auto code = waitFor(*pid, deadline);
  if (!code) {
    ::kill(*pid, SIGKILL);
    code = waitFor(*pid, std::chrono::seconds(10));
    result.timed_out = true;
  }
  result.exit_code = code.value_or(-1);
  result.out = readFile(out_path);
  result.err = readFile(err_path);
  return result;
}

Result<std::unique_ptr<Process>> Process::start(Options options) {
  std::unique_ptr<Process> p(new Process());
  p->stdout_path_ = p->dir_.path() / "stdout.log";
  p->stderr_path_ = p->dir_.path() / "stderr.log";
  const fs::path ready = p->dir_.path() / "ready.json";
  std::vector<std::string> args = options.args;
  if (options.wait_ready) {
    args.emplace_back("--ready-file");
    args.push_back(ready.string());
  }
  auto pid = spawn(options.binary.empty() ? agentgateBinary() : options.binary, args, options.env,
                   p->stdout_path_, p->stderr_path_);
  if (!pid.ok()) return pid.takeError();
  p->pid_ = *pid;
  if (options.wait_ready) {
    if (auto st = p->waitReady(ready, options.ready_timeout); !st.ok()) return st.takeError();
  }
  return p;
}

Status Process::waitReady(const fs::path& ready_file, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  simdjson::dom::parser parser;
  while (true) {
    // The binary writes the file atomically (rename), so existing means complete.
    std::string text = readFile(ready_file);
    if (!text.empty()) {
      simdjson::dom::object obj;
      if (parser.parse(text).get(obj) != simdjson::SUCCESS) {
        return Error::invalid("ready file is not a JSON object: " + tail(text, 400));
      }
      for (auto [key, value] : obj) {
        std::string_view v;
        if (value.get(v) == simdjson::SUCCESS) addresses_.emplace(std::string(key), std::string(v));
      }
      return okStatus();
    }
    if (!running()) {
      return Error::io("agentgate exited with code " + std::to_string(exit_code_.value_or(-1)) +
                       " before it was ready; stderr: " + tail(stderrText(), 2000));
    }
    if (Clock::now() >= deadline) {
      return Error::unavailable("agentgate not ready after " + std::to_string(timeout.count()) +
                                " ms; stderr: " + tail(stderrText(), 2000));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

Process::~Process() {
  if (pid_ > 0 && !exit_code_) kill();
}

std::string Process::address(std::string_view key) const {
  auto it = addresses_.find(key);
  return it == addresses_.end() ? std::string() : it->second;
}

bool Process::running() {
  if (exit_code_) return false;
  if (pid_ <= 0) return false;
  exit_code_ = waitFor(pid_, std::chrono::milliseconds(0));
  return !exit_code_.has_value();
}

std::optional<ExitCode> Process::waitExit(std::chrono::milliseconds timeout) {
  if (exit_code_ || pid_ <= 0) return exit_code_;
  exit_code_ = waitFor(pid_, timeout);
  return exit_code_;
}

std::optional<ExitCode> Process::terminate(std::chrono::milliseconds timeout) {
  if (!running()) return exit_code_;
  ::kill(pid_, SIGTERM);
  return waitExit(timeout);
}

ExitCode Process::kill() {
  if (!running()) return exit_code_.value_or(-1);
  ::kill(pid_, SIGKILL);
  return waitExit(std::chrono::seconds(30)).value_or(-1);
}

}  // namespace agentgate::testlib
