#include "engine/process/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace minicorn::process {

std::optional<LogLevel> parse_log_level(std::string_view name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "debug") return LogLevel::Debug;
    if (lower == "info") return LogLevel::Info;
    if (lower == "warning") return LogLevel::Warning;
    if (lower == "error") return LogLevel::Error;
    if (lower == "critical") return LogLevel::Critical;
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::Debug: return "DEBUG";
        case LogLevel::Info: return "INFO";
        case LogLevel::Warning: return "WARNING";
        case LogLevel::Error: return "ERROR";
        case LogLevel::Critical: return "CRITICAL";
    }
    return "?";
}

Logger::Logger(std::string errorlog, std::string accesslog, LogLevel level)
    : errorlog_(std::move(errorlog)), accesslog_(std::move(accesslog)), level_(level) {
    open_files();
}

namespace {
sys::Fd open_log_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open log file '" + path + "': " + sys::errno_text(errno));
    return sys::Fd(fd);
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // a log that cannot be written must not take the server down
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}
}  // namespace

void Logger::open_files() {
    if (errorlog_.empty() || errorlog_ == "-") {
        error_file_.reset();
        error_fd_ = 2;
    } else {
        error_file_ = open_log_file(errorlog_);
        error_fd_ = error_file_.get();
    }
    if (accesslog_.empty()) {
        access_fd_ = -1;
    } else if (accesslog_ == "-") {
        access_file_.reset();
        access_fd_ = 1;
    } else {
        access_file_ = open_log_file(accesslog_);
        access_fd_ = access_file_.get();
    }
}

void Logger::reopen_files() {
    try {
        open_files();
    } catch (const std::exception& e) {
        error("{}", e.what());
    }
}

void Logger::log(LogLevel level, std::string_view message) {
    if (!enabled(level)) return;
    time_t now = ::time(nullptr);
    tm local{};
    ::localtime_r(&now, &local);
    char stamp[64];
    std::size_t n = ::strftime(stamp, sizeof stamp, "[%Y-%m-%d %H:%M:%S %z]", &local);
    std::string line = fmt::format("{} [{}] [{}] {}\n", std::string_view(stamp, n), ::getpid(),
                                   log_level_name(level), message);
    write_all(error_fd_, line);
}

void Logger::access(std::string_view line) {
    if (access_fd_ < 0) return;
    std::string out(line);
    out += '\n';
    write_all(access_fd_, out);
}

}  // namespace minicorn::process
