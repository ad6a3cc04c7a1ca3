// app/studio/sidecar.h — the JSON written beside a screenshot (OUT.png.json):
// the window, the engine, every panel's rectangle, every text and dot the
// layout checker noted with its faults, the lesson and its highlights, the
// gate, the time bar, the passport and the Compare view. The tests read the
// studio through it.
//
// Thread affinity: the main thread, between frames.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/studio/draw/text_layout.h"
#include "app/studio/platform.h"
#include "app/studio/studio.h"

namespace minicorn::studio {

// Writes the sidecar of a frame drawn with `layout` noted; `snapshots` are
// --then snapshot's. False if the file cannot be written.
bool write_sidecar(const std::string& path, const Platform& platform, const Studio& studio, int frames,
                   const TextLayout& layout, const nlohmann::json& snapshots);

}  // namespace minicorn::studio
