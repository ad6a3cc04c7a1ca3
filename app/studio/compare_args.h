// app/studio/compare_args.h — the studio's --compare and -c FILE, turned into
// StudioOptions: which models, every model's serve flags, and the gunicorn
// config file read as `minicorn serve -c` reads it (engine/config/).
//
// Called by main.cpp after the flags are parsed; pure but for reading the
// config file.
#pragma once

#include <string>
#include <vector>

#include "app/studio/studio.h"

namespace minicorn::studio {

// `-c VALUE`: a whole number is the client's virtual users (as always); anything else a config file.
bool is_users_count(const std::string& value);

// --compare LIST → options.compare (2–6 models) and options.compare_flags
// (`serve_given` without -k; -w 2 unless a config file says otherwise).
// Returns the problem in words ("" if none).
std::string apply_compare(const std::string& list, const std::vector<std::string>& serve_given, StudioOptions& options);

struct ConfigOutcome {
    std::string error;     // the file cannot be used: why, with its line ("" if it can)
    std::string warnings;  // what it asks for that minicorn does not honour, one per line
};

// -c FILE for the one-engine studio: the file with the command line's serve
// flags over it (gunicorn's precedence) → options.serve_args (and the
// Controls' values). With --compare the file is left to every model's server
// (make_plan reads it); only checked here.
ConfigOutcome apply_config_file(const std::vector<std::string>& serve_given, StudioOptions& options);

// Both, after the flags: a usage problem into `error` (exit 2; nothing done
// when it is set already), the config file's warnings to stderr; returns why
// the config file cannot be used ("" when it can, or there is none).
std::string apply_compare_and_config(const std::string& compare_list, const std::vector<std::string>& serve_given,
                                     StudioOptions& options, std::string& error);

}  // namespace minicorn::studio
