#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace minicorn::testing {

namespace {
auto now() { return std::chrono::steady_clock::now(); }
double since(std::chrono::steady_clock::time_point t) { return Seconds(now() - t).count(); }

struct SubreaperOnce {
    SubreaperOnce() {
        ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        ::signal(SIGPIPE, SIG_IGN);
    }
};
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args) {
    static SubreaperOnce once;
    for (std::size_t i = 0; i < args.size(); ++i) {
        for (const std::string flag : {"--error-logfile", "--log-file"}) {
            if (args[i] == flag && i + 1 < args.size()) error_logfile_ = args[i + 1];
            if (args[i].starts_with(flag + "=")) error_logfile_ = args[i].substr(flag.size() + 1);
        }
    }
    if (error_logfile_ == "-") error_logfile_.clear();
    int err_pipe[2];
    int out_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    args.insert(args.begin(), "serve");
    args.insert(args.begin(), MINICORN_BIN);
    pid_ = ::fork();
    if (pid_ == 0) {
        ::setpgid(0, 0);
        ::dup2(err_pipe[1], 2);
        ::dup2(out_pipe[1], 1);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    ::close(err_pipe[1]);
    ::close(out_pipe[1]);
    err_reader_ = std::thread([this, fd = err_pipe[0]] { read_pipe_into(fd, &err_, mu_); });
    out_reader_ = std::thread([this, fd = out_pipe[0]] { read_pipe_into(fd, &out_, mu_); });
}

std::unique_ptr<ServerProcess> ServerProcess::start(std::vector<std::string> args) {
    args.insert(args.begin(), {"-b", "127.0.0.1:0"});
    auto server = std::make_unique<ServerProcess>(std::move(args));
    if (server->port() == 0) throw std::runtime_error("minicorn serve did not start listening:\n" + server->log());
    return server;
}

ServerProcess::~ServerProcess() {
    if (!exited_) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exited_ = true;
    }
    ::kill(-pid_, SIGKILL);  // workers left in the group
    // Workers re-parented to us (we are a subreaper) must be reaped too.
    auto start = now();
    while (live_children() > 0 && since(start) < 5.0) {
        reap_children();
        ::usleep(10000);
    }
    if (err_reader_.joinable()) err_reader_.join();
    if (out_reader_.joinable()) out_reader_.join();
}

void read_pipe_into(int fd, std::string* sink, std::mutex& mu) {
    char buf[4096];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::lock_guard lock(mu);
        sink->append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
}

int ServerProcess::port() {
    if (port_) return port_;
    auto start = now();
    while (since(start) < 10.0) {
        {
            std::lock_guard lock(mu_);
            auto pos = err_.find("Listening at: http://127.0.0.1:");
            if (pos != std::string::npos) {
                port_ = std::atoi(err_.c_str() + pos + std::strlen("Listening at: http://127.0.0.1:"));
                return port_;
            }
        }
        ::usleep(10000);
    }
    return 0;
}

std::string ServerProcess::log() const {
    std::lock_guard lock(mu_);
    return err_;
}

std::string ServerProcess::stdout_text() const {
    std::lock_guard lock(mu_);
    return out_;
}

int ServerProcess::count_in_log(std::string_view needle) const {
    std::lock_guard lock(mu_);
    int count = 0;
    for (auto pos = err_.find(needle); pos != std::string::npos; pos = err_.find(needle, pos + needle.size())) ++count;
    return count;
}

bool ServerProcess::wait_for_log(std::string_view needle, Seconds timeout, int count) const {
    auto start = now();
    while (since(start) < timeout.count()) {
        if (count_in_log(needle) >= count) return true;
        ::usleep(10000);
    }
    return count_in_log(needle) >= count;
}

std::vector<pid_t> ServerProcess::worker_pids() const {
    std::vector<pid_t> out;
    std::ifstream in("/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children");
    pid_t p;
    while (in >> p) {
        // skip zombies: a dead worker not reaped yet is not "up"
        std::ifstream stat("/proc/" + std::to_string(p) + "/stat");
        std::string line;
        std::getline(stat, line);
        auto close = line.rfind(')');
        if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') continue;
        out.push_back(p);
    }
    return out;
}

bool ServerProcess::has_booted(pid_t worker) const {
    const std::string line = "Booting worker with pid: " + std::to_string(worker) + "\n";
    if (!error_logfile_.empty()) {  // --error-logfile FILE: the line is in the file, not on stderr
        std::ifstream in(error_logfile_);
        std::stringstream text;
        text << in.rdbuf();
        return text.str().find(line) != std::string::npos;
    }
    std::lock_guard lock(mu_);
    return err_.find(line) != std::string::npos;
}

bool ServerProcess::wait_for_workers(std::size_t n, Seconds timeout) const {
    // A worker writes its "Booting worker" line just after the fork: the
    // master's child can be seen before its line is in the log.
    auto ready = [&] {
        std::vector<pid_t> workers = worker_pids();
        return workers.size() == n &&
               std::all_of(workers.begin(), workers.end(), [&](pid_t w) { return has_booted(w); });
    };
    auto start = now();
    while (since(start) < timeout.count()) {
        if (ready()) return true;
        ::usleep(20000);
    }
    return ready();
}

void ServerProcess::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> ServerProcess::wait_exit(Seconds timeout) {
    if (exited_) return exit_status_;
    auto start = now();
    while (since(start) < timeout.count()) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exited_ = true;
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_status_;
        }
        ::usleep(10000);
    }
    return std::nullopt;
}

int free_loopback_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

int connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

HttpReply send_raw(int port, std::string_view request, Seconds timeout) {
    HttpReply reply;
    auto start = now();
    int fd = connect_loopback(port);
    if (fd < 0) return reply;
    std::size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    char buf[8192];
    while (since(start) < timeout.count()) {
        pollfd p{fd, POLLIN, 0};
        int left_ms = static_cast<int>((timeout.count() - since(start)) * 1000) + 1;
        if (::poll(&p, 1, left_ms) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reply.raw.append(buf, static_cast<std::size_t>(n));
    }
    reply.seconds = since(start);
    ::close(fd);
    reply.got_response = !reply.raw.empty();
    auto head_end = reply.raw.find("\r\n\r\n");
    reply.head = reply.raw.substr(0, head_end);
    if (head_end != std::string::npos) reply.body = reply.raw.substr(head_end + 4);
    if (reply.raw.starts_with("HTTP/")) {
        auto sp = reply.raw.find(' ');
        if (sp != std::string::npos) reply.status = std::atoi(reply.raw.c_str() + sp + 1);
    }
    return reply;
}

HttpReply http_get(int port, std::string_view path, Seconds timeout) {
    std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    return send_raw(port, req, timeout);
}

std::size_t open_fd_count() {
    std::size_t n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return 0;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
    return n - 1;  // the DIR's own descriptor
}

bool process_gone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

std::size_t live_children() {
    std::size_t count = 0;
    std::string self = std::to_string(::getpid());
    std::ifstream in("/proc/" + self + "/task/" + self + "/children");
    pid_t p;
    while (in >> p) ++count;
    return count;
}

void reap_children() {
    int status = 0;
    while (::waitpid(-1, &status, WNOHANG) > 0) {
    }
}

}  // namespace minicorn::testing
