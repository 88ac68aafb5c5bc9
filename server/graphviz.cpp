#include "server/graphviz.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

extern char** environ;

namespace rareledger::server {
namespace {

constexpr size_t kMaxSvgBytes = size_t{32} << 20;
constexpr auto kTimeout = std::chrono::seconds(20);

struct Pipe {
  int fd[2] = {-1, -1};
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
};

}  // namespace

ledger::Result<std::string> RenderSvg(const std::string& dot_binary, const std::string& dot) {
  Pipe in, out;
  if (pipe2(in.fd, O_CLOEXEC) != 0 || pipe2(out.fd, O_CLOEXEC) != 0)
    return ledger::Status::IOError(std::string("graphviz: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::string binary = dot_binary;
  std::string flag = "-Tsvg";
  char* argv[] = {binary.data(), flag.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return ledger::Status::IOError("graphviz: cannot run " + dot_binary + ": " + std::strerror(rc));
  close(in.fd[0]), in.fd[0] = -1;
  close(out.fd[1]), out.fd[1] = -1;
  fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);

  std::string svg;
  size_t written = 0;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  std::string error;
  while (out.fd[0] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error = "graphviz took more than 20 seconds";
      break;
    }
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
    const int n = poll(fds, in.fd[1] >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) {
      error = std::string("graphviz: poll: ") + std::strerror(errno);
      break;
    }
    if (in.fd[1] >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = write(in.fd[1], dot.data() + written, dot.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN) written = dot.size();  // dot stopped reading
      if (written == dot.size()) close(in.fd[1]), in.fd[1] = -1;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      const ssize_t r = read(out.fd[0], buf, sizeof(buf));
      if (r <= 0) {
        close(out.fd[0]), out.fd[0] = -1;
      } else {
        svg.append(buf, static_cast<size_t>(r));
        if (svg.size() > kMaxSvgBytes) {
          error = "graphviz printed more than 32 MiB";
          break;
        }
      }
    }
  }
  if (!error.empty()) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!error.empty()) return ledger::Status::IOError(error);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return ledger::Status::IOError("graphviz (" + dot_binary + " -Tsvg) failed");
  return svg;
}

}  // namespace rareledger::server
