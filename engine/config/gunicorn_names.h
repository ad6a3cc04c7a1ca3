// engine/config/gunicorn_names.h — what gunicorn 20.1 calls its settings and
// hooks, and how a gunicorn name finds minicorn's setting row.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/process/settings.h"

namespace minicorn::config {

// The row of minicorn's settings table for a gunicorn setting name: by the
// row's name, else by the rule "--" + name.replace('_', '-') on its long
// flag, else by gunicorn's own flag for it (preload_app → --preload).
// nullptr: minicorn has no such setting.
const process::Setting* find_setting_by_name(std::string_view name);

// True for every setting of gunicorn 20.1's config.py, hooks included.
bool is_gunicorn_setting(std::string_view name);

// For a server hook (post_fork, on_starting, …): when gunicorn calls it.
std::optional<std::string_view> hook_when(std::string_view name);

// Why minicorn ignores a gunicorn setting it does not have, in a few words.
std::string_view not_simulated_reason(std::string_view name);

// The closest setting name to a misspelt one ("worker" → "workers"), if one is close.
std::optional<std::string> did_you_mean(std::string_view name);

// gunicorn's other spellings of a worker class ("gunicorn.workers.ggevent.GeventWorker",
// "egg:gunicorn#gevent", "uvicorn.workers.UvicornWorker") → minicorn's name.
std::string short_worker_class(std::string_view value);

}  // namespace minicorn::config
