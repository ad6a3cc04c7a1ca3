// app/studio/panels/stats.h — the Stats panel: per worker, requests a
// second, busy fraction and queue lengths over the last 30 s, as plots; and
// the kernel's accept queue.
//
// Thread affinity: the main thread.
#pragma once

#include "app/studio/panels/metrics.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

void draw_stats(const View& view, const Metrics& metrics);

}  // namespace minicorn::studio
