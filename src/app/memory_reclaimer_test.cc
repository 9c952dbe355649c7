#include "app/memory_reclaimer.h"

#include <gtest/gtest.h>

#include <vector>

namespace lmcp::app {
namespace {

constexpr std::size_t kMB = 1 << 20;

// Memory stats from a script; a trim releases what is unused down to `unused_after_trim`.
struct FakeHeap {
  MemoryStats stats{20 * kMB, 15 * kMB};
  std::size_t unused_after_trim = 5 * kMB;
  int trims = 0;

  MemoryReclaimer Reclaimer(std::chrono::milliseconds interval = std::chrono::milliseconds(250)) {
    return MemoryReclaimer(
        {.interval = interval, .threshold_bytes = 2 * kMB}, [this] { return stats; },
        [this] {
          ++trims;
          stats.resident = stats.in_use + unused_after_trim;
        });
  }
};

TEST(MemoryReclaimerTest, TrimsAfterALargeFreeAndNotBefore) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  EXPECT_FALSE(reclaimer.Check());  // first look: 5 MB unused is the floor
  // A large request in progress: resident and in use grow together.
  heap.stats = {120 * kMB, 115 * kMB};
  EXPECT_FALSE(reclaimer.Check());
  // It is freed, but the allocator keeps the pages: 100 MB unused.
  heap.stats.in_use = 15 * kMB;
  EXPECT_TRUE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 1);
  EXPECT_EQ(heap.stats.resident, 20 * kMB);
  // Nothing changed since: no second trim.
  EXPECT_FALSE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 1);
}

// The abuse suite's 90,000-ping batch: the trim ran while the batch was still being freed, so it released
// nothing and the memory measured right after it was all unused. That moment must not become the floor: the
// trim is retried and the memory goes back.
TEST(MemoryReclaimerTest, ATrimDuringAFreeIsRetried) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  EXPECT_FALSE(reclaimer.Check());    // floor: 5 MB unused
  heap.stats = {60 * kMB, 15 * kMB};  // 45 MB freed, more being freed
  heap.unused_after_trim = 45 * kMB;  // this trim gives nothing back
  EXPECT_TRUE(reclaimer.Check());
  heap.unused_after_trim = 5 * kMB;  // the free has finished
  int checks = 0;
  while (heap.trims < 2 && checks < 10) {
    reclaimer.Check();
    ++checks;
  }
  EXPECT_EQ(heap.trims, 2);
  EXPECT_EQ(heap.stats.resident, 20 * kMB);
  EXPECT_LE(checks, 2);  // retried after one skipped check
  EXPECT_FALSE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 2);
}

// Memory a trim cannot give back (fragmentation) is retried ever less often, not on every check.
TEST(MemoryReclaimerTest, AnIneffectiveTrimBacksOff) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  EXPECT_FALSE(reclaimer.Check());
  heap.stats = {60 * kMB, 15 * kMB};
  heap.unused_after_trim = 45 * kMB;
  for (int i = 0; i < 200; ++i) {
    reclaimer.Check();
  }
  EXPECT_GE(heap.trims, 4);
  EXPECT_LE(heap.trims, 9);  // at checks 1, 3, 6, 11, 20, 37, 70, 135, 200: 1, 2, 4, ... 64 skipped between
}

// The floor is taken when the reclaimer starts: a server that gets a large message before the first periodic
// check (250 ms) would otherwise take that message's freed memory as its floor and never trim it.
TEST(MemoryReclaimerTest, StartTakesTheFloorBeforeAnyMessage) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer(std::chrono::hours(1));  // the thread never checks in this test
  reclaimer.Start();
  heap.stats = {60 * kMB, 15 * kMB};  // a large message came and went
  EXPECT_TRUE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 1);
}

TEST(MemoryReclaimerTest, NoHeapFiguresNoTrim) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  heap.stats = {20 * kMB, 0};  // what a sanitizer's allocator reports
  EXPECT_FALSE(reclaimer.Check());
  heap.stats = {300 * kMB, 0};
  EXPECT_FALSE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 0);
}

TEST(MemoryReclaimerTest, MemoryInUseIsNeverAReasonToTrim) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  EXPECT_FALSE(reclaimer.Check());
  for (std::size_t mb = 20; mb < 500; mb += 40) {
    heap.stats = {mb * kMB + 5 * kMB, mb * kMB};
    EXPECT_FALSE(reclaimer.Check());
  }
  EXPECT_EQ(heap.trims, 0);
}

TEST(MemoryReclaimerTest, SmallGrowthBelowTheThresholdIsLeftAlone) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  EXPECT_FALSE(reclaimer.Check());
  heap.stats = {22 * kMB, 15 * kMB};  // 7 MB unused, 2 MB over the floor: not more than the threshold
  EXPECT_FALSE(reclaimer.Check());
  heap.stats = {23 * kMB, 15 * kMB};
  EXPECT_TRUE(reclaimer.Check());
}

TEST(MemoryReclaimerTest, TheFloorFollowsReuse) {
  FakeHeap heap;
  MemoryReclaimer reclaimer = heap.Reclaimer();
  heap.stats = {20 * kMB, 19 * kMB};  // 1 MB unused
  EXPECT_FALSE(reclaimer.Check());
  heap.stats = {20 * kMB, 10 * kMB};  // 10 MB freed and kept
  EXPECT_TRUE(reclaimer.Check());
  // After the trim 5 MB unused is the new floor; a second large free trims again.
  heap.stats = {195 * kMB, 190 * kMB};
  EXPECT_FALSE(reclaimer.Check());
  heap.stats.in_use = 10 * kMB;
  EXPECT_TRUE(reclaimer.Check());
  EXPECT_EQ(heap.trims, 2);
}

// Whether ASan or TSan replaced malloc (gcc defines __SANITIZE_*__, clang answers __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizedHeap = true;
#elif defined(__has_feature)
constexpr bool kSanitizedHeap = __has_feature(address_sanitizer) || __has_feature(thread_sanitizer);
#else
constexpr bool kSanitizedHeap = false;
#endif

TEST(MemoryReclaimerTest, RealStatsAreReadable) {
  MemoryStats stats = ReadMemoryStats();
  EXPECT_GT(stats.resident, 0u);
  // glibc's heap; a sanitizer's allocator replaces it and mallinfo2 then reports nothing.
  if (!kSanitizedHeap) {
    EXPECT_GT(stats.in_use, 0u);
  }
  TrimHeap();  // harmless at any time
}

}  // namespace
}  // namespace lmcp::app
