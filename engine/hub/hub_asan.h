// engine/hub/hub_asan.h — whether this build runs under AddressSanitizer
// (MINICORN_HUB_ASAN), and its fiber-switch interface when it does. Private
// to engine/hub.
#pragma once

#if defined(__SANITIZE_ADDRESS__)  // GCC; clang: __has_feature(address_sanitizer)
#define MINICORN_HUB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MINICORN_HUB_ASAN 1
#endif
#endif
#if defined(MINICORN_HUB_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
