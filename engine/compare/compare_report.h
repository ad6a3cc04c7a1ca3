// engine/compare/compare_report.h — the results of `minicorn compare`: one
// table per scenario (text or Markdown), the matrix of every scenario with
// its verdict line, and the same as JSON.
//
// Pure formatting: no I/O here.
#pragma once

#include <string>
#include <vector>

#include "engine/compare/model_run.h"
#include "engine/compare/scenario.h"
#include "engine/compare/verdict.h"

namespace minicorn::compare {

struct ScenarioResult {
    Scenario scenario;
    std::string setup;                 // "-w 2, 100 connections (closed loop), 5 s"
    std::vector<ModelResult> results;  // in the order of -k
    Verdict verdict;
};

enum class Style { Text, Markdown };

std::string format_scenario(const ScenarioResult& s, Style style);
// Every scenario's judged figure per model, the winner, and the verdict lines.
std::string format_matrix(const std::vector<ScenarioResult>& all, Style style);
std::string format_json(const std::vector<ScenarioResult>& all, bool parallel);

}  // namespace minicorn::compare
