// engine/trace/model_client.h — the part of TraceModel::apply() that folds the
// built-in client's events (ClientConnectStart … ClientClose) into
// World::clients and World::client. Internal to model.cpp; pure, like apply().
#pragma once

#include "engine/trace/event.h"
#include "engine/trace/world.h"

namespace minicorn::trace::detail {

// Applies one Client* event (ClientStart excluded: model.cpp makes the
// client's Process). Other kinds are ignored.
void apply_client_event(World& w, const Event& e);

}  // namespace minicorn::trace::detail
