// Runs the real agentgate binary as a child process for integration and e2e tests: arguments,
// extra environment, a private temp dir, stdout/stderr captured to files, the listener addresses
// read from `--ready-file`, and a clean or hard stop with the exit code reported.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agentgate/result.h"

namespace agentgate::testlib {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction unless
// AGENTGATE_KEEP_TEST_TMP is set (handy when a test fails and the files tell why).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to path()/name (creating parent folders) and returns the full path.
  std::filesystem::path write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// The binary under test: $AGENTGATE_BINARY (set by ctest), else empty.
std::string agentgateBinary();

// Whole file as a string; empty when it cannot be read.
std::string readFile(const std::filesystem::path& path);

// Exit code in shell terms: the status of a normal exit, 128 + signal number when killed.
using ExitCode = int;

struct CommandResult {
  ExitCode exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

// Runs agentgate (or `binary`) with `args` to completion, capturing both streams. A command still
// running at `deadline` is killed and reported with timed_out set.
CommandResult runCommand(const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env = {},
                         std::chrono::milliseconds deadline = std::chrono::seconds(60),
                         const std::string& binary = {});

class Process {
 public:
  struct Options {
    std::string binary;             // empty: agentgateBinary()
    std::vector<std::string> args;  // e.g. {"run", "--config", path}
    std::vector<std::string> env;   // "KEY=value" entries added to the inherited environment
    bool wait_ready = true;         // append `--ready-file <dir>/ready.json` and wait for it
    std::chrono::milliseconds ready_timeout = std::chrono::seconds(30);
  };

  // Starts the process; with wait_ready, returns only once the ready file names the bound
  // listeners, or an error (the message carries the tail of stderr when the child exited).
  static Result<std::unique_ptr<Process>> start(Options options);

  ~Process();  // kills a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const TempDir& tempDir() const { return dir_; }

  // "host:port" per listener key of the ready file ("otlp/http", "otlp/grpc", "health_check",
  // "metrics", ...); empty when the key is absent.
  std::string address(std::string_view key) const;
  const std::map<std::string, std::string, std::less<>>& addresses() const { return addresses_; }

  std::string stdoutText() const { return readFile(stdout_path_); }
  std::string stderrText() const { return readFile(stderr_path_); }
  const std::filesystem::path& stderrPath() const { return stderr_path_; }

  // True while the child has not exited (reaps it when it has).
  bool running();
  // SIGTERM, then waits up to `timeout` for the exit. nullopt: still running at the deadline.
  std::optional<ExitCode> terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL and reap; returns the exit code (137 unless it had already exited).
  ExitCode kill();
  // Waits for the exit without signalling.
  std::optional<ExitCode> waitExit(std::chrono::milliseconds timeout);
  // Exit code once exited.
  std::optional<ExitCode> exitCode() const { return exit_code_; }

 private:
  Process() = default;
  Status waitReady(const std::filesystem::path& ready_file, std::chrono::milliseconds timeout);

  TempDir dir_;
  pid_t pid_ = -1;
  std::optional<ExitCode> exit_code_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  std::map<std::string, std::string, std::less<>> addresses_;
};

}  // namespace agentgate::testlib
