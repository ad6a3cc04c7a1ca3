// engine/lesson/child_engine.cpp — the headless Host: children, region, log.
#include "engine/lesson/child_engine.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace minicorn::lesson {

namespace {

using Clock = std::chrono::steady_clock;

// Waits up to `grace` for `pid` to exit, then SIGKILLs its group and reaps it.
void end_child(pid_t pid, std::chrono::milliseconds grace) {
    auto until = Clock::now() + grace;
    int status = 0;
    while (Clock::now() < until) {
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            ::kill(-pid, SIGKILL);  // a worker its master left behind
            return;
        }
        ::usleep(10'000);
    }
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
}

bool is_child_of(pid_t pid, pid_t parent) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    return ppid == parent;
}

}  // namespace

std::string self_exe() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("minicorn");
}

ChildEngine::ChildEngine(std::string minicorn_bin) : bin_(std::move(minicorn_bin)) {}

ChildEngine::~ChildEngine() { stop(); }

pid_t ChildEngine::spawn(const std::vector<std::string>& args, int* out_fd, std::string* error) {
    int pipe_fd[2];
    if (::pipe2(pipe_fd, O_CLOEXEC) != 0) {
        *error = std::string("pipe: ") + std::strerror(errno);
        return -1;
    }
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int region_fd = region_->fd();
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(pipe_fd[1], 1);
        ::dup2(pipe_fd[1], 2);
        ::fcntl(region_fd, F_SETFD, 0);  // this child, and only it, keeps the region across exec
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(pipe_fd[1]);
    if (pid < 0) {
        ::close(pipe_fd[0]);
        *error = std::string("fork: ") + std::strerror(errno);
        return -1;
    }
    ::setpgid(pid, pid);
    *out_fd = pipe_fd[0];
    return pid;
}

void ChildEngine::read_log(int fd) {
    static constexpr std::string_view kListening = "Listening at: http://127.0.0.1:";
    char buf[4096];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard lock(mu_);
        log_.append(buf, static_cast<std::size_t>(n));
        if (port_.load() == 0) {
            if (auto at = log_.find(kListening); at != std::string::npos) {
                port_ = std::atoi(log_.c_str() + at + kListening.size());
            }
        }
    }
    ::close(fd);
}

bool ChildEngine::start(const std::vector<std::string>& serve_args, std::string* error) {
    trace::Region region = trace::Region::create(error);
    if (!region.valid()) return false;
    region_ = std::make_unique<trace::Region>(std::move(region));
    gate_ = std::make_unique<trace::GateControl>(*region_);
    collector_ = std::make_unique<trace::Collector>(*region_, std::chrono::milliseconds(20));
    std::vector<std::string> argv = {bin_, "serve", "-b", "127.0.0.1:0", "--trace-fd", std::to_string(region_->fd())};
    argv.insert(argv.end(), serve_args.begin(), serve_args.end());
    int fd = -1;
    serve_pid_ = spawn(argv, &fd, error);
    if (serve_pid_ <= 0) return false;
    reader_ = std::thread([this, fd] { read_log(fd); });
    auto until = Clock::now() + std::chrono::seconds(10);
    while (port_.load() == 0 && Clock::now() < until) {
        int status = 0;
        if (::waitpid(serve_pid_, &status, WNOHANG) == serve_pid_) {
            serve_pid_ = 0;
            *error = "minicorn serve exited before it listened:\n" + log();
            return false;
        }
        ::usleep(10'000);
    }
    if (port_.load() == 0) *error = "minicorn serve did not listen within 10 s:\n" + log();
    return port_.load() != 0;
}

void ChildEngine::stop() {
    if (gate_) {
        gate_->set_target({});
        gate_->set_gated_mode(false);
        gate_->open();
    }
    stop_load();
    if (serve_pid_ > 0) {
        ::kill(serve_pid_, SIGTERM);
        end_child(serve_pid_, std::chrono::milliseconds(5000));
        serve_pid_ = 0;
    }
    if (reader_.joinable()) reader_.join();
}

void ChildEngine::update(trace::Recording& rec) {
    if (collector_) collector_->drain(rec);
}

void ChildEngine::drain_into(trace::EventSink& sink, bool all) {
    if (!collector_) return;
    if (all) collector_->flush(sink);
    else collector_->drain(sink);
}

std::string ChildEngine::log() const {
    std::lock_guard lock(mu_);
    return log_;
}

bool ChildEngine::restart(const std::vector<std::string>& serve_args, std::string* error) {
    stop();
    {
        std::lock_guard lock(mu_);
        log_.clear();
    }
    port_ = 0;
    return start(serve_args, error);
}

bool ChildEngine::signal_arbiter(int signo) { return serve_pid_ > 0 && ::kill(serve_pid_, signo) == 0; }

bool ChildEngine::signal_worker(pid_t pid, int signo) {
    return serve_pid_ > 0 && is_child_of(pid, serve_pid_) && ::kill(pid, signo) == 0;
}

bool ChildEngine::start_load(const std::vector<std::string>& args, std::string* error) {
    stop_load();
    std::vector<std::string> argv = {bin_, "load", "http://127.0.0.1:" + std::to_string(port()) + "/"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--trace-fd", std::to_string(region_->fd()), "--quiet"});
    int fd = -1;
    load_pid_ = spawn(argv, &fd, error);
    if (load_pid_ <= 0) return false;
    load_reader_ = std::thread([fd] {
        char buf[4096];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
        ::close(fd);
    });
    return true;
}

void ChildEngine::stop_load() {
    if (load_pid_ > 0) {
        ::kill(load_pid_, SIGINT);
        end_child(load_pid_, std::chrono::milliseconds(1000));
        load_pid_ = 0;
    }
    if (load_reader_.joinable()) load_reader_.join();
}

}  // namespace minicorn::lesson
