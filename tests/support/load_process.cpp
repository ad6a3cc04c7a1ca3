#include "tests/support/load_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace minicorn::testing {

LoadProcess::LoadProcess(std::vector<std::string> args, int region_fd) {
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    if (region_fd >= 0) args.insert(args.begin(), {"--trace-fd", std::to_string(region_fd)});
    args.insert(args.begin(), "load");
    args.insert(args.begin(), MINICORN_BIN);
    std::vector<char*> argv;  // built before fork: the child only calls async-signal-safe functions
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        if (region_fd >= 0) ::fcntl(region_fd, F_SETFD, 0);  // the child only: keep it across exec
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    out_reader_ = std::thread([this, fd = out_pipe[0]] { read_pipe_into(fd, &out_, mu_); });
    err_reader_ = std::thread([this, fd = err_pipe[0]] { read_pipe_into(fd, &err_, mu_); });
}

LoadProcess::~LoadProcess() {
    if (!exited_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exited_ = true;
    }
    if (out_reader_.joinable()) out_reader_.join();
    if (err_reader_.joinable()) err_reader_.join();
}

void LoadProcess::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> LoadProcess::wait_exit(Seconds timeout) {
    if (exited_) return status_;
    auto start = std::chrono::steady_clock::now();
    while (true) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (out_reader_.joinable()) out_reader_.join();
            if (err_reader_.joinable()) err_reader_.join();
            return status_;
        }
        if (Seconds(std::chrono::steady_clock::now() - start) >= timeout) return std::nullopt;
        ::usleep(10'000);
    }
}

std::string LoadProcess::out() const {
    std::lock_guard lock(mu_);
    return out_;
}

std::string LoadProcess::err() const {
    std::lock_guard lock(mu_);
    return err_;
}

nlohmann::json LoadProcess::json() const {
    return nlohmann::json::parse(out(), nullptr, /*allow_exceptions=*/false);
}

nlohmann::json run_load_json(std::vector<std::string> args, int region_fd, Seconds timeout) {
    args.push_back("--json");
    args.push_back("--quiet");
    LoadProcess p(std::move(args), region_fd);
    if (!p.wait_exit(timeout)) return nlohmann::json();
    return p.json();
}

}  // namespace minicorn::testing
