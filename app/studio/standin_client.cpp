// app/studio/standin_client.cpp — see standin_client.h.
#include "app/studio/standin_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/studio/traffic_mix.h"

namespace minicorn::studio {

namespace {

// One request on a fresh connection; false if the server could not be reached.
bool get_once(int port, const std::string& path) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (ok) {
        std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        ok = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
        char buf[4096];
        while (ok && ::read(fd, buf, sizeof buf) > 0) {
        }
    }
    ::close(fd);
    return ok;
}

}  // namespace

int run_standin_client(int argc, char** argv) {
    if (argc < 1) {
        std::fprintf(stderr, "usage: minicorn-studio --standin-client URL [-c N] [--mix MIX] [--pause-ms MS]\n");
        return 2;
    }
    std::string url = argv[0];
    static constexpr std::string_view kPrefix = "http://127.0.0.1:";
    if (url.rfind(kPrefix, 0) != 0) {
        std::fprintf(stderr, "stand-in client: only http://127.0.0.1:PORT/ URLs\n");
        return 2;
    }
    int port = std::atoi(url.c_str() + kPrefix.size());
    int connections = 4;
    int pause_ms = 20;
    std::string mix_text = "/";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "-c") connections = std::max(1, std::atoi(argv[i + 1]));
        else if (flag == "--mix") mix_text = argv[i + 1];
        else if (flag == "--pause-ms") pause_ms = std::max(0, std::atoi(argv[i + 1]));
    }
    TrafficMix mix = parse_mix(mix_text);
    std::fprintf(stderr, "stand-in client: %d looping connections to port %d, mix %s\n", connections, port,
                 mix_text.c_str());
    std::vector<std::thread> users;
    for (int u = 0; u < connections; ++u) {
        users.emplace_back([port, pause_ms, &mix, u] {
            std::minstd_rand rng(static_cast<unsigned>(u + 1));
            while (true) {
                if (!get_once(port, mix.pick(rng))) ::usleep(200'000);  // server restarting: back off
                if (pause_ms > 0) ::usleep(static_cast<useconds_t>(pause_ms) * 1000);
            }
        });
    }
    for (std::thread& t : users) t.join();
    return 0;
}

}  // namespace minicorn::studio
