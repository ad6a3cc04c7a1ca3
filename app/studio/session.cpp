// app/studio/session.cpp — child processes and the collector thread.
//
// Index
//   [SECTION] Spawning   — fork/exec with a death signal, its own group, a pipe
//   [SECTION] Lifecycle  — start_serve, start_load, stop, update (reaping)
//   [SECTION] Collector  — the thread that drains the region and the pipes
//   [SECTION] Actions    — signals, kill -9 a worker
#include "app/studio/session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/trace/collector.h"

namespace minicorn::studio {

using namespace std::chrono_literals;

std::string find_minicorn_bin() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string self = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    if (auto slash = self.rfind('/'); slash != std::string::npos) {
        std::string beside = self.substr(0, slash + 1) + "minicorn";
        if (::access(beside.c_str(), X_OK) == 0) return beside;
    }
    return MINICORN_BIN;
}

namespace {

std::string join(const std::vector<std::string>& argv) {
    std::string out;
    for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
    return out;
}

std::string describe_status(int wstatus) {
    if (WIFEXITED(wstatus)) return "exit " + std::to_string(WEXITSTATUS(wstatus));
    if (WIFSIGNALED(wstatus)) {
        const char* abbrev = sigabbrev_np(WTERMSIG(wstatus));
        return abbrev ? std::string("killed by SIG") + abbrev : "killed by signal " + std::to_string(WTERMSIG(wstatus));
    }
    return "status " + std::to_string(wstatus);
}

}  // namespace

Session::Session(std::string minicorn_bin) : minicorn_bin_(std::move(minicorn_bin)) {}

Session::~Session() { stop(1000ms); }

// ============================================================================
// [SECTION] Spawning
// ============================================================================

pid_t Session::spawn(const std::vector<std::string>& argv, int* out_fd, std::string* error) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        *error = std::string("pipe: ") + std::strerror(errno);
        return -1;
    }
    // Everything the child needs is prepared before fork: between fork and
    // exec a child of a threaded process may only make async-signal-safe calls.
    std::vector<std::string> args = argv;
    std::vector<char*> cargv;
    for (std::string& a : args) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const int trace_fd = region_ ? region_->fd() : -1;
    const pid_t parent = ::getpid();
    static const char kExecFailed[] = "minicorn-studio: exec failed\n";

    pid_t pid = ::fork();
    if (pid < 0) {
        *error = std::string("fork: ") + std::strerror(errno);
        ::close(p[0]);
        ::close(p[1]);
        return -1;
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        // Stop with the studio even if it is killed with -9. The parent may
        // already have died before prctl ran: then getppid() is no longer it.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
        if (::getppid() != parent) ::_exit(1);
        ::signal(SIGPIPE, SIG_DFL);  // an ignored signal stays ignored across exec
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(p[1], 1);
        ::dup2(p[1], 2);
        // The region's fd is close-on-exec in the studio; this child keeps it.
        if (trace_fd >= 0) ::fcntl(trace_fd, F_SETFD, ::fcntl(trace_fd, F_GETFD) & ~FD_CLOEXEC);
        ::execv(cargv[0], cargv.data());
        ssize_t ignored = ::write(2, kExecFailed, sizeof kExecFailed - 1);
        (void)ignored;
        ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here, so a kill(-pid) right after fork cannot miss
    ::close(p[1]);
    ::fcntl(p[0], F_SETFL, ::fcntl(p[0], F_GETFL) | O_NONBLOCK);
    *out_fd = p[0];
    return pid;
}

bool Session::launch(ChildInfo& info, const std::vector<std::string>& argv, bool from_client, std::string* error) {
    int out_fd = -1;
    pid_t pid = spawn(argv, &out_fd, error);
    if (pid < 0) return false;
    info = ChildInfo{ChildState::Running, pid, join(argv), ""};
    std::lock_guard lock(mu_);
    new_pipes_.push_back(Pipe{out_fd, from_client, {}});  // the collector thread reads it from now on
    return true;
}

void Session::reap(ChildInfo& info, int wstatus) {
    info.state = ChildState::Exited;
    info.exit_text = describe_status(wstatus);
}

void Session::stop_child(ChildInfo& info, std::chrono::milliseconds grace, bool whole_group) {
    if (info.state != ChildState::Running) return;
    ::kill(info.pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + grace;
    int wstatus = 0;
    bool gone = false;
    while (std::chrono::steady_clock::now() < deadline) {
        if (::waitpid(info.pid, &wstatus, WNOHANG) == info.pid) {
            gone = true;
            break;
        }
        ::usleep(10'000);
    }
    if (!gone) {
        ::kill(-info.pid, SIGKILL);
        ::waitpid(info.pid, &wstatus, 0);
    }
    // Workers still in the group (a master killed before it could stop them).
    if (whole_group) ::kill(-info.pid, SIGKILL);
    reap(info, wstatus);
    info.state = ChildState::NotStarted;
}

// ============================================================================
// [SECTION] Lifecycle
// ============================================================================

bool Session::start_serve(const std::vector<std::string>& serve_args, std::string* error) {
    stop();
    std::string region_error;
    trace::Region region = trace::Region::create(&region_error);
    if (!region.valid()) {
        *error = "trace region: " + region_error;
        return false;
    }
    region_ = std::make_unique<trace::Region>(std::move(region));
    gate_ = std::make_unique<trace::GateControl>(*region_);
    port_ = 0;

    std::vector<std::string> argv = {minicorn_bin_, "serve", "-b", "127.0.0.1:0", "--trace-fd",
                                     std::to_string(region_->fd())};
    argv.insert(argv.end(), serve_args.begin(), serve_args.end());
    {
        std::lock_guard lock(mu_);
        batch_.clear();
        batch_taken_ = 0;
    }
    if (!launch(serve_, argv, false, error)) return false;
    collecting_ = true;
    collector_ = std::thread([this] { collector_loop(); });
    return true;
}

bool Session::start_load(const std::vector<std::string>& load_args, std::string* error) {
    if (!running() || port() == 0) {
        *error = "the server is not listening yet";
        return false;
    }
    stop_load();
    std::vector<std::string> argv = {minicorn_bin_, "load", "http://127.0.0.1:" + std::to_string(port()) + "/"};
    argv.insert(argv.end(), load_args.begin(), load_args.end());
    argv.insert(argv.end(), {"--trace-fd", std::to_string(region_->fd()), "--quiet"});
    return launch(load_, argv, true, error);
}

void Session::stop_load() { stop_child(load_, 1000ms, true); }

void Session::stop(std::chrono::milliseconds grace) {
    if (gate_) {  // a closed gate would hold the client's exit and the master's shutdown
        gate_->set_target({});
        gate_->set_gated_mode(false);
        gate_->open();
    }
    stop_load();
    stop_child(serve_, grace, true);
    if (collector_.joinable()) {
        collecting_ = false;
        collector_.join();
    }
    std::lock_guard lock(mu_);
    for (Pipe& p : new_pipes_) ::close(p.fd);
    new_pipes_.clear();
}

std::size_t Session::backlog() const {
    std::lock_guard lock(mu_);
    return batch_.size() - batch_taken_;
}

std::size_t Session::update(trace::Recording& rec, std::size_t max_events) {
    int wstatus = 0;
    for (ChildInfo* info : {&serve_, &load_}) {
        if (info->state == ChildState::Running && ::waitpid(info->pid, &wstatus, WNOHANG) == info->pid) {
            reap(*info, wstatus);
            if (info == &serve_) ::kill(-info->pid, SIGKILL);  // no orphaned worker survives its master
        }
    }
    std::vector<trace::Event> taken;
    {
        std::lock_guard lock(mu_);
        const std::size_t left = batch_.size() - batch_taken_;
        if (batch_taken_ == 0 && left <= max_events) {
            taken.swap(batch_);
        } else {
            // A backlog: take the oldest max_events and move past them. Erasing
            // them from the front instead moved the whole backlog every frame
            // (tens of MB under 1,000 users), which made the backlog grow faster.
            const auto from = batch_.begin() + static_cast<std::ptrdiff_t>(batch_taken_);
            const std::size_t n = std::min(left, max_events);
            taken.assign(from, from + static_cast<std::ptrdiff_t>(n));
            batch_taken_ += n;
            if (batch_taken_ == batch_.size()) {
                batch_.clear();
                batch_taken_ = 0;
            } else if (batch_taken_ > batch_.size() / 2) {  // compact now and then: each event moves at most once more
                batch_.erase(batch_.begin(), batch_.begin() + static_cast<std::ptrdiff_t>(batch_taken_));
                batch_taken_ = 0;
            }
        }
    }
    if (!taken.empty()) rec.append(taken);
    return taken.size();
}

// ============================================================================
// [SECTION] Collector
// ============================================================================

void Session::add_line(bool from_client, std::string text) {
    std::lock_guard lock(mu_);
    if (!from_client && port_.load() == 0) {
        // gunicorn's "Listening at: http://127.0.0.1:PORT (pid)".
        static constexpr std::string_view kListening = "Listening at: http://127.0.0.1:";
        if (auto at = text.find(kListening); at != std::string::npos) {
            port_ = std::atoi(text.c_str() + at + kListening.size());
        }
    }
    lines_.push_back(LogLine{++line_seq_, from_client, std::move(text)});
    while (lines_.size() > kMaxLogLines) lines_.pop_front();
}

bool Session::read_output(Pipe& pipe) {
    char buf[4096];
    while (true) {
        ssize_t n = ::read(pipe.fd, buf, sizeof buf);
        if (n > 0) {
            pipe.partial.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = pipe.partial.find('\n')) != std::string::npos) {
                add_line(pipe.from_client, pipe.partial.substr(0, nl));
                pipe.partial.erase(0, nl + 1);
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
        if (!pipe.partial.empty()) add_line(pipe.from_client, pipe.partial);
        return false;  // EOF: every writer has gone
    }
}

// The collector thread: waits on the children's pipes (at most 20 ms), drains
// the rings, hands the committed events over, again until stop().
void Session::collector_loop() {
    trace::Collector collector(*region_);
    std::vector<Pipe> pipes;
    trace::EventBuffer committed;  // committed by the collector, not handed over yet
    std::vector<trace::Event>& fresh = committed.events();
    auto hand_over = [this, &fresh] {
        if (fresh.empty()) return;
        std::lock_guard lock(mu_);
        batch_.insert(batch_.end(), fresh.begin(), fresh.end());
        fresh.clear();
    };
    while (collecting_.load()) {
        {
            std::lock_guard lock(mu_);
            for (Pipe& p : new_pipes_) pipes.push_back(std::move(p));
            new_pipes_.clear();
        }
        std::vector<pollfd> pfds;
        for (const Pipe& p : pipes) pfds.push_back(pollfd{p.fd, POLLIN, 0});
        if (pfds.empty()) {
            ::usleep(20'000);
        } else {
            ::poll(pfds.data(), pfds.size(), 20);
        }
        for (std::size_t i = 0; i < pipes.size();) {
            if (!read_output(pipes[i])) {
                ::close(pipes[i].fd);
                pipes.erase(pipes.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                ++i;
            }
        }
        collector.drain(committed);
        hand_over();
    }
    collector.flush(committed);
    hand_over();
    for (Pipe& p : pipes) {
        read_output(p);
        ::close(p.fd);
    }
}

// ============================================================================
// [SECTION] Actions
// ============================================================================

bool Session::signal_arbiter(int signo) {
    if (!running()) return false;
    return ::kill(serve_.pid, signo) == 0;
}

bool Session::kill_worker(pid_t pid) { return signal_worker(pid, SIGKILL); }

bool Session::signal_worker(pid_t pid, int signo) {
    if (!running() || pid <= 0) return false;
    // Only a child of our master: a pid from the trace could have been reused.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) return false;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid != serve_.pid) return false;
    return ::kill(pid, signo) == 0;
}

std::vector<LogLine> Session::log_lines(std::uint64_t after_seq) const {
    std::lock_guard lock(mu_);
    std::vector<LogLine> out;
    for (const LogLine& l : lines_) {
        if (l.seq > after_seq) out.push_back(l);
    }
    return out;
}

std::uint64_t Session::last_log_seq() const {
    std::lock_guard lock(mu_);
    return line_seq_;
}

}  // namespace minicorn::studio
