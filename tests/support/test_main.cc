// main() of every GoogleTest binary. Creates spdlog's registry and default logger on the main thread before
// any test starts a thread: the registry is a lazily built singleton inside the uninstrumented libspdlog.so,
// and a worker thread building it first would make ThreadSanitizer report races it cannot see are ordered.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
  spdlog::default_logger()->flush();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
