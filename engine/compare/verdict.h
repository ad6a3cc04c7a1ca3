// engine/compare/verdict.h — which model wins a scenario, and why, computed
// from the measured figures: the scenario's judged figure picks the winner;
// the reasons are the other figures where the winner and the loser differ
// most (requests at once per worker, WORKER TIMEOUTs, errors, CPU per request,
// idle connections held). Nothing about a model is written in advance.
//
// Pure functions.
#pragma once

#include <string>
#include <vector>

#include "engine/compare/model_run.h"
#include "engine/compare/scenario.h"

namespace minicorn::compare {

struct Verdict {
    std::string winner;   // "" when no model ran
    std::string loser;    // the worst on the judged figure
    double ratio = 0;     // winner ÷ loser on the judged figure (≥ 1; 0 when unknown)
    bool tie = false;     // every model within 1.3× of the winner
    std::string line;     // "gevent wins: …, because …"
};

Verdict judge_scenario(const Scenario& sc, const std::vector<ModelResult>& results);

// The judged figure as shown: "1,925 req/s", "p99 52.1ms", "12.3us CPU/req", "1,500 idle held".
std::string judged_figure(Judge j, const ModelResult& r);

// "3 timeout, 2 reset" (empty when there was none).
std::string error_words(const ModelResult& r);

// "1234567" → "1,234,567".
std::string thousands(double v);

}  // namespace minicorn::compare
