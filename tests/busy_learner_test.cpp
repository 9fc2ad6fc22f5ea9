// BusyLearner's rules (dispatch/busy_learner.hpp) on made-up timings: what makes a shape back
// off from its parallel team, for how long, and what brings it back.
#include "dispatch/busy_learner.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace {

using tandem::detail::BusyLearner;

constexpr std::int64_t kMs = 1'000'000;  // ns
constexpr double kUs = 1e-6;             // s

// Calls of the parallel choice, `gap` apart from `t`, while not backing off; returns the time
// after the last one, or the time of the call that made the learner back off.
std::int64_t run_parallel(BusyLearner& l, std::int64_t t, int calls, double seconds,
                          std::int64_t gap = kMs) {
  for (int i = 0; i < calls; ++i, t += gap) {
    if (l.backing_off(t)) return t;
    l.observe_parallel(seconds, t);
  }
  return t;
}

// The period is over at `t`: the first call wakes the team (not counted, however long), the
// second is the probe that took `seconds`; returns the time after them.
std::int64_t probe(BusyLearner& l, std::int64_t t, double seconds) {
  EXPECT_FALSE(l.backing_off(t));
  l.observe_parallel(1.0, t);  // a second to wake the team: ignored
  t += kMs;
  EXPECT_FALSE(l.backing_off(t));
  l.observe_parallel(seconds, t);
  return t + kMs;
}

TEST(BusyLearner, TheCallThatWakesTheTeamIsNotCounted) {
  BusyLearner l(30 * kUs, 200 * kUs);
  l.observe_parallel(5.0, 0);  // the first call of the shape
  EXPECT_FALSE(l.backing_off(kMs));
  run_parallel(l, kMs, 10, 30 * kUs);
  EXPECT_NEAR(l.average(), 30 * kUs, 1e-12);
  EXPECT_NEAR(l.best(), 30 * kUs, 1e-12);
}

TEST(BusyLearner, SteadyIdleCallsNeverBackOff) {
  BusyLearner l(30 * kUs, 200 * kUs);  // the team predicted at 30 us, serial at 200 us
  std::int64_t t = 0;
  for (int i = 0; i < 10000; ++i, t += kMs) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    l.observe_parallel(i % 2 == 0 ? 30 * kUs : 33 * kUs, t);
  }
  EXPECT_EQ(l.backoffs(), 0);
  EXPECT_NEAR(l.best(), 30 * kUs, 1e-12);
}

TEST(BusyLearner, OnePreemptionDoesNotBackOff) {
  BusyLearner l(30 * kUs, 200 * kUs);
  std::int64_t t = run_parallel(l, 0, 100, 30 * kUs);
  l.observe_parallel(90 * kUs, t);  // 3x the usual: the average moves to 1.125x
  EXPECT_FALSE(l.backing_off(t + 1));
  EXPECT_NEAR(l.average(), 33.75 * kUs, 1e-9);
}

TEST(BusyLearner, AModelThatPredictsTooMuchIsCorrectedByAFastCall) {
  // Predicted 5 ms, but the team takes 30 us: its idle time is its fastest call, so one call
  // of 4 ms counts, though it is under the prediction.
  BusyLearner l(5000 * kUs, 200 * kUs);
  std::int64_t t = run_parallel(l, 0, 11, 30 * kUs);
  EXPECT_NEAR(l.best(), 30 * kUs, 1e-12);
  EXPECT_FALSE(l.backing_off(t));
  l.observe_parallel(4000 * kUs, t);  // 30 us + (4 ms - 30 us) / 16 = 278 us: one slow call
  EXPECT_FALSE(l.backing_off(t + 1));
  l.observe_parallel(4000 * kUs, t + 1);  // two: 511 us, over 1.5 times serial's 200 us
  EXPECT_TRUE(l.backing_off(t + 2));
}

TEST(BusyLearner, RareSlowCallsCheaperThanTheFallbackOnAverageKeepTheTeam) {
  // One call in 20 waits an 8 ms slice: the team's mean is 0.52 ms against 1.2 ms on 1 thread.
  BusyLearner l(120 * kUs, 1200 * kUs);
  std::int64_t t = 0;
  for (int i = 0; i < 2000; ++i, t += kMs) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    l.observe_parallel(i % 20 == 19 ? 8000 * kUs : 120 * kUs, t);
  }
}

TEST(BusyLearner, AModelThatPredictsHalfTheTimeIsNotBusy) {
  // A large memory-bound call predicted at 35 ms that takes 70-80 ms on idle cores (the
  // calibration fitted on cache-resident sizes), with one thread predicted at 70 ms: steady
  // calls within twice the fastest and under 8 times the prediction never back off.
  BusyLearner l(35'000 * kUs, 70'000 * kUs);
  std::int64_t t = 0;
  for (int i = 0; i < 200; ++i, t += 80 * kMs) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    l.observe_parallel(i % 3 == 0 ? 80'000 * kUs : 72'000 * kUs, t);
  }
}

TEST(BusyLearner, ALongCallTheModelUnderestimatesEightfoldStays) {
  // mse of 2 x 2 GiB, predicted at 16 ms from cache-resident calibration sizes (one thread at
  // 32 ms), takes 130 ms on idle cores: no call is fast, but a long call's prediction does not
  // tell load from a model's error.
  BusyLearner l(16'000 * kUs, 32'000 * kUs);
  std::int64_t t = 0;
  for (int i = 0; i < 50; ++i, t += 130 * kMs) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    l.observe_parallel(130'000 * kUs, t);
  }
}

TEST(BusyLearner, EveryCallASchedulerSliceBacksOffAtOnce) {
  // Busy cores where every call of the team waits a 16 ms slice: no call is fast, so only the
  // prediction (12 us) tells.
  BusyLearner l(12 * kUs, 40 * kUs);
  l.observe_parallel(16000 * kUs, 0);  // wakes the team
  EXPECT_FALSE(l.backing_off(kMs));
  l.observe_parallel(16000 * kUs, kMs);
  EXPECT_TRUE(l.backing_off(kMs + 1));
  EXPECT_EQ(l.until_ns(), kMs + BusyLearner::kTrialNs);  // one thread not yet measured
}

TEST(BusyLearner, ATeamSlowerThanPredictedStaysWhileItBeatsTheFallback) {
  // Idle cores, but the team always takes 500 us against 30 us predicted: it backs off once,
  // the fallback is measured at 1 ms, and the probe brings the team back for good.
  BusyLearner l(30 * kUs, 200 * kUs);
  std::int64_t t = run_parallel(l, 0, 5, 500 * kUs);
  ASSERT_TRUE(l.backing_off(t));
  for (int i = 0; i < 10; ++i) l.observe_fallback(1000 * kUs);
  t = probe(l, l.until_ns(), 500 * kUs);
  t = run_parallel(l, t, 1000, 500 * kUs);
  EXPECT_FALSE(l.backing_off(t));
}

TEST(BusyLearner, ATeamUnderOneAndAHalfTimesTheFallbackStays) {
  // 280 us against one thread's 200 us: slower, but not by enough to be told from noise.
  BusyLearner l(30 * kUs, 200 * kUs);
  std::int64_t t = run_parallel(l, 0, 1000, 280 * kUs);
  EXPECT_FALSE(l.backing_off(t));
  EXPECT_EQ(l.backoffs(), 0);
}

TEST(BusyLearner, TimerTicksAndARareLongStallOnIdleCoresDoNotBackOff) {
  // Measured on an idle 2-vCPU machine: a 28 us call takes 100-200 us when a timer tick
  // interrupts a thread (every 4 ms), and once in a few seconds one stalls for 8 ms.
  BusyLearner l(15 * kUs, 30 * kUs);
  std::int64_t t = 0;
  for (int i = 0; i < 20000; ++i, t += 30'000) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    const double s = i % 5000 == 4999 ? 8000 * kUs : i % 130 == 129 ? 150 * kUs : 28 * kUs;
    l.observe_parallel(s, t);
    if (i % 5000 == 4999) l.observe_parallel(150 * kUs, t);  // a tick right after it
  }
}

TEST(BusyLearner, IsolatedStallsOnIdleCoresDoNotBackOff) {
  // An idle virtual machine: a 35 us team call stalls for 2 ms once in 100 calls. Each stall
  // lifts the average to 4 times the fastest call and over 1.5 times one thread's 60 us, but no
  // second one follows within 32 calls.
  BusyLearner l(35 * kUs, 60 * kUs);
  std::int64_t t = 0;
  for (int i = 0; i < 5000; ++i, t += 100'000) {
    ASSERT_FALSE(l.backing_off(t)) << "call " << i;
    l.observe_parallel(i % 100 == 99 ? 2000 * kUs : 35 * kUs, t);
  }
  // Two stalls close together are load.
  l.observe_parallel(2000 * kUs, t);
  l.observe_parallel(35 * kUs, t + 1);
  l.observe_parallel(2000 * kUs, t + 2);
  EXPECT_TRUE(l.backing_off(t + 3));
}

TEST(BusyLearner, AlternatingFastAndVerySlowCallsBackOff) {
  // Busy cores: 30 us and 6 ms alternate (the mean is 3 ms, 15x serial's 200 us).
  BusyLearner l(30 * kUs, 200 * kUs);
  std::int64_t t = run_parallel(l, 0, 2, 30 * kUs);
  EXPECT_FALSE(l.backing_off(t));
  l.observe_parallel(6000 * kUs, t);  // one slow call: 0.4 ms average, not yet
  EXPECT_EQ(l.backoffs(), 0);
  l.observe_parallel(30 * kUs, t + 1);
  l.observe_parallel(6000 * kUs, t + 2);  // the second: 0.74 ms
  EXPECT_TRUE(l.backing_off(t + 3));
  EXPECT_EQ(l.backoffs(), 0);  // a trial: one thread is not measured yet
  EXPECT_TRUE(l.backing_off(t + 2 + BusyLearner::kTrialNs - 1));
  l.observe_fallback(200 * kUs);
  EXPECT_GT(l.average(), 2 * l.best());
  // The trial is over: the probe is slow again, and now the backoff is a period.
  t = probe(l, t + 2 + BusyLearner::kTrialNs, 6000 * kUs);
  EXPECT_EQ(l.backoffs(), 1);
  EXPECT_EQ(l.until_ns(), t - kMs + BusyLearner::kFirstPeriodNs);
}

TEST(BusyLearner, AFalseAlarmCostsATrialOfTwoMilliseconds) {
  // Idle cores: two stalls close together back a 20 us team off, but one thread, measured in
  // the trial, takes 80 us: the probe after 2 ms resumes the team for good.
  BusyLearner l(15 * kUs, 30 * kUs);
  std::int64_t t = run_parallel(l, 0, 100, 20 * kUs, 20'000);
  l.observe_parallel(8000 * kUs, t);
  l.observe_parallel(2000 * kUs, t + 1);
  ASSERT_TRUE(l.backing_off(t + 2));
  EXPECT_EQ(l.until_ns() - (t + 1), BusyLearner::kTrialNs);
  for (int i = 0; i < 20; ++i) l.observe_fallback(80 * kUs);
  t = probe(l, l.until_ns(), 20 * kUs);
  t = run_parallel(l, t, 10000, 20 * kUs, 20'000);
  EXPECT_FALSE(l.backing_off(t));
  EXPECT_EQ(l.backoffs(), 0);
}

TEST(BusyLearner, SlowButFasterThanTheFallbackKeepsTheTeam) {
  // The team slows from 30 us to 100 us on average, but 1 thread is measured at 400 us: the
  // team still wins, so it stays.
  BusyLearner l(30 * kUs, 50 * kUs);
  std::int64_t t = run_parallel(l, 0, 5, 30 * kUs);
  l.observe_parallel(2000 * kUs, t);
  l.observe_parallel(2000 * kUs, t);  // backs off: 1 thread was predicted at 50 us
  ASSERT_TRUE(l.backing_off(t + 1));
  for (int i = 0; i < 10; ++i) l.observe_fallback(400 * kUs);  // measured: 400 us
  EXPECT_NEAR(l.fallback(), 400 * kUs, 1e-9);
  t = probe(l, t + BusyLearner::kFirstPeriodNs, 100 * kUs);  // > 2x 30 us but < 400 us
  EXPECT_NEAR(l.average(), 100 * kUs, 1e-12);                // the probe started afresh
  t = run_parallel(l, t, 50, 100 * kUs);
  EXPECT_FALSE(l.backing_off(t));
}

TEST(BusyLearner, SlowProbesDoubleThePeriodUpTo640Ms) {
  BusyLearner l(30 * kUs, 200 * kUs);
  l.observe_fallback(250 * kUs);  // one thread measured (an earlier trial): no trial now
  std::int64_t t = run_parallel(l, 0, 3, 30 * kUs);
  l.observe_parallel(8000 * kUs, t);
  l.observe_parallel(8000 * kUs, t);
  std::int64_t period = BusyLearner::kFirstPeriodNs;
  for (int backoff = 1; backoff <= 8; ++backoff) {
    ASSERT_EQ(l.until_ns(), t + period) << "backoff " << backoff;
    ASSERT_TRUE(l.backing_off(t + period - 1));
    for (int i = 0; i < 5; ++i) l.observe_fallback(250 * kUs);
    // The probe is slow: back off again, twice as long.
    t = probe(l, t + period, 5000 * kUs) - kMs;
    period = std::min<std::int64_t>(period * 2, 640 * kMs);
  }
  EXPECT_EQ(l.until_ns() - t, 640 * kMs);
}

TEST(BusyLearner, AFastProbeResumesAndACalmPeriodResetsThePeriods) {
  BusyLearner l(30 * kUs, 200 * kUs);
  l.observe_fallback(250 * kUs);  // one thread measured (an earlier trial): no trial now
  std::int64_t t = run_parallel(l, 0, 3, 30 * kUs);
  l.observe_parallel(8000 * kUs, t);
  l.observe_parallel(8000 * kUs, t);   // backoff 1: 20 ms
  probe(l, l.until_ns(), 8000 * kUs);  // backoff 2: 40 ms
  ASSERT_EQ(l.backoffs(), 2);
  t = probe(l, l.until_ns(), 31 * kUs);  // the load has gone: resume at once
  EXPECT_FALSE(l.backing_off(t));
  EXPECT_EQ(l.backoffs(), 2);  // ... but the next backoff would still be longer
  EXPECT_NEAR(l.average(), 31 * kUs, 1e-12);
  // Calm for longer than the current 40 ms period: the periods start again at 20 ms.
  t = run_parallel(l, t, 60, 30 * kUs);
  EXPECT_EQ(l.backoffs(), 0);
  l.observe_parallel(8000 * kUs, t);
  l.observe_parallel(8000 * kUs, t);
  EXPECT_EQ(l.until_ns() - t, BusyLearner::kFirstPeriodNs);
}

TEST(BusyLearner, AlternatingLoadSettlesOnLongBackoffs) {
  // Fast probes resume the team, the next slow call backs off again: the periods keep
  // doubling (no calm period passes), so the slow calls become rare.
  BusyLearner l(30 * kUs, 200 * kUs);
  std::int64_t t = 0;
  int parallel_calls = 0;
  int slow_calls = 0;
  int fallback_calls = 0;
  bool slow = false;
  for (; t < 10'000 * kMs; t += 200'000) {  // a call every 0.2 ms for 10 s
    if (l.backing_off(t)) {
      l.observe_fallback(200 * kUs);
      ++fallback_calls;
      continue;
    }
    ++parallel_calls;
    slow_calls += slow ? 1 : 0;
    l.observe_parallel(slow ? 6000 * kUs : 30 * kUs, t);
    slow = !slow;
  }
  EXPECT_EQ(l.backoffs(), BusyLearner::kMaxDoublings + 1);
  // 10 s at 640 ms per period: about 16 slow calls of 6 ms against ~50000 calls in all.
  EXPECT_LT(slow_calls, 40);
  EXPECT_GT(fallback_calls, 40 * parallel_calls);
}

}  // namespace
