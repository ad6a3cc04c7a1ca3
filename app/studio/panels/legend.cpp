// app/studio/panels/legend.cpp — see legend.h.
#include "app/studio/panels/legend.h"

#include <imgui.h>

namespace minicorn::studio {

void draw_legend(const View&) { ImGui::TextUnformatted("legend"); }

}  // namespace minicorn::studio
