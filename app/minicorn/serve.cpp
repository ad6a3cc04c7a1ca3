// app/minicorn/serve.cpp — `minicorn serve`: settings → arbiter.
#include <cstdio>
#include <exception>

#include "app/minicorn/commands.h"
#include "engine/process/arbiter.h"
#include "engine/process/log.h"
#include "engine/process/settings.h"
#include "models/registry.h"

namespace minicorn::cli {

int serve_command(const std::vector<std::string>& args) {
    process::Config cfg;
    process::ParseOutcome outcome = process::parse_serve_args(args, cfg);
    if (outcome.status == process::ParseOutcome::Status::Help) {
        std::fputs(process::serve_help().c_str(), stdout);
        return 0;
    }
    if (outcome.status == process::ParseOutcome::Status::Error) {
        std::fprintf(stderr, "usage: minicorn serve [OPTIONS]\nminicorn serve: error: %s\n", outcome.message.c_str());
        return 2;
    }

    std::string worker_class = cfg.effective_worker_class();
    const models::WorkerModel* model = models::find_worker_model(worker_class);
    if (!model) {  // the settings table only admits gunicorn's names; keep a clear word anyway
        std::fprintf(stderr, "minicorn serve: error: unknown worker class '%s'\n", worker_class.c_str());
        return 2;
    }
    if (!model->factory) {
        std::string built;
        for (const models::WorkerModel& m : models::worker_models()) {
            if (m.factory) built += (built.empty() ? "" : ", ") + std::string(m.name);
        }
        std::string why = worker_class != cfg.worker_class
                              ? " (-k sync with --threads " + std::to_string(cfg.threads) + " means gthread, as in gunicorn)"
                              : "";
        std::fprintf(stderr,
                     "minicorn serve: error: worker class '%s'%s is not built yet; it arrives with %.*s. "
                     "Built so far: %s.\n",
                     worker_class.c_str(), why.c_str(), static_cast<int>(model->planned.size()), model->planned.data(),
                     built.c_str());
        return 2;
    }

    auto level = process::parse_log_level(cfg.loglevel);
    try {
        process::Logger log(cfg.errorlog, cfg.accesslog, *level);
        process::Arbiter arbiter(cfg, model->factory, worker_class, log);
        return arbiter.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minicorn serve: error: %s\n", e.what());
        return 1;
    }
}

}  // namespace minicorn::cli
