// models/registry.h — the worker models, one table from name to factory
// (gunicorn's workers/__init__.py SUPPORTED_WORKERS).
#pragma once

#include <string_view>
#include <vector>

#include "engine/process/arbiter.h"

namespace minicorn::models {

struct WorkerModel {
    std::string_view name;      // "sync", as -k takes it
    std::string_view summary;   // one line for --help and the studio
    process::WorkerFactory factory;
    // The worker class's check_config classmethod: warnings about settings, logged at start.
    void (*check_config)(const process::Config& cfg, process::Logger& log) = nullptr;
};

const std::vector<WorkerModel>& worker_models();

// nullptr for a name minicorn has no model for.
const WorkerModel* find_worker_model(std::string_view name);

}  // namespace minicorn::models
