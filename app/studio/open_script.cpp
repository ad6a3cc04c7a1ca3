// app/studio/open_script.cpp — see open_script.h.
#include "app/studio/open_script.h"

#include <array>
#include <chrono>
#include <cstdio>

namespace minicorn::studio {

namespace {
constexpr std::string_view kPrefix = "open:";
}  // namespace

bool is_open_script(const std::string& name) { return name.starts_with(kPrefix) && name.size() > kPrefix.size(); }

void run_open_script(Studio& studio, const std::string& name, const std::function<void()>& draw_frame,
                     const std::function<bool()>& stop) {
    const std::string path = name.substr(kPrefix.size());
    studio.open_recording_or_say_why(path);
    std::array<int, 2> frames{};      // [0] while the file is read, [1] while it is folded
    std::array<double, 2> seconds{};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(600);
    while (!stop() && studio.opening() && std::chrono::steady_clock::now() < until) {
        const std::size_t part = studio.reading_file() ? 0 : 1;
        const auto t0 = std::chrono::steady_clock::now();
        draw_frame();
        ++frames[part];
        seconds[part] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::printf("minicorn-studio: opened %s while drawing %d frames (reading: %d in %.1f s, folding: %d in %.1f s)\n",
                path.c_str(), frames[0] + frames[1], frames[0], seconds[0], frames[1], seconds[1]);
}

}  // namespace minicorn::studio
