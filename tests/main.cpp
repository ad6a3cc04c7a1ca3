// The Catch2 (v2) test runner. Tests that fork or signal are tagged [process];
// run only those with `build/bin/minicorn_tests "[process]"`.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
