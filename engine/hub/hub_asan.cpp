// engine/hub/hub_asan.cpp — the hub's AddressSanitizer stack-switch
// annotations (see hub.h); empty functions without ASan.
#include <boost/fiber/context.hpp>

#include "engine/hub/hub.h"
#include "engine/hub/hub_asan.h"

namespace minicorn::hub {

using boost::fibers::context;
using detail::GreenProps;

// ============================================================================
// [SECTION] AddressSanitizer: stack-switch annotations
// ============================================================================
//
// Debian's Boost.Context switches stacks without telling ASan, which then
// cannot unpoison a greenlet's stack when an exception is thrown on it
// ("ASan is ignoring requested __asan_handle_no_return"): the thrown-through
// frames stay poisoned and the greenlet's next deeper calls report false
// stack-buffer-overflows. Every switch but the thread's very last goes
// through pick_next(), so the hub annotates there: start (on the fiber
// leaving) names the target's stack; finish runs on the target at its next
// pick_next() — between the two ASan still tells the stacks apart by the
// stack pointer. The dispatcher's stack (Boost's) is not known: exceptions
// there (on_signal) stay unannotated.

void Hub::asan_start_switch([[maybe_unused]] context* to) noexcept {
#if defined(MINICORN_HUB_ASAN)
    context* from = context::active();
    void** save = nullptr;  // nullptr: the leaving fiber ends, its fake stack is freed
    if (from->is_context(boost::fibers::type::main_context)) {
        save = &asan_.main_fake;
    } else if (from->is_context(boost::fibers::type::dispatcher_context)) {
        save = &asan_.dispatcher_fake;
    } else if (auto* p = static_cast<GreenProps*>(from->get_properties()); p != nullptr && !p->exiting) {
        save = &p->asan_fake_stack;
    }
    const void* bottom = nullptr;
    std::size_t size = 0;
    if (to->is_context(boost::fibers::type::main_context)) {
        bottom = asan_.main_bottom;
        size = asan_.main_size;
        asan_.to_fake = &asan_.main_fake;
    } else if (to->is_context(boost::fibers::type::dispatcher_context)) {
        asan_.to_fake = &asan_.dispatcher_fake;
    } else {
        GreenProps& p = properties(to);
        bottom = p.stack_bottom;
        size = p.stack_size;
        asan_.to_fake = &p.asan_fake_stack;
    }
    __sanitizer_start_switch_fiber(save, bottom, size);
    asan_.switching = true;
#endif
}

void Hub::asan_finish_switch() noexcept {
#if defined(MINICORN_HUB_ASAN)
    if (!asan_.switching) return;
    __sanitizer_finish_switch_fiber(*asan_.to_fake, nullptr, nullptr);
    asan_.switching = false;
#endif
}

void Hub::asan_restore_main() noexcept {
#if defined(MINICORN_HUB_ASAN)
    asan_finish_switch();
    void* fake = nullptr;
    __sanitizer_start_switch_fiber(&fake, asan_.main_bottom, asan_.main_size);
    __sanitizer_finish_switch_fiber(asan_.main_fake, nullptr, nullptr);
#endif
}

}  // namespace minicorn::hub
