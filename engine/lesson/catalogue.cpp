// engine/lesson/catalogue.cpp — finding lesson files; the planned catalogue.
#include "engine/lesson/catalogue.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace minicorn::lesson {

namespace fs = std::filesystem;

std::string lessons_dir(const std::string& explicit_dir) {
    if (!explicit_dir.empty()) return explicit_dir;
    if (const char* env = std::getenv("MINICORN_LESSONS"); env && *env) return env;
#ifdef MINICORN_LESSONS_DIR
    return MINICORN_LESSONS_DIR;
#else
    return "lessons";
#endif
}

std::vector<std::string> lesson_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.ends_with(".lesson")) out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string find_lesson(const std::string& dir, const std::string& name) {
    if (name.ends_with(".lesson") && fs::exists(name)) return name;
    std::string wanted = name;
    if (wanted.size() == 1 && std::isdigit(static_cast<unsigned char>(wanted[0]))) wanted = "0" + wanted;
    std::string found;
    for (const std::string& path : lesson_files(dir)) {
        std::string base = fs::path(path).stem().string();
        const bool hit = base == wanted || (wanted.size() == 2 && base.starts_with(wanted + "-"));
        if (!hit) continue;
        if (!found.empty()) return "";
        found = path;
    }
    return found;
}

const std::vector<PlannedLesson>& planned_lessons() {
    static const std::vector<PlannedLesson> plan = {
        {0, "A tour of the studio", ""},
        {1, "One request at a time: the sync worker", ""},
        {2, "Two workers, one socket: who accepts?", ""},
        {3, "The heartbeat and WORKER TIMEOUT", ""},
        {4, "timeout is not a request timeout", ""},
        {5, "No keep-alive on sync", ""},
        {6, "eventlet: an acceptor greenthread and a GreenPool", ""},
        {7, "Monkey patching: a patched sleep parks, an unpatched call blocks", ""},
        {8, "gevent: StreamServer and its Pool", ""},
        {9, "CPU work serialises a green worker", ""},
        {10, "A blocked hub misses its heartbeat", ""},
        {11, "gthread: accept puts the connection in the pool's queue", ""},
        {12, "--threads is not what it seems", ""},
        {13, "The GIL: threads do not add CPU", ""},
        {14, "gthread keep-alive capacity is worker_connections - threads", ""},
        {15, "A silent client pins a gthread thread", ""},
        {16, "A busy worker keeps accepting while another idles", ""},
        {17, "Slow clients: why you want a buffering proxy", ""},
        {18, "Slow boot, endless restarts", ""},
        {19, "max_requests without jitter", ""},
        {20, "Graceful TERM, quick INT, and kill -9", ""},
        {21, "tornado: one IOLoop, the app on the loop", ""},
        {22, "asyncio (uvicorn): a loop of timers, ready callbacks, poll", ""},
        {23, "Concurrency across requests vs inside one request", ""},
        {24, "Which worker should I pick?", ""},
        {25, "--preload: the app loaded once, in the master", ""},
        {26, "HUP does not reload code under --preload", ""},
        {27, "Patched too late: an import-time socket under gevent", ""},
        {28, "Threads inside a gevent worker are greenlets", ""},
        {29, "A slow disk under the heartbeat", ""},
    };
    return plan;
}

}  // namespace minicorn::lesson
