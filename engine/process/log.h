// engine/process/log.h — gunicorn's error log and access log (glogging.py).
//
// Error log lines read exactly like gunicorn's:
//     [2026-11-29 01:15:02 +0000] [4242] [INFO] Booting worker with pid: 4242
// Each line goes out in one write(2) on an O_APPEND descriptor, so lines from
// the master and its workers, which share the file after fork, never interleave
// mid-line. One Logger per process (it is copied into workers by fork); not
// thread-safe for reopen(), safe for concurrent write calls.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>

#include "engine/sys/fd.h"

namespace minicorn::process {

enum class LogLevel { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

// "info" → Info; nullopt for an unknown name.
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);  // "INFO"

class Logger {
public:
    // errorlog: "-" for stderr or a path; accesslog: empty for off, "-" for
    // stdout, or a path. Throws std::runtime_error if a file cannot be opened.
    Logger(std::string errorlog, std::string accesslog, LogLevel level);

    void log(LogLevel level, std::string_view message);

    template <typename... Args>
    void debug(fmt::format_string<Args...> f, Args&&... args) { emit(LogLevel::Debug, f, std::forward<Args>(args)...); }
    template <typename... Args>
    void info(fmt::format_string<Args...> f, Args&&... args) { emit(LogLevel::Info, f, std::forward<Args>(args)...); }
    template <typename... Args>
    void warning(fmt::format_string<Args...> f, Args&&... args) { emit(LogLevel::Warning, f, std::forward<Args>(args)...); }
    template <typename... Args>
    void error(fmt::format_string<Args...> f, Args&&... args) { emit(LogLevel::Error, f, std::forward<Args>(args)...); }
    template <typename... Args>
    void critical(fmt::format_string<Args...> f, Args&&... args) { emit(LogLevel::Critical, f, std::forward<Args>(args)...); }

    bool enabled(LogLevel level) const { return level >= level_; }
    bool access_enabled() const { return access_fd_ >= 0; }
    // Writes one access-log line (a newline is added).
    void access(std::string_view line);

    // USR1: reopen the log files (after logrotate moved them).
    void reopen_files();

private:
    template <typename... Args>
    void emit(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
        if (enabled(level)) log(level, fmt::format(f, std::forward<Args>(args)...));
    }
    void open_files();

    std::string errorlog_;
    std::string accesslog_;
    LogLevel level_;
    sys::Fd error_file_;   // owned when errorlog_ is a path
    sys::Fd access_file_;  // owned when accesslog_ is a path
    int error_fd_ = 2;
    int access_fd_ = -1;
};

}  // namespace minicorn::process
